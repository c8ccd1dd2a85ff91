/** The whole pipeline for one set of options: preprocess, cluster, score, project, profile. */
import { fitAlgorithm, type AlgorithmFit, type AlgorithmOptions } from './cluster/index.ts';
import { setNamed } from './named.ts';
import { checkpoint } from './progress.ts';
import { assignNearest } from './cluster/assign.ts';
import { gmmProbabilities, type GmmParameters } from './cluster/gmm.ts';
import { predictDbscan, suggestEps } from './cluster/dbscan.ts';
import { NOISE, type ClusterFit } from './cluster/types.ts';
import { createMatrix, selectRows, toRows, type Matrix } from './matrix.ts';
import { InputError } from '../errors.ts';
import { clusterSizes, computeMetrics, SILHOUETTE_EXACT_LIMIT, SILHOUETTE_SAMPLE, type ClusterMetrics } from './metrics.ts';
import type { SegmentationOptions } from './options.ts';
import { fitPcaModel, projectRows, type FittedPca } from './pca.ts';
import { dbscanCores, PIPELINE_FORMAT, predictTransformed, type FittedPipeline } from './predict.ts';
import { fitPreprocess, type PreprocessReport, type PreprocessResult } from './preprocess.ts';
import { inverseTransform, stepColumns, transformTableRow } from './transform.ts';
import { buildProfiles, type SegmentProfile } from './profile.ts';
import { ColumnFacts } from './segment-columns.ts';
import { scatterRows } from './scatter.ts';
import { bootstrapStability, type StabilityResult } from './stability.ts';
import { sweepK, type SweepResult } from './sweep.ts';
import type { DataTable } from './table.ts';

export interface PreparedData {
  prep: PreprocessResult;
  /** Rows used for fitting (outliers excluded by the rule are not). */
  fitX: Matrix;
  /** Work that depends only on the matrix, done once and shared by every k. */
  reuse: { pca?: FittedPca; fits?: Map<string, SweptFit>; fitLabels?: Map<string, KeptLabels>; facts?: ColumnFacts };
}

/**
 * Above this many rows a sweep keeps each k's labels a byte each (k is at most 20), not as
 * Int32Array: 1 MB per k on a million customers instead of 4.
 */
export const SWEEP_LABELS_MAX_ROWS = 200_000;

/** A sweep's fit for one k with its scores (and stability once asked for), ready for a request for that k. */
interface SweptFit {
  fit: Omit<ClusterFit, 'labels'> & { labels?: Int32Array; byteLabels?: Uint8Array };
  metrics: ClusterMetrics;
  stability?: StabilityResult;
}

/** A swept fit's labels, whichever way it keeps them. */
function sweptLabels(fit: SweptFit['fit']): Int32Array {
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
function fitKey(o: FitKeyOptions, k: number): string {
  return JSON.stringify([o.algorithm, k, o.seed, o.nInit, o.batchSize, o.iterations]);
}

/** The options that decide any fit on a prepared matrix, DBSCAN's included. */
function anyFitKey(o: FitKeyOptions & Pick<SegmentationOptions, 'minPts'>, k: number, eps: number): string {
  return `${fitKey(o, k)}|${eps}|${o.minPts}`;
}

/** The fit labels segment() kept, for the stability check that may follow: a few fits' worth. */
const KEPT_FIT_LABELS = 4;

function keepFitLabels(prepared: PreparedData, key: string, labels: Int32Array): void {
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
    checkpoint({ step: `fitting k = ${options.k}` });
    labels = fitAlgorithm(prepared.fitX, options).labels;
  }
  checkpoint({ step: 'checking stability' });
  const stability = bootstrapStability(prepared.fitX, labels, options);
  if (fromSweep) fromSweep.stability = stability;
  return stability;
}

