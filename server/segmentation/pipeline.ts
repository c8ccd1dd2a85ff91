/** One segmentation of a prepared table: cluster, number the segments (lineage.ts), score, project, profile. */
import { cacheKey } from '../cache-key.ts';
import { formatCount, formatFixed } from '../format.ts';
import { fitAlgorithm, type AlgorithmFit, type AlgorithmOptions } from '../analysis/cluster/index.ts';
import { setNamed } from '../analysis/named.ts';
import { stopPoint } from '../analysis/progress.ts';
import { assignNearest } from '../analysis/cluster/assign.ts';
import { gmmProbabilities, type GmmParameters } from '../analysis/cluster/gmm.ts';
import { predictDbscan, suggestEps } from '../analysis/cluster/dbscan.ts';
import { NOISE } from '../analysis/cluster/types.ts';
import { createMatrix, selectRows, toRows, type Matrix } from '../analysis/matrix.ts';
import { InputError } from '../errors.ts';
import { clusterSizes, computeMetrics, SILHOUETTE_EXACT_LIMIT, SILHOUETTE_SAMPLE, type ClusterMetrics } from '../analysis/metrics.ts';
import type { SegmentationOptions } from './options.ts';
import { projectRows, type FittedPca } from '../analysis/pca.ts';
import { PIPELINE_FORMAT, type FittedPipeline } from './predict.ts';
import { columnFactsOf, fitMemoOf, keepFitLabels, pcaOf, sweptFit, sweptLabels, type PreparedData, type KeptSweepFit } from './prepared.ts';
import type { PreprocessReport, PreprocessResult } from '../analysis/preprocess.ts';
import { inverseTransform } from '../analysis/transform.ts';
import { buildProfiles, type SegmentProfile } from './profile.ts';
import { lineageNumbers, numbersBySize } from '../analysis/lineage.ts';
import { scatterRows } from '../analysis/scatter.ts';
import type { DataTable } from '../analysis/table.ts';

export interface Segment extends SegmentProfile {
  /** Centroid in original units: numeric features as values, categories as shares. */
  centroid: Record<string, number>;
  /** What its users wrote to do with it, when the fit is a saved segmentation (engine/shown.ts). */
  playbook?: string;
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
  /** The saved segmentation this fit is, whose names and playbooks it carries (engine/shown.ts). */
  readonly savedModel?: { id: number; name: string };
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
    throw new InputError(
      `Every customer is the same in these features, so there are no segments to find (${k} were asked for); choose other features.`,
      { field: 'features' },
    );
  }
  if (distinct.size < k) {
    throw new InputError(
      `Only ${distinct.size} different customers in these features, so ${k} segments cannot each hold someone; choose k at most ` +
        `${distinct.size}, or add features.`,
      { field: 'k' },
    );
  }
  throw new InputError(
    `The fit left ${sizes.filter((s) => s === 0).length} of ${k} segments empty; choose fewer segments or another seed.`,
    { field: 'k' },
  );
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

/** The fit for the options' k: the sweep's when it made one, else a new one (DBSCAN's eps suggested when not given). */
function fitFor(
  prepared: PreparedData,
  options: SegmentationOptions & { k: number },
  warmStart: Matrix | undefined,
  notes: string[],
): { fit: AlgorithmFit; eps: number; swept?: KeptSweepFit } {
  const { fitX } = prepared;
  let eps = options.eps ?? 0;
  if (options.algorithm === 'dbscan' && options.eps === null) {
    eps = suggestEps(fitX, options.minPts, options.seed).eps;
    notes.push(`eps ${eps} was suggested from the knee of the ${options.minPts}-distance curve.`);
  }
  const algorithmOptions: AlgorithmOptions = { ...options, eps, initialCentroids: warmStart, memo: fitMemoOf(prepared) };
  stopPoint({ step: options.algorithm === 'dbscan' ? 'fitting DBSCAN' : `fitting k = ${options.k}` });
  const swept = warmStart ? undefined : sweptFit(prepared, options, options.k);
  const fit: AlgorithmFit = swept ? { ...swept.fit, labels: sweptLabels(swept.fit), k: options.k } : fitAlgorithm(fitX, algorithmOptions);
  notes.push(...fit.notes);
  // For the stability check that may follow: a swept fit's labels are kept with it already.
  if (!warmStart && !swept) keepFitLabels(prepared, options, fit.k, eps, fit.labels);
  if (!fit.dbscan) refuseEmptySegments(fitX, fit.labels, fit.k);
  return { fit, eps, swept };
}

/** A fit's segments numbered (lineage.ts), with everything per segment following its number. */
interface NumberedFit {
  newId: Int32Array;
  centroids: Matrix;
  coreLabels?: Int32Array;
  gmm?: Pick<GmmParameters, 'weights' | 'variances'>;
}

/**
 * The numbers of a fit's segments: the lineage's, so that they stay put as k moves. DBSCAN,
 * which chooses its own k, and a warm-started refit (retraining matches it to the model it
 * replaces) are numbered by size.
 */
