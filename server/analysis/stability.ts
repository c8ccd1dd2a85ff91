/**
 * Stability: refit on bootstrap samples, label every row (a sample of rows on big data) with
 * each refit, and average the adjusted Rand index against the main labels. Near 1 the
 * segments are robust; near 0 they are an accident of this particular sample.
 */
import { fitAlgorithm, type AlgorithmOptions } from './cluster/index.ts';
import { stopPoint } from './progress.ts';
import { CancelledError } from '../errors.ts';
import { assignNearest } from './cluster/assign.ts';
import { predictDbscan } from './cluster/dbscan.ts';
import { selectRows, type Matrix } from './matrix.ts';
import { adjustedRandIndex } from './metrics.ts';
import { createRng, sampleIndices } from './random.ts';

export interface StabilityResult {
  meanAri: number;
  replicates: number;
  sampleSize: number;
}

export const STABILITY_REPLICATES = 5;
/** Each bootstrap draws at most this many rows, which keeps the check affordable on big data. */
export const STABILITY_MAX_SAMPLE = 2000;

/**
 * Above this many rows, agreement with the main labels is measured on a seeded sample of
 * this many rows: an estimate of the ARI over all of them that spares labelling a million
 * rows for every replicate (time, and 4 MB of labels each).
 */
export const STABILITY_SCORED_ROWS = 20_000;

export function bootstrapStability(
  data: Matrix,
  allLabels: Int32Array,
  options: AlgorithmOptions,
  scoredRows = STABILITY_SCORED_ROWS,
): StabilityResult {
  const scored = data.rows > scoredRows ? sampleIndices(data.rows, scoredRows, options.seed ^ 0x5c0ed) : undefined;
  const x = scored ? selectRows(data, scored) : data;
  const labels = scored ? Int32Array.from(scored, (i) => allLabels[i]) : allLabels;
  const sampleSize = Math.min(data.rows, STABILITY_MAX_SAMPLE);
  const rng = createRng(options.seed ^ 0x51ab1e);
  let total = 0;
  let counted = 0;
  for (let rep = 0; rep < STABILITY_REPLICATES; rep++) {
    stopPoint();
    const picks = Int32Array.from({ length: sampleSize }, () => Math.floor(rng() * data.rows));
    const sample = selectRows(data, picks);
    let fit;
    try {
      // Fewer restarts per replicate: the check is about the data, not about polishing a fit.
      fit = fitAlgorithm(sample, { ...options, seed: options.seed + 1000 + rep, nInit: Math.min(options.nInit, 3), quick: true });
    } catch (error) {
      // A replicate that cannot be fitted (too few distinct rows) is skipped; a stop is not.
      if (error instanceof CancelledError) throw error;
      continue;
    }
    let replicateLabels: Int32Array;
    if (fit.dbscan) {
      const { corePoints, coreLabels } = fit.dbscan;
      replicateLabels = Int32Array.from({ length: x.rows }, (_, i) =>
        predictDbscan(x.data.subarray(i * x.cols, (i + 1) * x.cols), corePoints, coreLabels, options.eps),
      );
    } else {
      replicateLabels = assignNearest(x, fit.centroids).labels;
    }
    total += adjustedRandIndex(labels, replicateLabels);
    counted++;
  }
  // ARI can dip below zero for chance-level agreement; the dashboard reports 0..1.
  return { meanAri: counted ? Math.max(0, total / counted) : Number.NaN, replicates: counted, sampleSize };
}
