import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nearestTwo } from '../../../server/analysis/cluster/assign.ts';
import { kmeansPlusPlus } from '../../../server/analysis/cluster/init.ts';
import { clusterSums, ownDistances } from '../../../server/analysis/kernels/cluster-sums.ts';
import { meansAndCrossProducts } from '../../../server/analysis/kernels/covariance.ts';
import { mixtureKernel } from '../../../server/analysis/kernels/mixture.ts';
import { nearestCentres } from '../../../server/analysis/kernels/nearest.ts';
import { clusterDistanceSums } from '../../../server/analysis/kernels/silhouette.ts';
import { createMatrix, squaredDistance, type Matrix } from '../../../server/analysis/matrix.ts';
import { createRng } from '../../../server/analysis/random.ts';
import { compileKernel, kernelModuleSource } from '../../../scripts/build-kernels.mjs';

const KERNELS = 'server/analysis/kernels';

/** Rows, columns, clusters (from minK) and a seed, as the property tests draw them. */
const shape = (maxRows: number, maxCols: number, maxK: number, minK = 1) =>
  [
    fc.integer({ min: 1, max: maxRows }),
    fc.integer({ min: 1, max: maxCols }),
    fc.integer({ min: minK, max: maxK }),
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  ] as const;

/** Each cluster's row sums and count by the scalar loop (rows in order; labels below 0 left out). */
function scalarClusterSums(x: Matrix, labels: ArrayLike<number>, k: number): { sums: Float64Array; counts: Float64Array } {
  const sums = new Float64Array(k * x.cols);
  const counts = new Float64Array(k);
  for (let i = 0; i < x.rows; i++) {
    const l = labels[i];
    if (l < 0) continue;
    counts[l]++;
    for (let j = 0; j < x.cols; j++) sums[l * x.cols + j] += x.data[i * x.cols + j];
  }
  return { sums, counts };
}

/**
 * A rows x cols matrix of seeded values: whole numbers 0..3 with `ties` (equal distances and
 * duplicate rows, where a changed sum would show), otherwise spread over -5..15.
 */
function randomMatrix(rng: () => number, rows: number, cols: number, ties = false): Matrix {
  const x = createMatrix(rows, cols);
  for (let i = 0; i < x.data.length; i++) x.data[i] = ties ? Math.floor(rng() * 4) : rng() * 20 - 5;
  return x;
}

/** Greedy k-means++ with every distance in scalar JavaScript: what the seeding kernel replaced. */
function scalarSeeding(x: Matrix, k: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const trials = 2 + Math.floor(Math.log(k));
  const pick = (weights: Float64Array, total: number, r: number) => {
    let target = r * total;
    for (let i = 0; i < weights.length; i++) if ((target -= weights[i]) <= 0) return i;
    return weights.length - 1;
  };
  const chosen = [Math.floor(rng() * x.rows)];
  let closest = Float64Array.from({ length: x.rows }, (_, i) => squaredDistance(x, i, x, chosen[0]));
  let potential = closest.reduce((a, v) => a + v, 0);
  for (let c = 1; c < k; c++) {
    let best = { candidate: 0, potential: Infinity, distances: closest };
    for (let t = 0; t < trials; t++) {
      const candidate = potential > 0 ? pick(closest, potential, rng()) : Math.floor(rng() * x.rows);
      const distances = closest.map((d, i) => Math.min(d, squaredDistance(x, i, x, candidate)));
      const total = distances.reduce((a, v) => a + v, 0);
      if (total < best.potential) best = { candidate, potential: total, distances };
    }
    chosen.push(best.candidate);
    [closest, potential] = [best.distances, best.potential];
  }
  return Float64Array.from(chosen.flatMap((row) => Array.from(x.data.subarray(row * x.cols, (row + 1) * x.cols))));
}

