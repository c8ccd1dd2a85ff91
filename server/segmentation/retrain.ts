/**
 * Refitting a saved model on the data as it is now: warm-started from its centroids, kept
 * only if the silhouette is not worse, and renumbered so every segment keeps its number and
 * name (old and new centroids matched by the Hungarian algorithm).
 */
import { formatFixed } from '../format.ts';
import { createMatrix, type Matrix } from '../analysis/matrix.ts';
import { silhouetteScore } from '../analysis/metrics.ts';
import { assignRows } from './extend.ts';
import { renumbered, segment, type SegmentationResult } from './pipeline.ts';
import { prepare } from './prepared.ts';
import type { FittedPipeline } from './predict.ts';
import type { FittedPreprocessor } from '../analysis/preprocess.ts';
import { hungarian } from '../analysis/hungarian.ts';
import type { DataTable } from '../analysis/table.ts';
import { inverseTransform } from '../analysis/transform.ts';

export interface RetrainOutcome {
  accepted: boolean;
  reason: string;
  oldSilhouette: number;
  newSilhouette: number;
  /** The refit, renumbered to the old segments; set when accepted. */
  result?: SegmentationResult;
}

/** A centroid of one preprocessor's space expressed in another's (through original units). */
function translateCentroid(centroid: number[], from: FittedPreprocessor, to: FittedPreprocessor): Float64Array {
  const original = inverseTransform(from, centroid);
  const out = new Float64Array(to.outputNames.length);
  to.numeric.forEach((s, j) => (out[j] = ((original.get(s.name) ?? s.center) - s.center) / s.scale));
  let offset = to.numeric.length;
  for (const s of to.categorical) {
    s.levels.forEach((level, l) => (out[offset + l] = (original.get(`${s.name}=${level}`) ?? 0) * s.weight));
    offset += s.levels.length;
  }
  return out;
}

/** Renumbers a result's segments: segment j of the refit becomes newToOld[j]. */
export function renumber(result: SegmentationResult, newToOld: number[], names: string[], playbooks?: string[]): SegmentationResult {
  const k = newToOld.length;
  const map = (l: number) => (l < 0 ? l : newToOld[l]);
  const centroids = renumbered(result.pipeline.centroids, newToOld);
  const segments = new Array(k);
  result.segments.forEach((s, j) => (segments[newToOld[j]] = { ...s, id: newToOld[j], name: names[newToOld[j]] ?? s.name }));
  return {
    ...result,
    labels: result.labels.map(map),
    segments,
    pipeline: {
      ...result.pipeline,
      centroids,
      segmentNames: segments.map((s) => s.name),
      // Identities survive the refit: each segment keeps its playbook with its name.
      segmentPlaybooks: playbooks,
      dbscan: result.pipeline.dbscan ? { ...result.pipeline.dbscan, coreLabels: result.pipeline.dbscan.coreLabels.map(map) } : undefined,
      gmm: result.pipeline.gmm
        ? { weights: renumbered(result.pipeline.gmm.weights, newToOld), variances: renumbered(result.pipeline.gmm.variances, newToOld) }
        : undefined,
    },
  };
}

export function retrain(table: DataTable, old: FittedPipeline): RetrainOutcome {
  const options = old.options;
  const prepared = prepare(table, options);
  const x = prepared.prep.matrix;
  const warm: Matrix | undefined =
    options.algorithm === 'kmeans'
      ? (() => {
          const m = createMatrix(old.centroids.length, x.cols);
          old.centroids.forEach((c, i) => m.data.set(translateCentroid(c, old.preprocessor, prepared.prep.fitted), i * x.cols));
          return m;
        })()
      : undefined;
  const refit = segment(table, prepared, options, { warmStart: warm });
  const oldLabels = assignRows(old, table, prepared.prep.rowIndex, -1);
  const oldSilhouette = silhouetteScore(x, oldLabels, options.seed).value;
  const newSilhouette = refit.metrics.silhouette;
  if (refit.k !== old.centroids.length) {
    return {
      accepted: false,
      reason: `the refit found ${refit.k} segments instead of ${old.centroids.length}`,
      oldSilhouette,
      newSilhouette,
    };
  }
  if (!(newSilhouette >= oldSilhouette - 1e-12)) {
    return {
      accepted: false,
      reason: `the refit's silhouette ${formatFixed(newSilhouette, 3)} is below the current model's ${formatFixed(oldSilhouette, 3)}`,
      oldSilhouette,
      newSilhouette,
    };
  }
  // Match old centroids (moved into the new space) to new ones: the cheapest renumbering.
  const oldInNew = old.centroids.map((c) => translateCentroid(c, old.preprocessor, prepared.prep.fitted));
  const cost = refit.pipeline.centroids.map((n) => oldInNew.map((o) => n.reduce((s, v, d) => s + (v - o[d]) ** 2, 0)));
  const newToOld = hungarian(cost);
  return {
    accepted: true,
    reason: 'the refit is at least as well separated',
    oldSilhouette,
    newSilhouette,
    result: renumber(refit, newToOld, old.segmentNames, old.segmentPlaybooks),
  };
}
