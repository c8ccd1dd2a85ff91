import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import DensityClustering from 'density-clustering';
import { agnes } from 'ml-hclust';
import { cutMerges, fitAgglomerative, wardMerges } from '../../../server/analysis/cluster/agglomerative.ts';
import { fitDbscan, predictDbscan, suggestEps } from '../../../server/analysis/cluster/dbscan.ts';
import { fitKMeans, fitMemo, RESTART_SAMPLE_ROWS } from '../../../server/analysis/cluster/kmeans.ts';
import { referenceCentres } from '../../../server/analysis/lineage.ts';
import { N_INIT } from '../../../server/defaults.ts';
import { fitMiniBatch, gatherRows } from '../../../server/analysis/cluster/minibatch.ts';
import { fromRows, toRows } from '../../../server/analysis/matrix.ts';
import { adjustedRandIndex } from '../../../server/analysis/metrics.ts';
import { InputError } from '../../../server/errors.ts';
import { blobs } from '../helpers.ts';

const CENTRES = [[0, 0], [6, 0], [0, 6], [6, 6]];

describe('k-means', () => {
  const { x, truth } = blobs(CENTRES, 60, 0.8);

  it('recovers well separated clusters', () => {
    const fit = fitKMeans(x, { k: 4, seed: 42 });
    assert.equal(adjustedRandIndex(fit.labels, truth), 1);
  });

  it('gives identical results for the same seed', () => {
    const a = fitKMeans(x, { k: 3, seed: 7 });
    const b = fitKMeans(x, { k: 3, seed: 7 });
    assert.deepEqual(a.labels, b.labels);
    assert.equal(a.inertia, b.inertia);
  });

  it('never does worse than plain Lloyd from the same starts', () => {
    const refined = fitKMeans(x, { k: 6, seed: 3 });
    const plain = fitKMeans(x, { k: 6, seed: 3, refine: false });
    assert.ok(refined.inertia <= plain.inertia + 1e-9);
  });

  it('fits a matrix refilled in place as the fresh matrix it now holds (nothing kept from its old values is read)', () => {
    const { x: other } = blobs([[20, -3], [-9, 14], [3, 3]], 50, 2);
    const buffer = { ...x, data: Float64Array.from(x.data) };
    fitKMeans(buffer, { k: 3, seed: 11 });
    buffer.data.set(other.data.subarray(0, buffer.data.length));
    const fresh = { ...buffer, data: Float64Array.from(buffer.data) };
    const refilled = fitKMeans(buffer, { k: 3, seed: 11 });
    const expected = fitKMeans(fresh, { k: 3, seed: 11 });
    assert.deepEqual(refilled.labels, expected.labels);
    assert.equal(refilled.inertia, expected.inertia);
    assert.deepEqual(refilled.centroids.data, expected.centroids.data);
  });

  it('shares restarts through its matrix\'s memo, with the same fit as without, and reads no other matrix\'s memo', () => {
    const memo = fitMemo(x);
    const alone = fitKMeans(x, { k: 4, seed: 3 });
    const first = fitKMeans(x, { k: 4, seed: 3, memo });
    const again = fitKMeans(x, { k: 4, seed: 3, memo });
    for (const fit of [first, again]) {
      assert.deepEqual(fit.labels, alone.labels);
      assert.equal(fit.inertia, alone.inertia);
    }
    assert.equal(memo.restarts.size, 1);
    assert.ok(memo.meanVariance! > 0);
    // Handed the memo of x, another matrix is fitted as it would be alone, and the memo is left as it was.
    const { x: other } = blobs([[20, -3], [-9, 14], [3, 3]], 50, 2);
    assert.deepEqual(fitKMeans(other, { k: 3, seed: 3, memo }).labels, fitKMeans(other, { k: 3, seed: 3 }).labels);
    assert.equal(memo.restarts.size, 1);
  });

  it('runs a large matrix\'s restarts on one sample per seed, kept in its memo: a second fit and the lineage\'s reference at k run none again', () => {
    const { x: big } = blobs(CENTRES, Math.ceil((RESTART_SAMPLE_ROWS * 1.2) / 4), 1.5, 9);
    assert.ok(big.rows > RESTART_SAMPLE_ROWS);
    const memo = fitMemo(big);
    const alone = fitKMeans(big, { k: 4, seed: 5 });
    const first = fitKMeans(big, { k: 4, seed: 5, memo });
    const sample = memo.samples?.get(5);
    assert.ok(sample && sample.matrix.rows === RESTART_SAMPLE_ROWS);
    assert.equal(sample.restarts.size, 1);
    const again = fitKMeans(big, { k: 4, seed: 5, memo });
    for (const fit of [first, again]) {
      assert.deepEqual(fit.labels, alone.labels);
      assert.equal(fit.inertia, alone.inertia);
      assert.deepEqual(fit.centroids.data, alone.centroids.data);
    }
    assert.equal(sample.restarts.size, 1);
    // Another seed has its own sample.
    fitKMeans(big, { k: 4, seed: 6, memo });
    assert.equal(memo.samples?.size, 2);
    // The chain up to k = 4 fits references at 2 and 3; the one at 4 is the view's best restart.
    const numbered = referenceCentres(big, 4, new Map(), { seed: 5, nInit: N_INIT, memo });
    assert.equal(sample.restarts.size, 3);
    assert.equal(numbered.rows, 4);
  });

  it('rejects k below 2 and k of at least the number of rows', () => {
    assert.throws(() => fitKMeans(x, { k: 1, seed: 1 }), InputError);
    assert.throws(() => fitKMeans(x, { k: 240, seed: 1 }), /needs at least 241 customers/);
  });
});

