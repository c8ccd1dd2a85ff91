import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProfiles } from '../../../server/segmentation/profile.ts';
import { kneedleElbow, recommendK, sweepK } from '../../../server/segmentation/sweep.ts';
import { blobs, numericTable } from '../helpers.ts';

describe('choosing k', () => {
  it('recommends the true number of well separated clusters and states the rule', () => {
    const { x } = blobs([[0, 0], [8, 0], [0, 8], [8, 8]], 50, 0.8);
    const sweep = sweepK(x, { algorithm: 'kmeans', kMin: 2, kMax: 8, seed: 42, nInit: 3, batchSize: 100, iterations: 20 });
    assert.equal(sweep.recommendedK, 4);
    assert.deepEqual(sweep.rows.map((r) => r.k), [2, 3, 4, 5, 6, 7, 8]);
    assert.match(sweep.rule, /silhouette/);
    assert.doesNotMatch(sweep.rule, /kneedle/);
    for (const r of sweep.rows) assert.ok(r.inertia > 0 && r.daviesBouldin > 0 && r.calinskiHarabasz > 0);
  });

  /** Per-k gap and stability that vote for `gapK` and `stableK`. */
  const scoresFor = (ks: number[], gapK: number, stableK: number) => ({
    ks,
    gap: ks.map((k) => (k <= gapK ? k : gapK + 1)), gapS: ks.map(() => 0.5),
    stability: ks.map((k) => (k === stableK ? 0.9 : 0.5)),
  });
  const row = (k: number, silhouette: number, smallestShare = 0.1, extra = {}) => ({ k, inertia: 100 / k ** 2, silhouette, daviesBouldin: 1 / silhouette, calinskiHarabasz: silhouette * 100, smallestShare, largestShare: 0.5, ...extra });

  it('finds the elbow with kneedle', () => {
    assert.equal(kneedleElbow([2, 3, 4, 5, 6], [100, 50, 20, 18, 17]), 4);
  });

  it('recommends the k most indices agree on, between 3 and 8 segments', () => {
    const rows = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => row(k, [0.40, 0.38, 0.45, 0.44, 0.41, 0.39, 0.37, 0.36, 0.35][k - 2]));
    assert.equal(recommendK(rows, scoresFor(rows.map((r) => r.k), 4, 4)).recommendedK, 4);
    assert.equal(recommendK(rows, scoresFor(rows.map((r) => r.k), 5, 5)).recommendedK, 4, 'silhouette, Calinski-Harabasz and Davies-Bouldin outvote gap and stability');
  });

  it('answers 2 only when the data clearly splits in two', () => {
    const clear = [2, 3, 4, 5].map((k) => row(k, [0.72, 0.51, 0.44, 0.40][k - 2]));
    assert.equal(recommendK(clear, scoresFor([2, 3, 4, 5], 2, 2)).recommendedK, 2);
    const vague = [2, 3, 4, 5].map((k) => row(k, [0.37, 0.32, 0.31, 0.28][k - 2]));
    assert.ok(recommendK(vague, scoresFor([2, 3, 4, 5], 2, 2)).recommendedK >= 3, 'a silhouette of 0.37 at k = 2 is no clear split');
  });

  it('passes over a k with a tiny segment or one segment of nearly everyone', () => {
    const rows = [2, 3, 4, 5].map((k) => row(k, [0.40, 0.45, 0.70, 0.30][k - 2], [0.3, 0.2, 0.0025, 0.1][k - 2]));
    assert.equal(recommendK(rows, scoresFor([2, 3, 4, 5], 4, 4)).recommendedK, 3, 'k = 4 has a segment of 0.25%');
    assert.equal(recommendK(rows, scoresFor([2, 3, 4, 5], 4, 4), 0).recommendedK, 4, 'minShare 0 allows it');
    const lopsided = [2, 3, 4, 5].map((k) => row(k, [0.40, 0.60, 0.45, 0.40][k - 2], 0.05, { largestShare: k === 3 ? 0.9 : 0.5 }));
    assert.notEqual(recommendK(lopsided, scoresFor([2, 3, 4, 5], 3, 3)).recommendedK, 3, 'k = 3 puts 90% in one segment');
    const allTiny = rows.map((r) => ({ ...r, smallestShare: r.k === 5 ? 0.01 : 0.002 }));
    assert.equal(recommendK(allTiny, scoresFor([2, 3, 4, 5], 4, 4)).recommendedK, 5, 'with no k above the share, the largest smallest segment');
  });

  it('finds 2 and 5 in synthetic data with 2 and 5 well separated groups', () => {
    const options = { algorithm: 'kmeans' as const, kMin: 2, kMax: 10, seed: 42, nInit: 3, batchSize: 100, iterations: 20 };
    assert.equal(sweepK(blobs([[0, 0], [10, 0]], 150, 1).x, options).recommendedK, 2);
    assert.equal(sweepK(blobs([[0, 0], [10, 0], [0, 10], [10, 10], [5, 20]], 80, 1).x, options).recommendedK, 5);
  });

  it('splits off outliers only when the smallest-share rule allows it', () => {
    // Two big groups and five outliers (1.2%) off to one side: the silhouette alone prefers a k that isolates them.
    const { x } = blobs([[0, 0], [6, 0]], 200, 1);
    const withOutliers = { rows: x.rows + 5, cols: 2, data: new Float64Array([...x.data, 3, 9, 3.5, 9, 3, 9.5, 3.2, 9.2, 2.8, 9]) };
    const loose = sweepK(withOutliers, { algorithm: 'kmeans', kMin: 2, kMax: 5, seed: 42, nInit: 3, batchSize: 100, iterations: 20, minShare: 0 });
    const strict = sweepK(withOutliers, { algorithm: 'kmeans', kMin: 2, kMax: 5, seed: 42, nInit: 3, batchSize: 100, iterations: 20 });
    assert.equal(loose.rows.find((r) => r.k === loose.recommendedK)!.smallestShare < 0.02, true);
    assert.ok(strict.rows.find((r) => r.k === strict.recommendedK)!.smallestShare >= 0.02, `k = ${strict.recommendedK}`);
    assert.match(strict.rule, /every segment holding 2% to 85% of the customers/);
  });

  it('sweeps Ward by cutting one dendrogram at every k', () => {
    const { x } = blobs([[0, 0], [8, 0], [0, 8]], 30, 0.8);
    const sweep = sweepK(x, { algorithm: 'agglomerative', kMin: 2, kMax: 5, seed: 1, nInit: 1, batchSize: 10, iterations: 1 });
    assert.equal(sweep.recommendedK, 3);
  });
});

