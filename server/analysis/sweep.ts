/** Metrics over a range of k, and a recommended k with the rule that chose it. */
import { InputError } from '../errors.ts';
import { checkpoint } from './progress.ts';
import { cutMerges, DEFAULT_AGGLOMERATIVE_MAX_ROWS, wardMerges } from './cluster/agglomerative.ts';
import { assignNearest, clusterMeans } from './cluster/assign.ts';
import { fitKMeans } from './cluster/kmeans.ts';
import { fitMiniBatch } from './cluster/minibatch.ts';
import type { Algorithm, ClusterFit } from './cluster/types.ts';
import { selectRows, type Matrix } from './matrix.ts';
import { computeMetrics, pairwiseDistances, type ClusterMetrics, type SilhouetteSource } from './metrics.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { sampleIndices } from './random.ts';

export interface SweepRow {
  k: number;
  inertia: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  /** Share of the customers in this k's smallest segment (0–1). */
  smallestShare: number;
}

export interface SweepResult {
  algorithm: Algorithm;
  recommendedK: number;
  /** k at the elbow of the inertia curve (kneedle). */
  elbowK: number;
  rule: string;
  rows: SweepRow[];
  notes: string[];
}

export interface SweepOptions {
  algorithm: Algorithm;
  kMin: number;
  kMax: number;
  seed: number;
  nInit: number;
  batchSize: number;
  iterations: number;
  agglomerativeMaxRows?: number;
  /** The smallest segment share the recommended k may have (DEFAULT_MIN_SHARE). */
  minShare?: number;
}

/** Up to this many rows (about 36 MB of distances) a sweep shares one distance matrix. */
export const SHARED_DISTANCE_LIMIT = 3000;

/** k whose silhouette is within this of the best are treated as ties. */
export const SILHOUETTE_TIE = 0.02;
/**
 * The smallest segment the recommended k may have, as a share of the customers. The
 * silhouette rewards splitting off a handful of outliers (six bulk buyers in the sample),
 * and nobody runs a campaign for six people.
 */
export const DEFAULT_MIN_SHARE = DEFAULT_OPTIONS.minShare;

export function recommendationRule(minShare: number): string {
  return `among the k whose smallest segment holds at least ${(minShare * 100).toFixed(minShare * 100 < 1 ? 1 : 0)}% of the customers (or, if none does, those with the largest smallest segment), the k with the highest mean silhouette; k within ${SILHOUETTE_TIE} of it count as ties, broken by the k nearest the elbow of the inertia curve (kneedle)`;
}

/** Kneedle on a decreasing convex curve: the point furthest below the chord from first to last. */
export function kneedleElbow(ks: number[], values: number[]): number {
  const first = values[0];
  const last = values[values.length - 1];
  let bestK = ks[0];
  let bestGap = -Infinity;
  ks.forEach((k, i) => {
    const xNorm = ks.length > 1 ? i / (ks.length - 1) : 0;
    const yNorm = first !== last ? (values[i] - last) / (first - last) : 0;
    const gap = 1 - xNorm - yNorm;
    if (gap > bestGap) {
      bestGap = gap;
      bestK = k;
    }
  });
  return bestK;
}

export function recommendK(rows: SweepRow[], minShare = DEFAULT_MIN_SHARE): { recommendedK: number; elbowK: number } {
  const elbowK = kneedleElbow(rows.map((r) => r.k), rows.map((r) => r.inertia));
  const scored = rows.filter((r) => Number.isFinite(r.silhouette));
  if (scored.length === 0) return { recommendedK: elbowK, elbowK };
  const largestSmallest = Math.max(...scored.map((r) => r.smallestShare));
  const valid = scored.filter((r) => r.smallestShare >= Math.min(minShare, largestSmallest));
  const best = Math.max(...valid.map((r) => r.silhouette));
  const ties = valid.filter((r) => r.silhouette >= best - SILHOUETTE_TIE);
  ties.sort((a, b) => Math.abs(a.k - elbowK) - Math.abs(b.k - elbowK) || b.silhouette - a.silhouette);
  return { recommendedK: ties[0].k, elbowK };
}

