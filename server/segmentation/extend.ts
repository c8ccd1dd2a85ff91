/**
 * Customers appended since a fit, assigned by its pipeline without refitting; and any table
 * rows assigned by a saved pipeline. Reads the columns directly: no record per row.
 */
import { formatCount } from '../format.ts';
import { createMatrix } from '../analysis/matrix.ts';
import { computeMetrics } from '../analysis/metrics.ts';
import { NOISE } from '../analysis/cluster/types.ts';
import { projectRows } from '../analysis/pca.ts';
import { assignsByNearestCentre, dbscanCores, nearestCentre, segmentOf, type FittedPipeline } from './predict.ts';
import { RowBlockTransformer, ROW_BLOCK } from '../analysis/row-block.ts';
import { buildProfiles } from './profile.ts';
import { scatterRows } from '../analysis/scatter.ts';
import type { SegmentationResult } from './pipeline.ts';
import type { DataTable } from '../analysis/table.ts';
import { stepColumns, transformTableRow } from '../analysis/transform.ts';

/**
 * A pipeline's segment for each of the given table rows (`dropped` where its missing-value
 * rule drops the row), reading the columns directly: no customer record per row.
 */
export function assignRows(pipeline: FittedPipeline, table: DataTable, rows: ArrayLike<number>, dropped: number): Int32Array {
  const fitted = pipeline.preprocessor;
  const block = new RowBlockTransformer(fitted, stepColumns(fitted, table));
  const { x, raw, kept, width } = block;
  const numericCount = fitted.numeric.length;
  const nearest = assignsByNearestCentre(pipeline);
  const cores = dbscanCores(pipeline);
  const out = new Int32Array(rows.length);
  for (let start = 0; start < rows.length; start += ROW_BLOCK) {
    const n = Math.min(ROW_BLOCK, rows.length - start);
    block.transform(rows, start, n);
    for (let i = 0; i < n; i++) {
      if (!kept[i]) out[start + i] = dropped;
      else {
        const segment = nearest ? nearestCentre(pipeline.centroids, x, i * width) : -1;
        out[start + i] =
          segment >= 0
            ? segment
            : segmentOf(pipeline, x.subarray(i * width, (i + 1) * width), cores, raw.subarray(i * numericCount, (i + 1) * numericCount));
      }
    }
  }
  return out;
}

/** Up to this many customers an extended segmentation's scores are recomputed over every row. */
export const EXTENSION_RESCORED_ROWS = 200_000;

/**
 * Customers appended since a fit are assigned by its pipeline, without refitting: sizes,
 * profiles, metrics and the scatter follow; centroids and curves stay those of the fit.
 */
export function extendSegmentation(
  result: SegmentationResult,
  table: DataTable,
  rescoreUpTo = EXTENSION_RESCORED_ROWS,
): SegmentationResult {
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
  const raw = new Float64Array(fitted.numeric.length);
  const cores = dbscanCores(pipeline);
  let m = kept;
  for (let r = result.rowCount; r < table.rowCount; r++) {
    const vector = x ? x.data.subarray(m * width, (m + 1) * width) : scratch;
    if (!transformTableRow(fitted, columns, r, vector, raw)) continue; // dropped by the fit's missing-value rule
    rowIndex[m] = r;
    labels[m] = segmentOf(pipeline, vector, cores, raw);
    m++;
  }
  const rowIndexArray = m === capacity ? rowIndex : rowIndex.slice(0, m);
  const labelArray = m === capacity ? labels : labels.slice(0, m);
  const metrics = x
    ? computeMetrics(createMatrix(m, width, x.data.subarray(0, m * width)), labelArray, result.options.seed)
    : result.metrics;
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
      `Assigned without refitting: ${formatCount(registered)} customer${registered === 1 ? '' : 's'} added since the ` +
        `fit.${x || result.k < 2 ? '' : ' Silhouette and the other scores are those of the fit.'}`,
    ],
  };
}
