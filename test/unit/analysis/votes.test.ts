/** Choosing k as a panel: each index's preferred k, within the k the rule may pick. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMatrix } from '../../../server/analysis/matrix.ts';
import { createRng, normal } from '../../../server/analysis/random.ts';
import { sweepK } from '../../../server/segmentation/sweep.ts';
import { gapStatistic, VOTE_SAMPLE_ROWS } from '../../../server/segmentation/votes.ts';

/** `groups` round blobs far apart, `perGroup` rows each. */
function blobs(groups: number, perGroup: number, seed: number, spread = 0.6) {
  const rng = createRng(seed);
  const centres = Array.from({ length: groups }, (_, g) => [10 * Math.cos((2 * Math.PI * g) / groups), 10 * Math.sin((2 * Math.PI * g) / groups)]);
  const data = new Float64Array(groups * perGroup * 2);
  for (let i = 0; i < groups * perGroup; i++) {
    const c = centres[i % groups];
    data[2 * i] = normal(rng, c[0], spread);
    data[2 * i + 1] = normal(rng, c[1], spread);
  }
  return createMatrix(groups * perGroup, 2, data);
}

const options = { algorithm: 'kmeans' as const, kMin: 2, kMax: 8, seed: 7, nInit: 3, batchSize: 1024, iterations: 100 };

describe('votes for k', () => {
  it('all five indexes vote for the number of well separated groups', () => {
    for (const groups of [3, 5]) {
      const sweep = sweepK(blobs(groups, 80, groups), options);
      assert.deepEqual(sweep.votes, { silhouette: groups, calinskiHarabasz: groups, daviesBouldin: groups, gap: groups, stability: groups }, `${groups} groups`);
      assert.equal(sweep.recommendedK, groups);
    }
  });

  it('the gap statistic is larger for the true k than for k = 2 and falls flat after it', () => {
    const x = blobs(4, 60, 3);
    const { gap, s } = gapStatistic(x, [2, 3, 4, 5, 6], 11);
    assert.ok(gap[2] > gap[0], `gap(4) ${gap[2]} > gap(2) ${gap[0]}`);
    assert.ok(gap[2] >= gap[3] - s[3], 'Tibshirani\'s rule stops at 4');
    assert.ok(s.every((v) => v >= 0));
  });

  it('votes only for k the rule may pick: none whose smallest segment is under minShare', () => {
    // Three groups and a handful of outliers far away: k = 4 would give them a segment.
    const base = blobs(3, 100, 9);
    const data = new Float64Array((base.rows + 4) * 2);
    data.set(base.data);
    for (let i = 0; i < 4; i++) data.set([60 + i * 0.1, 60], (base.rows + i) * 2);
    const sweep = sweepK(createMatrix(base.rows + 4, 2, data), { ...options, minShare: 0.05 });
    const allowed = sweep.rows.filter((r) => r.smallestShare >= 0.05).map((r) => r.k);
    for (const [index, k] of Object.entries(sweep.votes)) assert.ok(allowed.includes(k), `${index} voted for k = ${k}, outside ${allowed.join(', ')}`);
  });

  it('works on a sample of at most VOTE_SAMPLE_ROWS rows, with the same votes for the same seed', () => {
    const x = blobs(3, 1000, 5);
    assert.ok(x.rows > VOTE_SAMPLE_ROWS);
    const a = sweepK(x, options).votes;
    const b = sweepK(x, options).votes;
    assert.deepEqual(a, b);
    assert.equal(a.gap, 3);
  });
});