describe('segment profiles', () => {
  const table = numericTable(
    { annual_income: [20, 22, 21, 90, 95, 92, 50, 52], spending_score: [80, 85, 82, 90, 88, 91, 10, 12] },
    { gender: ['F', 'F', 'M', 'M', 'M', 'F', 'F', 'F'] },
  );
  const profiles = buildProfiles({ table, rowIndex: Int32Array.from({ length: 8 }, (_, i) => i), labels: Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2]), k: 3, featureNames: ['annual_income', 'spending_score'] });

  it('gives sizes, shares and means in original units against the overall mean', () => {
    assert.deepEqual(profiles.map((p) => p.size), [3, 3, 2]);
    assert.equal(profiles[2].share, 0.25);
    const income = profiles[1].features.find((f) => f.feature === 'annual_income')!;
    assert.equal(income.mean, (90 + 95 + 92) / 3);
    assert.ok(income.differenceSd > 1);
    assert.deepEqual(profiles[0].categories[0].mix.map((m) => m.level), ['F', 'M']);
  });

  it('names segments from their most distinctive features in a marketer\'s words, uniquely', () => {
    assert.equal(profiles[1].name, 'High income, big spenders');
    assert.match(profiles[0].name, /^Low income/);
    assert.equal(profiles[2].name, 'Low spenders');
    assert.equal(new Set(profiles.map((p) => p.name)).size, 3);
  });

  it('tells each trait in the data\'s units against everyone, never in SD', () => {
    assert.equal(profiles[1].distinguishing[0].text, 'annual income 92.3 vs 55.3 overall (1.7×)');
    for (const p of profiles) for (const d of p.distinguishing) assert.doesNotMatch(d.text, /SD/);
  });

  it('keys plays to the profile', () => {
    assert.match(profiles[1].recommendation, /Reward and retain|Deepen/);
    assert.match(profiles[2].recommendation, /Value first|Keep the cost/);
  });
});

describe('segment names a person would write', () => {
  it('turns column names into words', async () => {
    const { humanise } = await import('../../../server/segmentation/profile.ts');
    assert.equal(humanise('MntWines'), 'mnt wines');
    assert.equal(humanise('purchase_frequency'), 'purchase frequency');
    assert.equal(humanise('PURCHASES_FREQUENCY'), 'purchases frequency');
    assert.equal(humanise('Annual Income (k$)'), 'annual income');
    assert.equal(humanise('Detergents_Paper'), 'detergents paper');
  });
});