/** PCA axes of the transformed matrix: the same for every k. */
export function pcaOf(prepared: PreparedData): FittedPca {
  prepared.reuse.pca ??= fitPcaModel(prepared.prep.matrix);
  return prepared.reuse.pca;
}

export interface Segment extends SegmentProfile {
  /** Centroid in original units: numeric features as values, categories as shares. */
  centroid: Record<string, number>;
}

/**
 * One segmentation, as the engine caches it and the views render it. Results are cached and
 * compared by identity (the engine's canonical copy, the clusters route's rendered HTML):
 * never change one, make a new one ({ ...result, labels }) as extendSegmentation does.
 */
export interface SegmentationResult {
  readonly options: SegmentationOptions & { k: number; eps: number };
  readonly k: number;
  readonly rowCount: number;
  /** Table row of each labelled row. */
  readonly rowIndex: Int32Array;
  readonly labels: Int32Array;
  /** What the scatter plot draws: labelled rows (indices into labels) and their x, y. */
  readonly scatter: { rows: Int32Array; points: Float64Array };
  readonly metrics: ClusterMetrics;
  readonly segments: Segment[];
  readonly noiseCount: number;
  /** The first two principal axes (points are projected for the scatter's rows only). */
  readonly pca: FittedPca;
  readonly featureNames: string[];
  readonly outputNames: string[];
  readonly report: PreprocessReport;
  readonly notes: string[];
  readonly pipeline: FittedPipeline;
}

export function prepare(table: DataTable, options: SegmentationOptions): PreparedData {
  checkpoint({ step: `preparing ${table.rowCount.toLocaleString('en-US')} customers` });
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
  return sweepK(prepared.fitX, options, (k, { fit, metrics }) => {
    const kept = prepared.fitX.rows > keepLabelsUpTo ? { ...fit, labels: undefined, byteLabels: Uint8Array.from(fit.labels) } : fit;
    fits.set(fitKey({ ...options, algorithm }, k), { fit: kept, metrics });
  });
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
    checkpoint();
    swept.metrics = computeMetrics(prepared.fitX, swept.fit.labels, seed);
    scored++;
  }
  return scored;
}

/** The scatter's sample of rows of x and their projections. */
function scatterOf(x: Matrix, labels: Int32Array, seed: number, pca: FittedPca): SegmentationResult['scatter'] {
  const rows = scatterRows(labels, seed);
  return { rows, points: projectRows(selectRows(x, rows), pca) };
}

/**
 * A fit with an empty segment is not what was asked (k = 3 on 60 identical customers gave
 * sizes 60, 0, 0 and a silhouette that means nothing): refused with what to change.
 */
function refuseEmptySegments(x: Matrix, labels: Int32Array, k: number): void {
  const sizes = clusterSizes(labels, k);
  if (sizes.every((s) => s > 0)) return;
  const distinct = new Set<string>();
  for (let i = 0; i < x.rows && distinct.size <= k; i++) distinct.add(x.data.subarray(i * x.cols, (i + 1) * x.cols).join(','));
  if (distinct.size < 2) {
    throw new InputError(`Every customer is the same in these features, so there are no segments to find (${k} were asked for); choose other features.`, { field: 'features' });
  }
  if (distinct.size < k) {
    throw new InputError(`Only ${distinct.size} different customers in these features, so ${k} segments cannot each hold someone; choose k at most ${distinct.size}, or add features.`, { field: 'k' });
  }
  throw new InputError(`The fit left ${sizes.filter((s) => s === 0).length} of ${k} segments empty; choose fewer segments or another seed.`, { field: 'k' });
}

/** values[old] placed at newId[old]: per-segment values following a renumbering (here, and retraining's). */
export function renumbered<T>(values: readonly T[], newId: ArrayLike<number>): T[] {
  const out = new Array<T>(values.length);
  values.forEach((v, old) => (out[newId[old]] = v));
  return out;
}