describe('mini-batch k-means', () => {
  it('lands within a few percent of full k-means inertia', () => {
    const { x } = blobs(CENTRES, 500, 1, 5);
    const full = fitKMeans(x, { k: 4, seed: 1 });
    const mini = fitMiniBatch(x, { k: 4, seed: 1, batchSize: 256, maxIterations: 50 });
    assert.ok(mini.inertia <= full.inertia * 1.05, `${mini.inertia} vs ${full.inertia}`);
  });

  it('stops when the smoothed batch inertia no longer improves, as scikit-learn does, unless told to run every batch', () => {
    const { x } = blobs(CENTRES, 2000, 0.5, 3);
    const cap = 5000;
    const early = fitMiniBatch(x, { k: 4, seed: 2, batchSize: 100, maxIterations: cap });
    assert.ok(early.iterations! >= 11 && early.iterations! < cap, `${early.iterations} batches`);
    assert.match(early.notes![0], new RegExp(`^Mini-batch k-means: ${early.iterations} batches of 100 customers \\(stopped when 10 in a row`));
    const every = fitMiniBatch(x, { k: 4, seed: 2, batchSize: 100, maxIterations: 300, stopEarly: false });
    assert.equal(every.iterations, 300);
    assert.match(every.notes![0], /300 batches of 100 customers \(the most allowed\)/);
  });

  it('gathers the rows drawn, sixteen at a time and the rest one by one, as a copy row by row', () => {
    const cols = 3;
    const data = Float64Array.from({ length: 40 * cols }, (_, i) => i * 1.5);
    for (let n = 0; n <= 35; n++) {
      const from = Float64Array.from({ length: n }, (_, b) => ((b * 17 + n) % 40) * cols);
      const to = new Float64Array(n * cols);
      gatherRows(data, cols, from, n, to);
      const expected = Array.from(from).flatMap((f) => Array.from(data.subarray(f, f + cols)));
      assert.deepEqual(Array.from(to), expected, `${n} rows`);
    }
  });

  it('starts from the centres given and moves each to the mean of the rows it was given', () => {
    // Every row of a cluster is the same point, so whichever rows a batch draws, the centre
    // lands on that point exactly.
    const x = fromRows([[1, 1], [1, 1], [1, 1], [5, 7], [5, 7], [5, 7]]);
    const fit = fitMiniBatch(x, { k: 2, seed: 5, batchSize: 6, maxIterations: 3, stopEarly: false, initialCentroids: fromRows([[0, 0], [6, 6]]) });
    assert.deepEqual(toRows(fit.centroids), [[1, 1], [5, 7]]);
    assert.deepEqual(Array.from(fit.labels), [0, 0, 0, 1, 1, 1]);
    assert.match(fit.notes![0], /from the centres given/);
  });
});

