/**
 * A table prepared for clustering under one set of preprocessing options, and the work on
 * it that every k reuses: the PCA axes, the sweep's fits with their scores, the labels of
 * recent fits (for the stability check that follows one), the columns' facts for profiles.
 * Kept by whoever runs the analysis (engine/tasks.ts), per dataset version and preprocessing.
 */
import { cacheKey, type CacheKey } from '../cache-key.ts';
import { formatCount } from '../format.ts';
import { fitAlgorithm } from '../analysis/cluster/index.ts';
import { fitMemo, type FitMemo } from '../analysis/cluster/kmeans.ts';
import type { ClusterFit } from '../analysis/cluster/types.ts';
import { selectRows, type Matrix } from '../analysis/matrix.ts';
import { computeMetrics, SILHOUETTE_EXACT_LIMIT, type ClusterMetrics } from '../analysis/metrics.ts';
import type { SegmentationOptions } from './options.ts';
import { fitPcaModel, type FittedPca } from '../analysis/pca.ts';
import { fitPreprocess, type PreprocessResult } from '../analysis/preprocess.ts';
import { stopPoint } from '../analysis/progress.ts';
import type { Lineage } from '../analysis/lineage.ts';
import { ColumnFacts } from './segment-columns.ts';
import { bootstrapStability, type StabilityResult } from '../analysis/stability.ts';
import { sweepK, type SweepResult } from './sweep.ts';
import type { DataTable } from '../analysis/table.ts';

export interface PreparedData {
  prep: PreprocessResult;
  /** Rows used for fitting (outliers excluded by the rule are not). */
  fitX: Matrix;
  /** Work that depends only on the matrix, done once and shared by every k. */
  reuse: {
    pca?: FittedPca;
    fits?: Map<string, KeptSweepFit>;
    fitLabels?: Map<string, KeptLabels>;
    facts?: ColumnFacts;
    lineages?: Map<string, Lineage>;
    /** What k-means fits on fitX share (its mean variance, their restarts): fitX never changes. */
    fitMemo?: FitMemo;
  };
}

/** The fit memo of a prepared matrix, made on first use. */
export function fitMemoOf(prepared: PreparedData): FitMemo {
  return (prepared.reuse.fitMemo ??= fitMemo(prepared.fitX));
}

/**
 * Above this many rows a sweep keeps each k's labels a byte each (k is at most 20), not as
 * Int32Array: 1 MB per k on a million customers instead of 4.
 */
export const SWEEP_LABELS_MAX_ROWS = 200_000;

/** A sweep's fit for one k with its scores (and stability once asked for), ready for a request for that k. */
export interface KeptSweepFit {
  fit: Omit<ClusterFit, 'labels'> & { labels?: Int32Array; byteLabels?: Uint8Array };
  metrics: ClusterMetrics;
  /** The scores as the sweep computed them (metrics may be made exact later): what its curves show. */
  readonly curveMetrics: ClusterMetrics;
  stability?: StabilityResult;
}

/** A swept fit's labels, whichever way it keeps them. */
export function sweptLabels(fit: KeptSweepFit['fit']): Int32Array {
  return fit.labels ?? Int32Array.from(fit.byteLabels!);
}

/** Labels kept for later, a byte each when they fit in one (no noise, under 256 segments). */
type KeptLabels = Int32Array | Uint8Array;

function compactLabels(labels: Int32Array): KeptLabels {
  for (let i = 0; i < labels.length; i++) if (labels[i] < 0 || labels[i] > 255) return labels;
  return Uint8Array.from(labels);
}

type FitKeyOptions = Pick<SegmentationOptions, 'algorithm' | 'seed' | 'nInit' | 'batchSize' | 'iterations'>;

/** The options that decide a k-means or mini-batch fit on a prepared matrix. */
function fitKey(o: FitKeyOptions, k: number): CacheKey {
  return cacheKey(o.algorithm, k, o.seed, o.nInit, o.batchSize, o.iterations);
}

/** The options that decide any fit on a prepared matrix, DBSCAN's included. */
function anyFitKey(o: FitKeyOptions & Pick<SegmentationOptions, 'minPts'>, k: number, eps: number): CacheKey {
  return cacheKey(fitKey(o, k), eps, o.minPts);
}

/** The fit labels segment() kept, for the stability check that may follow: a few fits' worth. */
const KEPT_FIT_LABELS = 4;

export function keepFitLabels(
  prepared: PreparedData,
  options: FitKeyOptions & Pick<SegmentationOptions, 'minPts'>,
  k: number,
  eps: number,
  labels: Int32Array,
): void {
  const key = anyFitKey(options, k, eps);
  const kept = (prepared.reuse.fitLabels ??= new Map());
  kept.delete(key);
  kept.set(key, compactLabels(labels));
  while (kept.size > KEPT_FIT_LABELS) kept.delete(kept.keys().next().value!);
}