/** A mixture's most probable segment for one transformed row. */
function mostProbable(means: number[][], gmm: GmmParameters, x: Float64Array): number {
  const p = gmmProbabilities(x, means, gmm);
  return p.indexOf(Math.max(...p));
}

/** Segment ids ordered by size, largest first, so the numbering is stable across reruns. */
function orderBySize(labels: Int32Array, k: number): Int32Array {
  const sizes = clusterSizes(labels, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const newId = new Int32Array(k);
  order.forEach((old, i) => (newId[old] = i));
  return newId;
}

function remapRows(m: Matrix, newId: Int32Array): Matrix {
  const out = createMatrix(m.rows, m.cols);
  for (let old = 0; old < m.rows; old++) out.data.set(m.data.subarray(old * m.cols, (old + 1) * m.cols), newId[old] * m.cols);
  return out;
}

function centroidInOriginalUnits(prep: PreprocessResult, centroid: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of inverseTransform(prep.fitted, centroid)) setNamed(out, name, value);
  return out;
}

export interface SegmentExtras {
  /** Centroids to start k-means from (a refit keeps its segments' identities). */
  warmStart?: Matrix;
  /**
   * Leave out what every k of the preprocessing shares, the labelled rows: a caller that
   * holds them already is spared 4 MB a result on a million customers.
   */
  withoutRowIndex?: boolean;
}

/** Results made with withoutRowIndex. */
export function lacksRowIndex(result: SegmentationResult): boolean {
  return result.rowIndex.length === 0 && result.labels.length > 0;
}

