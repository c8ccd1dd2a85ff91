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
  /** Initialisations tried; the one with the lowest inertia on a validation sample is run. */
  nInit?: number;
}

const DEFAULTS = { batchSize: 1024, maxIterations: 100, nInit: 3 };
/** k-means++ runs on a sample this size at most, as scikit-learn's init_size does. */
const INIT_SAMPLE = 3 * 1024;

function initialCentres(x: Matrix, k: number, seed: number): Matrix {
  return kmeansPlusPlus(selectRows(x, sampleIndices(x.rows, Math.max(INIT_SAMPLE, 3 * k), seed)), k, seed);
}

/** Sculley's online updates from `centers` (moved in place), one batch of random rows after another. */
function runBatches(x: Matrix, centers: Matrix, seed: number, batchSize: number, iterations: number): Matrix {
  const k = centers.rows;
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
  // As scikit-learn's MiniBatchKMeans: every initialisation is scored on one validation
  // sample and only the best is run, so the batches and the labelling of every row happen once.
  const validation = selectRows(x, sampleIndices(x.rows, Math.min(x.rows, INIT_SAMPLE), seed ^ 0x3c6ef372));
  let start: Matrix | undefined;
  let startInertia = Infinity;
  for (let run = 0; run < nInit; run++) {
    const centres = initialCentres(x, k, seed + run);
    const { inertia } = assignNearest(validation, centres);
    if (!start || inertia < startInertia) [start, startInertia] = [centres, inertia];
  }
  const centroids = runBatches(x, start!, seed, batchSize, maxIterations);
  const { labels, inertia } = assignNearest(x, centroids);
  const batch = Math.min(batchSize, x.rows);
  const notes = [`Mini-batch k-means: ${maxIterations} batches of ${batch} customers from the best of ${nInit} initialisations.`];
  return { labels, centroids, inertia, iterations: maxIterations, notes };
}