describe('agglomerative (Ward)', () => {
  it('cuts the same clusters as ml-hclust ward2, the library reference', () => {
    const { x } = blobs([[0, 0], [4, 1], [1, 5]], 25, 1.2, 9);
    const tree = agnes(toRows(x), { method: 'ward2' });
    const reference = new Int32Array(x.rows);
    tree.group(3).children.forEach((cluster, c) => cluster.indices().forEach((i) => (reference[i] = c)));
    const ours = cutMerges(x.rows, wardMerges(x), 3);
    assert.equal(adjustedRandIndex(ours, reference), 1);
  });

  it('merges at the heights of the Lance-Williams distance matrix, duplicate rows included', () => {
    // The textbook algorithm: merge the closest pair, update the squared distances by
    // Lance-Williams for Ward; the chain on cluster means must give the same heights.
    const naiveHeights = (rows: number[][]): number[] => {
      const n = rows.length;
      const dist = rows.map((a) => rows.map((b) => a.reduce((s, v, c) => s + (v - b[c]) ** 2, 0)));
      const size = new Array<number>(n).fill(1);
      const alive = new Set(rows.map((_, i) => i));
      const heights: number[] = [];
      while (alive.size > 1) {
        let best = Infinity;
        let pair = [-1, -1];
        for (const i of alive) for (const j of alive) if (i < j && dist[i][j] < best) [best, pair] = [dist[i][j], [i, j]];
        const [a, b] = pair;
        heights.push(best);
        for (const k of alive) {
          if (k === a || k === b) continue;
          const merged = ((size[a] + size[k]) * dist[a][k] + (size[b] + size[k]) * dist[b][k] - size[k] * best) / (size[a] + size[b] + size[k]);
          dist[b][k] = dist[k][b] = merged;
        }
        size[b] += size[a];
        alive.delete(a);
      }
      return heights.sort((p, q) => p - q);
    };
    const { x } = blobs([[0, 0, 0], [3, 1, 2], [1, 4, 0]], 20, 1, 13);
    const rows = toRows(x);
    rows.push([...rows[0]], [...rows[0]], [...rows[5]]);
    const ours = wardMerges(fromRows(rows)).map((m) => m.height);
    const naive = naiveHeights(rows);
    assert.equal(ours.length, rows.length - 1);
    ours.forEach((h, i) => assert.ok(Math.abs(h - naive[i]) <= 1e-9 * Math.max(1, naive[i]), `merge ${i}: ${h} vs ${naive[i]}`));
  });

  it('fits a seeded sample above the size limit and says so', () => {
    const { x, truth } = blobs(CENTRES, 100, 0.7, 2);
    const fit = fitAgglomerative(x, { k: 4, seed: 1, maxRows: 120 });
    assert.equal(fit.labels.length, 400);
    assert.match(fit.notes[0], /sample of 120 of 400/);
    assert.ok(adjustedRandIndex(fit.labels, truth) > 0.95);
  });
});

describe('DBSCAN', () => {
  it('agrees with density-clustering, the library reference, and marks noise -1', () => {
    const { x } = blobs([[0, 0], [5, 5]], 40, 0.5, 4);
    const fit = fitDbscan(x, { eps: 0.6, minPts: 4 });
    // density-clustering counts neighbours strictly inside eps; scikit-learn's rule is <= eps.
    const reference = new DensityClustering.DBSCAN().run(toRows(x), 0.6 + 1e-12, 4);
    const refLabels = new Int32Array(x.rows).fill(-1);
    reference.forEach((members: number[], c: number) => members.forEach((i) => (refLabels[i] = c)));
    assert.equal(fit.k, reference.length);
    assert.equal(adjustedRandIndex(fit.labels, refLabels), 1);
  });

  it('predicts the cluster of a nearby point and noise far away', () => {
    const { x } = blobs([[0, 0], [5, 5]], 40, 0.5, 4);
    const fit = fitDbscan(x, { eps: 0.6, minPts: 4 });
    assert.equal(predictDbscan([5, 5], fit.corePoints, fit.coreLabels, 0.6), fit.labels[40]);
    assert.equal(predictDbscan([50, -50], fit.corePoints, fit.coreLabels, 0.6), -1);
  });

  it('suggests a positive eps from the k-distance curve', () => {
    const { x } = blobs([[0, 0], [5, 5]], 40, 0.5, 4);
    const { eps, curve } = suggestEps(x, 4);
    assert.ok(eps > 0 && eps < 5);
    assert.equal(curve.length, 80);
  });

  it('rejects eps <= 0 and minPts below 1', () => {
    const { x } = blobs([[0, 0]], 10, 1);
    assert.throws(() => fitDbscan(x, { eps: 0, minPts: 3 }), /eps must be a positive number/);
    assert.throws(() => fitDbscan(x, { eps: -1, minPts: 3 }), InputError);
    assert.throws(() => fitDbscan(x, { eps: 1, minPts: 0 }), /minPts/);
  });
});