/**
 * Bootstrap stability of the fit for these options: the sweep's when it made that fit,
 * otherwise refitted on resamples against the labels segment() kept (or a new fit). It is
 * the slowest score and no chart waits for it, so it is asked for on its own.
 */
export function stabilityOf(prepared: PreparedData, options: SegmentationOptions & { k: number; eps: number }): StabilityResult {
  const fromSweep = prepared.reuse.fits?.get(fitKey(options, options.k));
  if (fromSweep?.stability) return fromSweep.stability;
  const kept = prepared.reuse.fitLabels?.get(anyFitKey(options, options.k, options.eps));
  let labels: Int32Array | undefined = kept instanceof Uint8Array ? Int32Array.from(kept) : kept;
  if (!labels && fromSweep) labels = sweptLabels(fromSweep.fit);
  if (!labels) {
    stopPoint({ step: `fitting k = ${options.k}` });
    labels = fitAlgorithm(prepared.fitX, { ...options, memo: fitMemoOf(prepared) }).labels;
  }
  stopPoint({ step: 'checking stability' });
  const stability = bootstrapStability(prepared.fitX, labels, options);
  if (fromSweep) fromSweep.stability = stability;
  return stability;
}

/** PCA axes of the transformed matrix: the same for every k. */
export function pcaOf(prepared: PreparedData): FittedPca {
  prepared.reuse.pca ??= fitPcaModel(prepared.prep.matrix);
  return prepared.reuse.pca;
}

export function prepare(table: DataTable, options: SegmentationOptions): PreparedData {
  stopPoint({ step: `preparing ${formatCount(table.rowCount)} customers` });
  const prep = fitPreprocess(table, options);
  const excluded = prep.report.rowsExcluded > 0;
  const fitRows: number[] = [];
  if (excluded) prep.fitMask.forEach((m, i) => m && fitRows.push(i));
  return { prep, fitX: excluded ? selectRows(prep.matrix, fitRows) : prep.matrix, reuse: {} };
}

/**
 * The k sweep keeps each k's fit and scores: moving the k slider afterwards reuses them
 * instead of fitting again. Stability is not part of it (stabilityOf, asked for the shown k).
 */
export function runSweep(prepared: PreparedData, options: SegmentationOptions, keepLabelsUpTo = SWEEP_LABELS_MAX_ROWS): SweepResult {
  const fits = (prepared.reuse.fits ??= new Map());
  // Only k-means and mini-batch fits come back (DBSCAN sweeps with k-means; mixtures and
  // Ward are fitted again for the shown k).
  const algorithm = options.algorithm === 'minibatch' ? 'minibatch' : 'kmeans';
  const keyOf = (k: number) => fitKey({ ...options, algorithm }, k);
  return sweepK(
    prepared.fitX,
    { ...options, shownK: options.k, memo: fitMemoOf(prepared) },
    (k, { fit, metrics }) => {
      const kept = prepared.fitX.rows > keepLabelsUpTo ? { ...fit, labels: undefined, byteLabels: Uint8Array.from(fit.labels) } : fit;
      fits.set(keyOf(k), { fit: kept, metrics, curveMetrics: metrics });
    },
    (k) => {
      // Fits an earlier run of this sweep made before it was stopped (see WorkerPool: background work yields).
      const swept = fits.get(keyOf(k));
      return swept && { fit: { ...swept.fit, labels: sweptLabels(swept.fit) }, metrics: swept.curveMetrics };
    },
  );
}

/**
 * After a sweep, each of its fits' exact scores (the curves' silhouettes were sampled): run
 * when the worker is otherwise idle, so that moving the k slider later reuses them instead
 * of scoring the shown k again. Up to SILHOUETTE_EXACT_LIMIT rows; above it the fit's own
 * silhouette is sampled anyway.
 */
export function scoreSweepFits(prepared: PreparedData, seed: number): number {
  let scored = 0;
  if (prepared.fitX.rows > SILHOUETTE_EXACT_LIMIT) return scored;
  for (const swept of prepared.reuse.fits?.values() ?? []) {
    if (!swept.metrics.silhouetteSampled || !swept.fit.labels) continue;
    stopPoint();
    swept.metrics = computeMetrics(prepared.fitX, swept.fit.labels, seed);
    scored++;
  }
  return scored;
}

/** The sweep's fit for these options and k, when a sweep made it. */
export function sweptFit(prepared: PreparedData, options: FitKeyOptions, k: number): KeptSweepFit | undefined {
  return prepared.reuse.fits?.get(fitKey(options, k));
}

/** Facts about the prepared rows' columns that every k's profiles reuse. */
export function columnFactsOf(prepared: PreparedData): ColumnFacts {
  prepared.reuse.facts ??= new ColumnFacts(prepared.prep.rowIndex);
  return prepared.reuse.facts;
}
