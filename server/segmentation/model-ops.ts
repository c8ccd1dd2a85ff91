/**
 * The table-wide work behind saved segmentations: label every customer under a pipeline,
 * summarise a training baseline, check an imported pipeline, compare two, measure drift,
 * retrain. Pure functions of a table, so the engine can run them in a worker thread.
 */
import { segmentRules } from './segment-rules.ts';
import { adoptRules } from './rule-assign.ts';
import { pipelineFeatures } from './fitted-pipeline.ts';
import { buildProfiles, type SegmentProfile } from './profile.ts';
import { driftReport, featureBaseline, type DriftReport, type TrainingBaseline } from '../analysis/drift.ts';
import { hungarian } from '../analysis/hungarian.ts';
import { adjustedRandIndex } from '../analysis/metrics.ts';
import { assignRows } from './extend.ts';
import type { FittedPipeline } from './predict.ts';
import { retrain } from './retrain.ts';
import { presentMoments } from '../analysis/stats.ts';
import { columnKinds, type DataTable } from '../analysis/table.ts';
import { inverseTransform } from '../analysis/transform.ts';
import { InputError } from '../errors.ts';

export interface ModelComparison {
  a: { id: number; name: string; sizes: number[]; segmentNames: string[] };
  b: { id: number; name: string; sizes: number[]; segmentNames: string[] };
  commonCustomers: number;
  adjustedRandIndex: number;
  /** Matched segment pairs and how far their centres moved, in SD units of each feature. */
  centroidShifts: { a: number; b: number; aName: string; bName: string; distanceSd: number }[];
  /** flows[i][j]: common customers in a's segment i and b's segment j (DBSCAN noise left out). */
  flows: number[][];
}

/** Customers in each pair of segments (a's × b's), on the rows both assign. */
export function segmentFlows(la: Int32Array, ka: number, lb: Int32Array, kb: number): number[][] {
  const flows = Array.from({ length: ka }, () => new Array<number>(kb).fill(0));
  for (let i = 0; i < la.length; i++) if (la[i] >= 0 && lb[i] >= 0) flows[la[i]][lb[i]]++;
  return flows;
}

/** What compare needs of a saved segmentation. */
export interface ModelRef {
  id: number;
  name: string;
  pipeline: FittedPipeline;
}

/** Segment of every table row under a pipeline (-2 where its missing-value rule drops the row). */
export function assignAll(pipeline: FittedPipeline, table: DataTable, from = 0): Int32Array {
  return assignRows(
    pipeline,
    table,
    Int32Array.from({ length: Math.max(0, table.rowCount - from) }, (_, i) => from + i),
    -2,
  );
}

export function baselineFor(pipeline: FittedPipeline, table: DataTable, labels: Int32Array): TrainingBaseline {
  const k = pipeline.centroids.length;
  const counts = new Array<number>(k).fill(0);
  let assigned = 0;
  for (const l of labels)
    if (l >= 0) {
      counts[l]++;
      assigned++;
    }
  return {
    features: pipeline.preprocessor.numeric.map((s) => {
      const column = table.columns.find((c) => c.name === s.name);
      return featureBaseline(s.name, column?.kind === 'numeric' ? column.values : new Float64Array());
    }),
    segmentShares: counts.map((c) => (assigned ? c / assigned : 0)),
    rowCount: table.rowCount,
  };
}