describe('WebAssembly kernels', () => {
  it('are committed as compiled from their .wat source', async () => {
    const sources = readdirSync(KERNELS).filter((f) => f.endsWith('.wat'));
    assert.ok(sources.length > 0);
    for (const file of sources) {
      const name = file.slice(0, -4);
      const compiled = kernelModuleSource(name, await compileKernel(join(KERNELS, file)));
      assert.equal(readFileSync(join(KERNELS, `${name}-wasm.ts`), 'utf8'), compiled, `${name}-wasm.ts is stale: run npm run build:kernels`);
    }
  });

  it('sum the distances from every row to every cluster, for any shape', () => {
    fc.assert(
      fc.property(
        ...shape(120, 13, 20),
        (n, cols, k, seed) => {
          const next = createRng(seed);
          const x = randomMatrix(next, n, cols);
          // Clusters of any size, some empty, one row each at least sometimes.
          const labels = Int32Array.from({ length: n }, () => Math.floor(next() ** 2 * k));
          const start = new Int32Array(k + 1);
          for (const l of labels) start[l + 1]++;
          for (let l = 0; l < k; l++) start[l + 1] += start[l];
          const fill = start.slice(0, k);
          const order = new Int32Array(n);
          labels.forEach((l, i) => (order[fill[l]++] = i));
          const sums = clusterDistanceSums(x, order, start);
          for (let g = 0; g < n; g++) {
            for (let l = 0; l < k; l++) {
              let expected = 0;
              for (let h = start[l]; h < start[l + 1]; h++) {
                let d = 0;
                for (let c = 0; c < cols; c++) d += (x.data[order[g] * cols + c] - x.data[order[h] * cols + c]) ** 2;
                expected += Math.sqrt(d);
              }
              assert.ok(Math.abs(sums[l * n + g] - expected) <= 1e-9 * Math.max(1, expected), `row ${g} to cluster ${l}: ${sums[l * n + g]} vs ${expected}`);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('seed k-means++ with the same centres as the scalar loop, to the bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 400 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.boolean(),
        (n, cols, k, seed, ties) => {
          const x = randomMatrix(createRng(seed), n, cols, ties);
          assert.deepEqual(kmeansPlusPlus(x, Math.min(k, n), seed).data, scalarSeeding(x, Math.min(k, n), seed));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('find every row\'s nearest and second-nearest centre as the scalar nearestTwo, to the bit, across chunks', () => {
    fc.assert(
      fc.property(
        ...shape(9000, 12, 20),
        fc.boolean(),
        (rows, cols, k, seed, ties) => {
          const rng = createRng(seed);
          const x = randomMatrix(rng, rows, cols, ties);
          const centres = randomMatrix(rng, k, cols, ties);
          const out = {
            labels: new Int32Array(rows),
            best: new Float64Array(rows),
            second: new Float64Array(rows),
            sums: new Float64Array(k * cols).fill(99),
            counts: new Float64Array(k).fill(99),
          };
          const inertia = nearestCentres(x, centres, out);
          const near = { index: 0, best: 0, second: 0 };
          let total = 0;
          for (let i = 0; i < rows; i++) {
            nearestTwo(x.data, i * cols, centres.data, k, cols, near);
            total += near.best;
            assert.equal(out.labels[i], near.index, `row ${i}`);
            assert.ok(Object.is(out.best[i], near.best) && Object.is(out.second[i], near.second), `row ${i} distances`);
          }
          assert.ok(Object.is(inertia, total));
          // Lloyd's next centres, summed as the scalar loop did: rows in order into their label's sums.
          assert.deepEqual({ sums: out.sums, counts: out.counts }, scalarClusterSums(x, out.labels, k));
          // Hamerly's bounds: the same distances as roots, the sum returned still squared.
          const rooted = { labels: new Int32Array(rows), best: new Float64Array(rows), second: new Float64Array(rows), roots: true };
          assert.ok(Object.is(nearestCentres(x, centres, rooted), total));
          assert.deepEqual(rooted.best, out.best.map(Math.sqrt));
          assert.deepEqual(rooted.second, out.second.map(Math.sqrt));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('sum each cluster\'s rows and distances to its centre as the scalar loops, to the bit, across chunks, noise left out', () => {
    fc.assert(
      fc.property(
        ...shape(9000, 12, 20),
        (rows, cols, k, seed) => {
          const rng = createRng(seed);
          const x = randomMatrix(rng, rows, cols);
          const labels = Int32Array.from({ length: rows }, () => (rng() < 0.1 ? -1 : Math.floor(rng() * k)));
          const centres = randomMatrix(rng, k, cols);
          const scatter = new Float64Array(k);
          let within = 0;
          for (let i = 0; i < rows; i++) {
            if (labels[i] < 0) continue;
            const d2 = squaredDistance(x, i, centres, labels[i]);
            within += d2;
            scatter[labels[i]] += Math.sqrt(d2);
          }
          assert.deepEqual(clusterSums(x, labels, k), scalarClusterSums(x, labels, k));
          const distances = ownDistances(x, labels, centres);
          assert.ok(Object.is(distances.within, within));
          assert.deepEqual(distances.scatter, scatter);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('take a mixture\'s log densities and weighted moments as the scalar loops, to the bit', () => {
    fc.assert(
      fc.property(
        ...shape(3000, 12, 21),
        (rows, cols, k, seed) => {
          const rng = createRng(seed);
          const x = randomMatrix(rng, rows, cols);
          const kernel = mixtureKernel(x, k);
          const { kp } = kernel;
          for (let p = 0; p < cols * kp; p++) {
            kernel.means[p] = rng() * 20 - 5;
            kernel.inverse[p] = 0.01 + rng();
          }
          for (let c = 0; c < kp; c++) kernel.logNorm[c] = -rng() * 30;
          kernel.logDensities();
          for (let i = 0; i < rows; i++) {
            for (let c = 0; c < k; c++) {
              let s = 0;
              for (let j = 0; j < cols; j++) {
                const diff = x.data[i * cols + j] - kernel.means[j * kp + c];
                s += diff * diff * kernel.inverse[j * kp + c];
              }
              assert.ok(Object.is(kernel.resp[i * kp + c], kernel.logNorm[c] - 0.5 * s), `row ${i}, segment ${c}`);
            }
          }
          // Responsibilities, the padding segment's 0, some exactly 0 as a hard start has them.
          for (let i = 0; i < rows; i++) for (let c = 0; c < kp; c++) kernel.resp[i * kp + c] = c < k && rng() < 0.8 ? rng() : 0;
          kernel.moments();
          const weights = new Float64Array(kp);
          const sums = new Float64Array(cols * kp);
          const squares = new Float64Array(cols * kp);
          for (let i = 0; i < rows; i++) {
            for (let c = 0; c < k; c++) {
              const r = kernel.resp[i * kp + c];
              if (r === 0) continue;
              weights[c] += r;
              for (let j = 0; j < cols; j++) {
                const v = x.data[i * cols + j];
                sums[j * kp + c] += r * v;
                squares[j * kp + c] += r * v * v;
              }
            }
          }
          assert.deepEqual(kernel.weights, weights);
          assert.deepEqual(kernel.sums, sums);
          assert.deepEqual(kernel.squares, squares);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('sum a PCA\'s means and centred cross-products as the scalar loops, to the bit, across chunks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (rows, cols, seed) => {
        const x = randomMatrix(createRng(seed), rows, cols);
        const mean = new Array<number>(cols).fill(0);
        for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c] += x.data[i * cols + c] / rows;
        const cross = new Float64Array(cols * cols);
        for (let i = 0; i < rows; i++) {
          for (let a = 0; a < cols; a++) for (let b = a; b < cols; b++) cross[a * cols + b] += (x.data[i * cols + a] - mean[a]) * (x.data[i * cols + b] - mean[b]);
        }
        const ours = meansAndCrossProducts(x);
        assert.deepEqual(Array.from(ours.mean), mean);
        assert.deepEqual(ours.cross, cross);
      }),
      { numRuns: 40 },
    );
  });
});