export function validateSweepRange(kMin: number, kMax: number, rows: number): void {
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMax < kMin) {
    throw new InputError(`The k range must be whole numbers with 2 <= from <= to; got ${kMin}..${kMax}.`, { field: 'kMin' });
  }
  if (kMin > rows - 1) throw new InputError(`A sweep from k = ${kMin} needs more than ${rows} customers.`, { field: 'kMin' });
}

/** A fit the sweep made, with its scores: a later request for that k reuses both. */
export interface SweepFit {
  fit: ClusterFit;
  metrics: ClusterMetrics;
}

export function sweepK(x: Matrix, options: SweepOptions, sharedDistances?: Float64Array, onFit?: (k: number, fit: SweepFit) => void): SweepResult {
  validateSweepRange(options.kMin, options.kMax, x.rows);
  const kMax = Math.min(options.kMax, x.rows - 1);
  const notes: string[] = [];
  let algorithm = options.algorithm;
  if (algorithm === 'dbscan') {
    notes.push('DBSCAN chooses its own number of segments; the curves over k use k-means.');
    algorithm = 'kmeans';
  }
  // Ward's dendrogram is built once and cut at every k.
  let wardCut: ((k: number) => Int32Array) | undefined;
  if (algorithm === 'agglomerative') {
    const maxRows = options.agglomerativeMaxRows ?? DEFAULT_AGGLOMERATIVE_MAX_ROWS;
    if (x.rows <= maxRows) {
      const merges = wardMerges(x);
      wardCut = (k) => cutMerges(x.rows, merges, k);
    } else {
      const sample = selectRows(x, sampleIndices(x.rows, maxRows, options.seed));
      const merges = wardMerges(sample);
      wardCut = (k) => assignNearest(x, clusterMeans(sample, cutMerges(sample.rows, merges, k), k)).labels;
      notes.push(`Ward curves come from a sample of ${maxRows.toLocaleString('en-US')} customers.`);
    }
  }
  // Small data: pairwise distances once, reused by every k's exact silhouette. Larger data:
  // every k's silhouette on the same seeded sample of rows.
  const distances = sharedDistances ?? (x.rows <= SHARED_DISTANCE_LIMIT ? pairwiseDistances(x) : undefined);
  let silhouetteFrom: SilhouetteSource;
  if (distances) silhouetteFrom = { distances };
  else {
    // Scored directly each k rather than from a stored distance matrix (36 MB at this size).
    const rows = sampleIndices(x.rows, SHARED_DISTANCE_LIMIT, options.seed);
    silhouetteFrom = { sample: selectRows(x, rows), rows };
    notes.push(`Silhouettes on the curves are estimated on a random sample of ${SHARED_DISTANCE_LIMIT.toLocaleString('en-US')} customers.`);
  }
  const rows: SweepRow[] = [];
  for (let k = options.kMin; k <= kMax; k++) {
    checkpoint({ step: `scoring k = ${k}`, done: k - options.kMin, total: kMax - options.kMin + 1 });
    let labels: Int32Array;
    let fit: ClusterFit | undefined;
    if (wardCut) labels = wardCut(k);
    else {
      fit = algorithm === 'minibatch'
        ? fitMiniBatch(x, { k, seed: options.seed, batchSize: options.batchSize, maxIterations: options.iterations })
        : fitKMeans(x, { k, seed: options.seed, nInit: options.nInit });
      labels = fit.labels;
    }
    const m = computeMetrics(x, labels, options.seed, silhouetteFrom);
    if (fit) onFit?.(k, { fit, metrics: m });
    rows.push({ k, inertia: m.inertia, silhouette: m.silhouette, daviesBouldin: m.daviesBouldin, calinskiHarabasz: m.calinskiHarabasz, smallestShare: smallestShare(labels, k) });
  }
  const minShare = options.minShare ?? DEFAULT_MIN_SHARE;
  return { algorithm, ...recommendK(rows, minShare), rule: recommendationRule(minShare), rows, notes };
}

/** The smallest segment's share of the labelled rows. */
export function smallestShare(labels: Int32Array, k: number): number {
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) counts[labels[i]]++;
  return labels.length > 0 ? Math.min(...counts) / labels.length : 0;
}