/** Checks that a pipeline fitted elsewhere fits this dataset's columns and is well formed. */
export function validateForDataset(pipeline: FittedPipeline, table: DataTable): void {
  const width = pipeline.preprocessor.outputNames.length;
  if (
    pipeline.centroids.length < 1 ||
    pipeline.centroids.some((c) => !Array.isArray(c) || c.length !== width || c.some((v) => !Number.isFinite(v)))
  ) {
    throw new InputError(
      `Every centroid needs ${width} finite numbers, one per transformed feature (${pipeline.preprocessor.outputNames.join(', ')}).`,
    );
  }
  if (pipeline.segmentNames.length !== pipeline.centroids.length) throw new InputError('Give one segment name per centroid.');
  const columns = columnKinds(table);
  for (const step of pipeline.preprocessor.numeric) {
    const column = columns.find((c) => c.name === step.name);
    if (!column || column.kind !== 'numeric')
      throw new InputError(`The model uses the numeric column "${step.name}", which this dataset does not have.`);
    if (!(step.scale > 0)) throw new InputError(`The scale of "${step.name}" must be positive.`);
  }
  for (const step of pipeline.preprocessor.categorical) {
    const column = columns.find((c) => c.name === step.name);
    if (!column || column.kind !== 'categorical')
      throw new InputError(`The model uses the categorical column "${step.name}", which this dataset does not have.`);
  }
  if (!pipeline.pca?.components || pipeline.pca.components.length !== 2) {
    throw new InputError('The model needs a 2-D PCA projection ("pca": {"mean", "components", "explainedVarianceRatio"}).');
  }
}

export function compareModels(table: DataTable, a: ModelRef, b: ModelRef): ModelComparison {
  const la = assignAll(a.pipeline, table);
  const lb = assignAll(b.pipeline, table);
  const common: number[] = [];
  la.forEach((l, i) => l >= -1 && lb[i] >= -1 && common.push(i));
  const sizes = (labels: Int32Array, k: number) => {
    const out = new Array<number>(k).fill(0);
    for (const l of labels) if (l >= 0) out[l]++;
    return out;
  };
  // Centres in original units, each feature divided by its SD in the data, then matched.
  const numeric = a.pipeline.preprocessor.numeric
    .map((s) => s.name)
    .filter((n) => b.pipeline.preprocessor.numeric.some((s) => s.name === n));
  const sd = new Map(
    numeric.map((n) => {
      return [n, presentMoments(table.columns.find((c) => c.name === n)!.values as Float64Array).sd || 1];
    }),
  );
  const centres = (m: ModelRef) =>
    m.pipeline.centroids.map((c) => {
      const original = inverseTransform(m.pipeline.preprocessor, c);
      return numeric.map((n) => original.get(n)! / sd.get(n)!);
    });
  const ca = centres(a);
  const cb = centres(b);
  const size = Math.max(ca.length, cb.length);
  const cost = Array.from({ length: size }, (_, i) =>
    Array.from({ length: size }, (_, j) =>
      i < ca.length && j < cb.length ? Math.sqrt(ca[i].reduce((s, v, d) => s + (v - cb[j][d]) ** 2, 0)) : 1e6,
    ),
  );
  const match = hungarian(cost);
  const centroidShifts = match.flatMap((j, i) =>
    i < ca.length && j < cb.length
      ? [{ a: i, b: j, aName: a.pipeline.segmentNames[i], bName: b.pipeline.segmentNames[j], distanceSd: cost[i][j] }]
      : [],
  );
  return {
    a: { id: a.id, name: a.name, sizes: sizes(la, a.pipeline.centroids.length), segmentNames: a.pipeline.segmentNames },
    b: { id: b.id, name: b.name, sizes: sizes(lb, b.pipeline.centroids.length), segmentNames: b.pipeline.segmentNames },
    commonCustomers: common.length,
    adjustedRandIndex: common.length
      ? adjustedRandIndex(
          common.map((i) => la[i]),
          common.map((i) => lb[i]),
        )
      : Number.NaN,
    centroidShifts,
    flows: segmentFlows(la, a.pipeline.centroids.length, lb, b.pipeline.centroids.length),
  };
}

/** A saved segmentation's assignment of a table, with profiles under its own names: what its exports show. */
export interface ModelAssignment {
  rowCount: number;
  /** Table row of each segmented row (those its missing-value rule keeps). */
  rowIndex: Int32Array;
  labels: Int32Array;
  segments: SegmentProfile[];
  noiseCount: number;
}

