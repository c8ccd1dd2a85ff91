/** Mini-batch k-means (Sculley 2010): per-centre learning rates from running counts. */
import { selectRows, type Matrix } from '../matrix.ts';
import { checkpoint } from '../progress.ts';
import { createRng, sampleIndices } from '../random.ts';
import { assignNearest } from './assign.ts';
import { kmeansPlusPlus } from './init.ts';
import { validateK, type KMeansFit } from './kmeans.ts';

export interface MiniBatchOptions {
  k: number;
  seed: number;
  batchSize?: number;
  maxIterations?: number;
  /** Restarts; each is scored by inertia on the full data. */
  nInit?: number;
}

const DEFAULTS = { batchSize: 1024, maxIterations: 100, nInit: 3 };
/** k-means++ runs on a sample this size at most, as scikit-learn's init_size does. */
const INIT_SAMPLE = 3 * 1024;

function runOnce(x: Matrix, k: number, seed: number, batchSize: number, iterations: number): Matrix {
  const initRows = sampleIndices(x.rows, Math.max(INIT_SAMPLE, 3 * k), seed);
  const centers = kmeansPlusPlus(selectRows(x, initRows), k, seed);
  const counts = new Float64Array(k);
  const rng = createRng(seed ^ 0x5bd1e995);
  const cols = x.cols;
  const batch = Math.min(batchSize, x.rows);
  // Locals for the hot loop: property reads per element cost more than the arithmetic.
  const data = x.data;
  const c = centers.data;
  const rows = x.rows;
  for (let it = 0; it < iterations; it++) {
    if (it % 16 === 0) checkpoint();
    for (let b = 0; b < batch; b++) {
      const base = Math.floor(rng() * rows) * cols;
      let best = Infinity;
      let bestK = 0;
      for (let ci = 0, cb = 0; ci < k; ci++, cb += cols) {
        let d = 0;
        for (let j = 0; j < cols; j++) {
          const diff = data[base + j] - c[cb + j];
          d += diff * diff;
        }
        if (d < best) {
          best = d;
          bestK = ci;
        }
      }
      counts[bestK]++;
      const rate = 1 / counts[bestK];
      const p = bestK * cols;
      for (let j = 0; j < cols; j++) c[p + j] += rate * (data[base + j] - c[p + j]);
    }
  }
  return centers;
}

export function fitMiniBatch(x: Matrix, options: MiniBatchOptions): KMeansFit {
  const { k, seed } = options;
  const { batchSize, maxIterations, nInit } = { ...DEFAULTS, ...options };
  validateK(k, x.rows);
  let best: KMeansFit | undefined;
  for (let run = 0; run < nInit; run++) {
    const centroids = runOnce(x, k, seed + run, batchSize, maxIterations);
    const { labels, inertia } = assignNearest(x, centroids);
    if (!best || inertia < best.inertia) best = { labels, centroids, inertia, iterations: maxIterations, notes: [] };
  }
  best!.notes.push(`Mini-batch k-means: ${maxIterations} batches of ${Math.min(batchSize, x.rows)} customers, best of ${nInit} starts.`);
  return best!;
}