export function segment(table: DataTable, prepared: PreparedData, options: SegmentationOptions & { k: number }, extras: SegmentExtras = {}): SegmentationResult {
  const { warmStart, withoutRowIndex } = extras;
  const { prep, fitX } = prepared;
  const notes: string[] = [];
  let eps = options.eps ?? 0;
  if (options.algorithm === 'dbscan' && options.eps === null) {
    eps = suggestEps(fitX, options.minPts, options.seed).eps;
    notes.push(`eps ${eps} was suggested from the knee of the ${options.minPts}-distance curve.`);
  }
  const algorithmOptions: AlgorithmOptions = { ...options, eps, initialCentroids: warmStart };
  checkpoint({ step: options.algorithm === 'dbscan' ? 'fitting DBSCAN' : `fitting k = ${options.k}` });
  const swept = warmStart ? undefined : prepared.reuse.fits?.get(fitKey(options, options.k));
  const fit: AlgorithmFit = swept
    ? { ...swept.fit, labels: sweptLabels(swept.fit), k: options.k }
    : fitAlgorithm(fitX, algorithmOptions);
  notes.push(...fit.notes);
  const k = fit.k;
  if (!warmStart) keepFitLabels(prepared, anyFitKey(options, k, eps), fit.labels);
  if (!fit.dbscan) refuseEmptySegments(fitX, fit.labels, k);
  const newId = orderBySize(fit.labels, k);
  const centroids = remapRows(fit.centroids, newId);
  const coreLabels = fit.dbscan ? fit.dbscan.coreLabels.map((l) => (l < 0 ? l : newId[l])) : undefined;
  // A mixture's weights and variances follow its means to their new numbers.
  const gmm = fit.gmm ? { weights: renumbered(fit.gmm.weights, newId), variances: renumbered(fit.gmm.variances, newId) } : undefined;
  if (fit.gmm) notes.push(`Log-likelihood ${fit.gmm.logLikelihood.toFixed(1)}, BIC ${fit.gmm.bic.toFixed(1)} (lower is better across k).`);

  // Every kept row gets a label: excluded outliers are assigned after fitting.
  const x = prep.matrix;
  let labels: Int32Array;
  if (prep.report.rowsExcluded === 0) {
    labels = new Int32Array(fit.labels.length);
    for (let i = 0; i < labels.length; i++) labels[i] = fit.labels[i] < 0 ? fit.labels[i] : newId[fit.labels[i]];
  } else if (fit.dbscan) {
    labels = Int32Array.from({ length: x.rows }, (_, i) =>
      predictDbscan(x.data.subarray(i * x.cols, (i + 1) * x.cols), fit.dbscan!.corePoints, coreLabels!, eps));
  } else if (gmm) {
    const means = toRows(centroids);
    labels = Int32Array.from({ length: x.rows }, (_, i) => mostProbable(means, gmm, x.data.subarray(i * x.cols, (i + 1) * x.cols)));
  } else {
    labels = assignNearest(x, centroids).labels;
  }
  if (prep.report.rowsExcluded > 0) {
    notes.push(`${prep.report.rowsExcluded} outlier customer${prep.report.rowsExcluded === 1 ? ' was' : 's were'} left out of fitting and assigned to the nearest segment afterwards.`);
  }
  let noiseCount = 0;
  for (const l of labels) if (l === NOISE) noiseCount++;

  // The sweep's scores are this fit's own when its silhouette was exact (small data) or
  // sampled as the fit samples it (above SILHOUETTE_EXACT_LIMIT rows).
  const sweptScoresFit = swept && prep.report.rowsExcluded === 0 && (!swept.metrics.silhouetteSampled || x.rows > SILHOUETTE_EXACT_LIMIT);
  const metrics = sweptScoresFit ? swept.metrics : k >= 2 ? computeMetrics(x, labels, options.seed) : { inertia: Number.NaN, silhouette: Number.NaN, silhouetteSampled: false, daviesBouldin: Number.NaN, calinskiHarabasz: Number.NaN };
  if (metrics.silhouetteSampled) notes.push(`The silhouette is estimated on a random sample of ${SILHOUETTE_SAMPLE.toLocaleString('en-US')} customers.`);
  if (fit.dbscan && noiseCount > 0) notes.push('Metrics leave DBSCAN noise points out.');
  const pca = pcaOf(prepared);
  const facts = (prepared.reuse.facts ??= new ColumnFacts(prep.rowIndex));
  const profiles = buildProfiles({ table, rowIndex: prep.rowIndex, labels, k, featureNames: options.features, facts });
  const segments: Segment[] = profiles.map((p) => ({
    ...p,
    centroid: centroidInOriginalUnits(prep, centroids.data.subarray(p.id * centroids.cols, (p.id + 1) * centroids.cols)),
  }));
  const resolved = { ...options, k, eps };
  const pipeline: FittedPipeline = {
    format: PIPELINE_FORMAT,
    options: resolved,
    preprocessor: prep.fitted,
    centroids: toRows(centroids),
    segmentNames: segments.map((s) => s.name),
    dbscan: fit.dbscan ? { eps, corePoints: toRows(fit.dbscan.corePoints), coreLabels: Array.from(coreLabels!) } : undefined,
    ...(gmm ? { gmm } : {}),
    pca: { mean: pca.mean, components: pca.components, explainedVarianceRatio: pca.explainedVarianceRatio },
  };
  return {
    options: resolved,
    k,
    rowCount: table.rowCount,
    rowIndex: withoutRowIndex ? new Int32Array(0) : prep.rowIndex,
    labels,
    scatter: scatterOf(x, labels, options.seed, pca),
    metrics,
    segments,
    noiseCount,
    pca,
    featureNames: options.features,
    outputNames: prep.fitted.outputNames,
    report: prep.report,
    notes,
    pipeline,
  };
}

/**
 * A pipeline's segment for each of the given table rows (`dropped` where its missing-value
 * rule drops the row), reading the columns directly: no customer record per row.
 */
export function assignRows(pipeline: FittedPipeline, table: DataTable, rows: ArrayLike<number>, dropped: number): Int32Array {
  const fitted = pipeline.preprocessor;
  const columns = stepColumns(fitted, table);
  const vector = new Float64Array(fitted.outputNames.length);
  const cores = dbscanCores(pipeline);
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = transformTableRow(fitted, columns, rows[i], vector) ? predictTransformed(pipeline, vector, cores).segment : dropped;
  return out;
}

