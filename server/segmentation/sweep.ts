/** Metrics over a range of k, and a recommended k with the rule that chose it. */
import { formatCount, formatPercent } from '../format.ts';
import { InputError } from '../errors.ts';
import { finishingK, stopPoint } from '../analysis/progress.ts';
import { cutMerges, wardMerges } from '../analysis/cluster/agglomerative.ts';
import { assignNearest, clusterMeans } from '../analysis/cluster/assign.ts';
import { fitKMeans, type FitMemo } from '../analysis/cluster/kmeans.ts';
import { fitMiniBatch } from '../analysis/cluster/minibatch.ts';
import { checkGmmWork, fitGmm } from '../analysis/cluster/gmm.ts';
import type { Algorithm, ClusterFit } from '../analysis/cluster/types.ts';
import { selectRows, type Matrix } from '../analysis/matrix.ts';
import {
  computeMetrics,
  SILHOUETTE_EXACT_LIMIT,
  SILHOUETTE_SAMPLE,
  type ClusterMetrics,
  type SilhouetteSource,
} from '../analysis/metrics.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import {
  candidateKs,
  eligibleRows,
  kScores,
  LARGEST_SHARE,
  USUAL_K,
  votesAmong,
  type KScores,
  type KVotes,
  type SweepRow,
} from './votes.ts';

export type { SweepRow } from './votes.ts';
import { sampleIndices } from '../analysis/random.ts';

export interface SweepResult {
  algorithm: Algorithm;
  recommendedK: number;
  /** k at the elbow of the inertia curve (kneedle). */
  elbowK: number;
  rule: string;
  rows: SweepRow[];
  /** The k each index prefers among the k the rule may pick (votes.ts). */
  votes: KVotes;
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
  /** The k on screen when the curves were asked for: its neighbours are scored first (sweepOrder). */
  shownK?: number | null;
  /** What k-means fits on x share with the view's and the lineage's (kmeans.ts). */
  memo?: FitMemo;
}

/**
 * The order the sweep scores k in: outward from the k on screen (k + 1, k − 1, k + 2, ...),
 * that k itself last, because what a person does first is move the slider one step, and a
 * swept k is shown at once; without a shown k in range, upward. The curves are the same in
 * any order.
 */
export function sweepOrder(kMin: number, kMax: number, shownK?: number | null): number[] {
  const all = Array.from({ length: kMax - kMin + 1 }, (_, i) => kMin + i);
  if (shownK == null || shownK < kMin || shownK > kMax) return all;
  const order: number[] = [];
  for (let step = 1; order.length < all.length - 1; step++) {
    if (shownK + step <= kMax) order.push(shownK + step);
    if (shownK - step >= kMin) order.push(shownK - step);
  }
  return [...order, shownK];
}

/**
 * The curves' silhouettes are exact up to this many rows, and above it estimated on one
 * seeded sample of this many for every k (standard error about 0.01, and the same rows for
 * each k, so the curve's shape is steadier than that). The shown k's silhouette in the
 * metrics is computed apart, exact up to SILHOUETTE_EXACT_LIMIT rows; above that the
 * curves use the shown k's own sample of SILHOUETTE_SAMPLE rows.
 */
export const SWEEP_SILHOUETTE_ROWS = 1000;

/** k whose silhouette is within this of the best are treated as ties. */
export const SILHOUETTE_TIE = 0.02;
/**
 * The smallest segment the recommended k may have, as a share of the customers. The
 * silhouette rewards splitting off a handful of outliers (six bulk buyers in the sample),
 * and nobody runs a campaign for six people.
 */
export const DEFAULT_MIN_SHARE = DEFAULT_OPTIONS.minShare;
/** Two segments are the answer only when they are this clearly apart (mean silhouette). */
export const CLEAR_TWO_GROUPS = 0.5;