function numbersOf(
  prepared: PreparedData,
  options: Pick<SegmentationOptions, 'seed' | 'nInit'>,
  fit: AlgorithmFit,
  warmStarted: boolean,
): Int32Array {
  if (fit.dbscan || warmStarted) return numbersBySize(fit.labels, fit.k);
  const key = cacheKey(options.seed, options.nInit);
  const lineages = (prepared.reuse.lineages ??= new Map());
  if (!lineages.has(key)) lineages.set(key, new Map());
  const lineageOptions = { seed: options.seed, nInit: options.nInit, memo: fitMemoOf(prepared) };
  return lineageNumbers(prepared.fitX, fit.centroids, lineages.get(key)!, lineageOptions);
}

function numberedFit(fit: AlgorithmFit, newId: Int32Array): NumberedFit {
  return {
    newId,
    centroids: remapRows(fit.centroids, newId),
    coreLabels: fit.dbscan ? fit.dbscan.coreLabels.map((l) => (l < 0 ? l : newId[l])) : undefined,
    // A mixture's weights and variances follow its means to their new numbers.
    gmm: fit.gmm ? { weights: renumbered(fit.gmm.weights, newId), variances: renumbered(fit.gmm.variances, newId) } : undefined,
  };
}

/** Every kept row's segment: the fit's labels renumbered, and outliers left out of fitting assigned as new customers are. */
function labelEveryRow(prep: PreprocessResult, fit: AlgorithmFit, numbered: NumberedFit, eps: number): Int32Array {
  const x = prep.matrix;
  const { newId, centroids, coreLabels, gmm } = numbered;
  if (prep.report.rowsExcluded === 0) {
    const labels = new Int32Array(fit.labels.length);
    for (let i = 0; i < labels.length; i++) labels[i] = fit.labels[i] < 0 ? fit.labels[i] : newId[fit.labels[i]];
    return labels;
  }
  const rowAt = (i: number) => x.data.subarray(i * x.cols, (i + 1) * x.cols);
  if (fit.dbscan) return Int32Array.from({ length: x.rows }, (_, i) => predictDbscan(rowAt(i), fit.dbscan!.corePoints, coreLabels!, eps));
  if (gmm) {
    const means = toRows(centroids);
    return Int32Array.from({ length: x.rows }, (_, i) => mostProbable(means, gmm, rowAt(i)));
  }
  return assignNearest(x, centroids).labels;
}

const NO_SCORES: ClusterMetrics = {
  inertia: Number.NaN,
  silhouette: Number.NaN,
  silhouetteSampled: false,
  daviesBouldin: Number.NaN,
  calinskiHarabasz: Number.NaN,
};

export function segment(
  table: DataTable,
  prepared: PreparedData,
  options: SegmentationOptions & { k: number },
  extras: SegmentExtras = {},
): SegmentationResult {
  const { prep } = prepared;
  const notes: string[] = [];
  const { fit, eps, swept } = fitFor(prepared, options, extras.warmStart, notes);
  const k = fit.k;
  const numbered = numberedFit(fit, numbersOf(prepared, options, fit, extras.warmStart !== undefined));
  const { centroids, coreLabels, gmm } = numbered;
  if (fit.gmm)
    notes.push(`Log-likelihood ${formatFixed(fit.gmm.logLikelihood, 1)}, BIC ${formatFixed(fit.gmm.bic, 1)} (lower is better across k).`);
  const x = prep.matrix;
  const labels = labelEveryRow(prep, fit, numbered, eps);
  if (prep.report.rowsExcluded > 0) {
    notes.push(
      `${prep.report.rowsExcluded} outlier customer${prep.report.rowsExcluded === 1 ? ' was' : 's were'} left out of fitting and ` +
        `assigned to the nearest segment afterwards.`,
    );
  }
  // Only DBSCAN leaves rows unlabelled (a pass less on a million rows for every other fit).
  let noiseCount = 0;
  if (fit.dbscan) for (let i = 0; i < labels.length; i++) if (labels[i] === NOISE) noiseCount++;

  // The sweep's scores are this fit's own when its silhouette was exact (small data) or
  // sampled as the fit samples it (above SILHOUETTE_EXACT_LIMIT rows).
  const sweptScoresFit = swept && prep.report.rowsExcluded === 0 && (!swept.metrics.silhouetteSampled || x.rows > SILHOUETTE_EXACT_LIMIT);
  const metrics = sweptScoresFit ? swept.metrics : k >= 2 ? computeMetrics(x, labels, options.seed) : NO_SCORES;
  if (metrics.silhouetteSampled)
    notes.push(`The silhouette is estimated on a random sample of ${formatCount(SILHOUETTE_SAMPLE)} customers.`);
  if (fit.dbscan && noiseCount > 0) notes.push('Metrics leave DBSCAN noise points out.');
  const pca = pcaOf(prepared);
  const profiles = buildProfiles({
    table,
    rowIndex: prep.rowIndex,
    labels,
    k,
    featureNames: options.features,
    facts: columnFactsOf(prepared),
  });
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
    rowIndex: extras.withoutRowIndex ? new Int32Array(0) : prep.rowIndex,
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