/** Up to this many customers an extended segmentation's scores are recomputed over every row. */
export const EXTENSION_RESCORED_ROWS = 200_000;

/**
 * Customers appended since a fit are assigned by its pipeline, without refitting: sizes,
 * profiles, metrics and the scatter follow; centroids and curves stay those of the fit.
 */
export function extendSegmentation(result: SegmentationResult, table: DataTable, rescoreUpTo = EXTENSION_RESCORED_ROWS): SegmentationResult {
  if (table.rowCount <= result.rowCount) return result;
  const { pipeline } = result;
  const fitted = pipeline.preprocessor;
  const columns = stepColumns(fitted, table);
  const width = result.outputNames.length;
  const kept = result.rowIndex.length;
  // Typed arrays sized for every new row; trimmed below if some are dropped.
  const capacity = kept + table.rowCount - result.rowCount;
  const rowIndex = new Int32Array(capacity);
  const labels = new Int32Array(capacity);
  rowIndex.set(result.rowIndex);
  labels.set(result.labels);
  // Scores over every kept row need each row transformed: on big data that matrix would be
  // rebuilt for every registration, so there the scores stay those of the fit (and say so).
  const rescore = capacity <= rescoreUpTo && result.k >= 2;
  const x = rescore ? createMatrix(capacity, width) : undefined;
  if (x) for (let i = 0; i < kept; i++) transformTableRow(fitted, columns, rowIndex[i], x.data.subarray(i * width, (i + 1) * width));
  const scratch = new Float64Array(width);
  const cores = dbscanCores(pipeline);
  let m = kept;
  for (let r = result.rowCount; r < table.rowCount; r++) {
    const vector = x ? x.data.subarray(m * width, (m + 1) * width) : scratch;
    if (!transformTableRow(fitted, columns, r, vector)) continue; // dropped by the fit's missing-value rule
    rowIndex[m] = r;
    labels[m] = predictTransformed(pipeline, vector, cores).segment;
    m++;
  }
  const rowIndexArray = m === capacity ? rowIndex : rowIndex.slice(0, m);
  const labelArray = m === capacity ? labels : labels.slice(0, m);
  const metrics = x ? computeMetrics(createMatrix(m, width, x.data.subarray(0, m * width)), labelArray, result.options.seed) : result.metrics;
  // The scatter's sample, transformed from the table: a few thousand rows.
  const shown = scatterRows(labelArray, result.options.seed);
  const sample = createMatrix(shown.length, width);
  shown.forEach((i, s) => transformTableRow(fitted, columns, rowIndexArray[i], sample.data.subarray(s * width, (s + 1) * width)));
  const profiles = buildProfiles({ table, rowIndex: rowIndexArray, labels: labelArray, k: result.k, featureNames: result.featureNames });
  let noiseCount = 0;
  for (const l of labelArray) if (l === NOISE) noiseCount++;
  const registered = table.rowCount - result.rowCount;
  return {
    ...result,
    rowCount: table.rowCount,
    rowIndex: rowIndexArray,
    labels: labelArray,
    scatter: { rows: shown, points: projectRows(sample, result.pca) },
    metrics,
    noiseCount,
    // Names stay those of the fit, so a segment keeps its identity while customers arrive.
    segments: profiles.map((p, i) => ({ ...result.segments[i], ...p, name: result.segments[i]?.name ?? p.name })),
    notes: [
      ...result.notes.filter((n) => !n.startsWith('Assigned without refitting')),
      `Assigned without refitting: ${registered.toLocaleString('en-US')} customer${registered === 1 ? '' : 's'} added since the fit.${x || result.k < 2 ? '' : ' Silhouette and the other scores are those of the fit.'}`,
    ],
  };
}