export function recommendationRule(minShare: number): string {
  return (
    `the k most quality checks agree on (silhouette, Calinski-Harabasz, Davies-Bouldin, gap statistic, stability and the elbow of the ` +
    `inertia curve), ` +
    `between ${USUAL_K[0]} and ${USUAL_K[1]} segments unless the data splits clearly in two, and with every segment holding ` +
    `${formatPercent(minShare, minShare < 0.01 ? 1 : 0)} to ${formatPercent(LARGEST_SHARE, 0)} of the customers`
  );
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

/**
 * The default k, where the indices agree. Two segments when the data clearly has two groups
 * (k = 2's silhouette at least CLEAR_TWO_GROUPS and ahead of every other k's by more than a
 * tie); otherwise each index votes among the eligible k in USUAL_K (all eligible k when none
 * lies there), the elbow votes for the candidate nearest it, and the most votes win, ties
 * going to the higher silhouette.
 */
export function recommendK(
  rows: SweepRow[],
  scores: KScores,
  minShare = DEFAULT_MIN_SHARE,
): { recommendedK: number; elbowK: number; votes: KVotes } {
  const elbowK = kneedleElbow(
    rows.map((r) => r.k),
    rows.map((r) => r.inertia),
  );
  const scored = rows.filter((r) => Number.isFinite(r.silhouette));
  const candidates = candidateKs(scored.length > 0 ? scored : rows, minShare);
  const votes = votesAmong(rows, scores, candidates);
  if (scored.length === 0) return { recommendedK: elbowK, elbowK, votes };
  const two = eligibleRows(scored, minShare).find((r) => r.k === 2);
  const others = scored.filter((r) => r.k !== 2).map((r) => r.silhouette);
  if (two && two.silhouette >= CLEAR_TWO_GROUPS && two.silhouette > Math.max(-1, ...others) + SILHOUETTE_TIE)
    return { recommendedK: 2, elbowK, votes };
  const nearestElbow = candidates.reduce((a, k) => (Math.abs(k - elbowK) < Math.abs(a - elbowK) ? k : a));
  const tally = new Map<number, number>();
  for (const k of [...Object.values(votes), nearestElbow]) tally.set(k, (tally.get(k) ?? 0) + 1);
  const silhouetteOf = new Map(scored.map((r) => [r.k, r.silhouette]));
  const [recommendedK] = [...tally].sort((a, b) => b[1] - a[1] || silhouetteOf.get(b[0])! - silhouetteOf.get(a[0])!)[0];
  return { recommendedK, elbowK, votes };
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

/**
 * The curves over k. `onFit` is given each k's fit as it is made; `known` gives back the fits
 * an interrupted run of the same sweep made (the same fits and scores), so that a sweep
 * stopped for other work and run again goes on from where it was instead of starting over.
 */
export function sweepK(
  x: Matrix,
  options: SweepOptions,
  onFit?: (k: number, fit: SweepFit) => void,
  known?: (k: number) => SweepFit | undefined,
): SweepResult {
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
    const maxRows = options.agglomerativeMaxRows ?? DEFAULT_OPTIONS.agglomerativeMaxRows;
    if (x.rows <= maxRows) {
      const merges = wardMerges(x);
      wardCut = (k) => cutMerges(x.rows, merges, k);
    } else {
      const sample = selectRows(x, sampleIndices(x.rows, maxRows, options.seed));
      const merges = wardMerges(sample);
      wardCut = (k) => assignNearest(x, clusterMeans(sample, cutMerges(sample.rows, merges, k), k)).labels;
      notes.push(`Ward curves come from a sample of ${formatCount(maxRows)} customers.`);
    }
  }
  let silhouetteFrom: SilhouetteSource | undefined;
  if (x.rows > SILHOUETTE_EXACT_LIMIT) {
    // The fit's own silhouette is sampled here too: the curves use its very sample (a
    // request for a swept k then reuses the sweep's scores as they are).
    notes.push(
      `Silhouettes are estimated on a random sample of ${formatCount(SILHOUETTE_SAMPLE)} customers (standard error about 0.005), the ` +
        `same sample for every k.`,
    );
  } else if (x.rows > SWEEP_SILHOUETTE_ROWS) {
    const rows = sampleIndices(x.rows, SWEEP_SILHOUETTE_ROWS, options.seed);
    silhouetteFrom = { sample: selectRows(x, rows), rows };
    notes.push(
      `Silhouettes on the curves are estimated on the same random sample of ${formatCount(SWEEP_SILHOUETTE_ROWS)} customers for every ` +
        `k (standard error about 0.01); the shown k's silhouette above is computed on every customer.`,
    );
  }
  if (algorithm === 'gmm')
    checkGmmWork(
      x,
      options.nInit,
      Array.from({ length: kMax - options.kMin + 1 }, (_, i) => options.kMin + i),
    );
  const rows: SweepRow[] = [];
  const order = sweepOrder(options.kMin, kMax, options.shownK);
  const scoreK = (k: number): SweepRow => {
    let labels: Int32Array;
    let fit: ClusterFit | undefined;
    let bic: number | undefined;
    const earlier = wardCut || algorithm === 'gmm' ? undefined : known?.(k);
    if (earlier) {
      fit = earlier.fit;
      labels = fit.labels;
    } else if (wardCut) labels = wardCut(k);
    else if (algorithm === 'gmm') {
      const mixture = fitGmm(x, { k, seed: options.seed, nInit: options.nInit });
      labels = mixture.labels;
      bic = mixture.bic;
    } else {
      fit =
        algorithm === 'minibatch'
          ? fitMiniBatch(x, { k, seed: options.seed, batchSize: options.batchSize, maxIterations: options.iterations })
          : fitKMeans(x, { k, seed: options.seed, nInit: options.nInit, memo: options.memo });
      labels = fit.labels;
    }
    const m = earlier?.metrics ?? computeMetrics(x, labels, options.seed, silhouetteFrom);
    if (fit && !earlier) onFit?.(k, { fit, metrics: m });
    return {
      k,
      inertia: m.inertia,
      silhouette: m.silhouette,
      daviesBouldin: m.daviesBouldin,
      calinskiHarabasz: m.calinskiHarabasz,
      ...segmentShares(labels, k),
      ...(bic === undefined ? {} : { bic }),
    };
  };
  for (const [done, k] of order.entries()) {
    stopPoint({ step: `scoring k = ${k}`, done, total: order.length });
    // A k-means or mini-batch fit comes back to a request for its k (prepared.ts): a request
    // for it waits for the rest of it rather than start it again. Ward cuts and mixtures do not.
    rows.push(wardCut || algorithm === 'gmm' ? scoreK(k) : finishingK(k, () => scoreK(k)));
  }
  rows.sort((a, b) => a.k - b.k);
  const minShare = options.minShare ?? DEFAULT_MIN_SHARE;
  stopPoint({ step: 'counting the votes for k' });
  const scores = kScores(x, rows, options.seed);
  return { algorithm, ...recommendK(rows, scores, minShare), rule: recommendationRule(minShare), rows, notes };
}

/** The smallest and largest segments' shares of the labelled rows. */
export function segmentShares(labels: Int32Array, k: number): { smallestShare: number; largestShare: number } {
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) counts[labels[i]]++;
  if (labels.length === 0) return { smallestShare: 0, largestShare: 0 };
  return { smallestShare: Math.min(...counts) / labels.length, largestShare: Math.max(...counts) / labels.length };
}

/** The smallest segment's share of the labelled rows. */
export function smallestShare(labels: Int32Array, k: number): number {
  return segmentShares(labels, k).smallestShare;
}