export function assignmentOf(pipeline: FittedPipeline, table: DataTable): ModelAssignment {
  const all = assignAll(pipeline, table);
  const kept: number[] = [];
  all.forEach((l, r) => l >= -1 && kept.push(r));
  const rowIndex = Int32Array.from(kept);
  const labels = Int32Array.from(kept, (r) => all[r]);
  const k = pipeline.centroids.length;
  const featureNames = pipelineFeatures(pipeline);
  const segments = buildProfiles({ table, rowIndex, labels, k, featureNames }).map((p, i) => ({ ...p, name: pipeline.segmentNames[i] }));
  let noiseCount = 0;
  for (const l of labels) if (l < 0) noiseCount++;
  return { rowCount: table.rowCount, rowIndex, labels, segments, noiseCount };
}

/** A segmentation's training baseline, and each row's segment under it (-1: left out), from one assignment. */
export interface BaselineAndSegments {
  baseline: TrainingBaseline;
  segments: Int32Array;
}

function baselineAndSegments(pipeline: FittedPipeline, table: DataTable): BaselineAndSegments {
  const labels = assignAll(pipeline, table);
  return { baseline: baselineFor(pipeline, table, labels), segments: labels.map((l) => (l < 0 ? -1 : l)) };
}

/** Work on a whole table that a worker can do: see runTableTask. */
export type TableTask =
  | { op: 'baseline'; pipeline: FittedPipeline }
  | { op: 'import'; pipeline: FittedPipeline }
  | { op: 'compare'; a: ModelRef; b: ModelRef }
  | { op: 'drift'; pipeline: FittedPipeline; baseline: TrainingBaseline }
  | { op: 'retrain'; pipeline: FittedPipeline }
  | { op: 'assign'; pipeline: FittedPipeline }
  | { op: 'segment-each'; pipeline: FittedPipeline }
  | { op: 'rules'; pipeline: FittedPipeline };

export interface RetrainAnswer {
  accepted: boolean;
  reason: string;
  refit?: { pipeline: FittedPipeline; baseline: TrainingBaseline };
}

export function runTableTask(table: DataTable, task: TableTask): unknown {
  switch (task.op) {
    case 'baseline':
      return baselineAndSegments(task.pipeline, table);
    case 'import':
      validateForDataset(task.pipeline, table);
      return baselineAndSegments(task.pipeline, table);
    case 'compare':
      return compareModels(table, task.a, task.b);
    case 'assign':
      return assignmentOf(task.pipeline, table);
    case 'segment-each':
      // Each row's segment and nothing else (no profiles): what the change feed compares.
      return assignAll(task.pipeline, table).map((l) => (l < 0 ? -1 : l));
    case 'rules':
      return segmentRules(task.pipeline, table);
    case 'drift': {
      const from = Math.min(task.baseline.rowCount, table.rowCount);
      const newValues = new Map(
        task.baseline.features.map((f) => {
          const column = table.columns.find((c) => c.name === f.feature);
          return [f.feature, column?.kind === 'numeric' ? column.values.slice(from) : new Float64Array()];
        }),
      );
      return driftReport(task.baseline, newValues, assignAll(task.pipeline, table, from)) satisfies DriftReport;
    }
    case 'retrain': {
      const outcome = retrain(table, task.pipeline);
      const answer: RetrainAnswer = { accepted: outcome.accepted, reason: outcome.reason };
      if (outcome.accepted && outcome.result) {
        const refit = outcome.result.pipeline;
        // A segmentation that assigns by its rules keeps doing so: rules regrown for the new centres.
        const pipeline = task.pipeline.rules ? { ...refit, rules: adoptRules(segmentRules(refit, table)) } : refit;
        answer.refit = { pipeline, baseline: baselineFor(pipeline, table, assignAll(pipeline, table)) };
      }
      return answer;
    }
  }
}
