/** The flat Hamerly kernel against ml-kmeans, the library reference: same fixed point. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kmeans as mlKmeans } from 'ml-kmeans';
import { assignNearest } from '../../../server/analysis/cluster/assign.ts';
import { kmeansPlusPlus } from '../../../server/analysis/cluster/init.ts';
import { lloyd, PLAIN_LLOYD_ROWS } from '../../../server/analysis/cluster/lloyd.ts';
import { createMatrix, fromRows, toRows, type Matrix } from '../../../server/analysis/matrix.ts';
import { createRng } from '../../../server/analysis/random.ts';
import { fitPreprocess } from '../../../server/analysis/preprocess.ts';
import { blobs } from '../helpers.ts';
import { loadReference, loadSharedTable, REFERENCE_FILES } from '../reference.ts';

function compare(x: Matrix, k: number, seed: number): void {
  const init = kmeansPlusPlus(x, k, seed);
  const ours = lloyd(x, init, { maxIterations: 1000, tolerance: 0 });
  const reference = mlKmeans(toRows(x), k, { initialization: toRows(init), maxIterations: 1000, tolerance: 0 });
  const referenceFinal = assignNearest(x, fromRows(reference.centroids));
  assert.deepEqual(Array.from(ours.labels), Array.from(referenceFinal.labels), `k=${k} seed=${seed}`);
  assert.ok(Math.abs(ours.inertia - referenceFinal.inertia) <= 1e-9 * referenceFinal.inertia, `${ours.inertia} vs ${referenceFinal.inertia}`);
}

describe('Hamerly Lloyd kernel', () => {
  for (const file of REFERENCE_FILES) {
    it(`reaches ml-kmeans's fixed point from the same starts on ${file}`, () => {
      const ref = loadReference(file);
      const x = fitPreprocess(loadSharedTable(ref.source), { features: ref.features, missing: 'mean', outliers: 'none', scaling: 'standard' }).matrix;
      for (let k = 2; k <= 10; k++) compare(x, k, k * 7);
    });
  }

  it('matches on larger random data with overlapping clusters', () => {
    const { x } = blobs([[0, 0, 0], [2, 1, 0], [0, 2, 1], [3, 3, 3], [1, 0, 3]], 400, 1.2, 8);
    for (const k of [3, 5, 8]) compare(x, k, 11);
  });

  it('stops early on the tolerance and reports its iterations', () => {
    const { x } = blobs([[0, 0], [5, 5]], 200, 1, 2);
    const loose = lloyd(x, kmeansPlusPlus(x, 2, 1), { maxIterations: 100, tolerance: 1e9 });
    assert.equal(loose.iterations, 1);
  });

  it(`keeps Hamerly's bounds above ${PLAIN_LLOYD_ROWS} rows: the same fixed point, and every label settled whichever way it stops`, () => {
    // The bounded path: the first pass's sums from the nearest kernel, the last centre move
    // added to the bounds in the settling pass (a stop on the tolerance), the inertia from the
    // centres' sums and the matrix's sum of squares.
    const { x } = blobs([[0, 0, 0], [2, 1, 0], [0, 2, 1], [3, 3, 3], [1, 0, 3]], Math.ceil((PLAIN_LLOYD_ROWS * 1.3) / 5), 1.2, 21);
    assert.ok(x.rows > PLAIN_LLOYD_ROWS);
    compare(x, 5, 3);
    for (const [maxIterations, tolerance] of [[300, 0], [300, 1e-3], [300, 1], [1, 0], [2, 0]]) {
      const fit = lloyd(x, kmeansPlusPlus(x, 6, 9), { maxIterations, tolerance });
      const nearest = assignNearest(x, fit.centroids);
      assert.deepEqual(fit.labels, nearest.labels, `${maxIterations} iterations, tolerance ${tolerance}`);
      // The inertia comes from the centres' sums there: the distances' sum to rounding.
      assert.ok(Math.abs(fit.inertia - nearest.inertia) <= 1e-12 * nearest.inertia + 1e-9, `${fit.inertia} vs ${nearest.inertia}`);
    }
  });

  it('labels every row with its nearest centre, as assignNearest, whichever way it stops', () => {
    // Stopping on the tolerance or the iteration cap leaves labels a step behind the centres;
    // the kernel settles them itself (no full pass after it), ties and duplicates included.
    for (let t = 0; t < 40; t++) {
      const rng = createRng(t + 1);
      const rows = 50 + Math.floor(rng() * 600);
      const cols = 1 + Math.floor(rng() * 6);
      const x = createMatrix(rows, cols);
      for (let i = 0; i < x.data.length; i++) x.data[i] = t % 2 ? Math.floor(rng() * 5) : rng() * 10;
      for (const [maxIterations, tolerance] of [[300, 0], [300, 1e-2], [300, 10], [1, 0], [2, 0]]) {
        const fit = lloyd(x, kmeansPlusPlus(x, 2 + (t % 8), t), { maxIterations, tolerance });
        const nearest = assignNearest(x, fit.centroids);
        assert.deepEqual(fit.labels, nearest.labels, `shape ${t}, ${maxIterations} iterations, tolerance ${tolerance}`);
        assert.equal(fit.inertia, nearest.inertia);
      }
    }
  });
});
