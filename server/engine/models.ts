/**
 * Saved segmentations as a service: save the current fit, import one made elsewhere,
 * compare two, report drift, and retrain the active model in the background.
 */
import { driftReport, featureBaseline, type DriftReport, type TrainingBaseline } from '../analysis/drift.ts';
import { hungarian } from '../analysis/hungarian.ts';
import { adjustedRandIndex } from '../analysis/metrics.ts';
import { customerAt, type SegmentationResult } from '../analysis/pipeline.ts';
import { parsePipeline, predictCustomer, type FittedPipeline } from '../analysis/predict.ts';
import { retrain } from '../analysis/retrain.ts';
import { mean, populationSd, presentValues } from '../analysis/stats.ts';
import type { DataTable } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { getDataset } from '../store/datasets.ts';
import { activeModel, getModel, replaceModelFit, saveModel, type SavedModel } from '../store/models.ts';
import type { Engine } from './engine.ts';

export interface RetrainPolicy {
  /** Refit once this many customers arrived since the last fit. */
  afterCustomers: number;
  /** Or once this many minutes passed with new customers. */
  afterMinutes: number;
}

export interface ModelComparison {
  a: { id: number; name: string; sizes: number[] };
  b: { id: number; name: string; sizes: number[] };
  commonCustomers: number;
  adjustedRandIndex: number;
  /** Matched segment pairs and how far their centres moved, in SD units of each feature. */
  centroidShifts: { a: number; b: number; aName: string; bName: string; distanceSd: number }[];
}

/** Segment of every table row under a pipeline (-2 where its missing-value rule drops the row). */
export function assignAll(pipeline: FittedPipeline, table: DataTable, from = 0): Int32Array {
  const features = [...pipeline.preprocessor.numeric, ...pipeline.preprocessor.categorical].map((s) => s.name);
  return Int32Array.from({ length: Math.max(0, table.rowCount - from) }, (_, i) => {
    try {
      return predictCustomer(pipeline, customerAt(table, from + i, features)).segment;
    } catch {
      return -2;
    }
  });
}

export function baselineFor(pipeline: FittedPipeline, table: DataTable, labels: Int32Array): TrainingBaseline {
  const k = pipeline.centroids.length;
  const counts = new Array<number>(k).fill(0);
  let assigned = 0;
  for (const l of labels) if (l >= 0) {
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
function validateForDataset(pipeline: FittedPipeline, table: DataTable): void {
  const width = pipeline.preprocessor.outputNames.length;
  if (pipeline.centroids.length < 1 || pipeline.centroids.some((c) => !Array.isArray(c) || c.length !== width || c.some((v) => !Number.isFinite(v)))) {
    throw new InputError(`Every centroid needs ${width} finite numbers, one per transformed feature (${pipeline.preprocessor.outputNames.join(', ')}).`);
  }
  if (pipeline.segmentNames.length !== pipeline.centroids.length) throw new InputError('Give one segment name per centroid.');
  for (const step of pipeline.preprocessor.numeric) {
    const column = table.columns.find((c) => c.name === step.name);
    if (!column || column.kind !== 'numeric') throw new InputError(`The model uses the numeric column "${step.name}", which this dataset does not have.`);
    if (!(step.scale > 0)) throw new InputError(`The scale of "${step.name}" must be positive.`);
  }
  for (const step of pipeline.preprocessor.categorical) {
    const column = table.columns.find((c) => c.name === step.name);
    if (!column || column.kind !== 'categorical') throw new InputError(`The model uses the categorical column "${step.name}", which this dataset does not have.`);
  }
  if (!pipeline.pca?.components || pipeline.pca.components.length !== 2) {
    throw new InputError('The model needs a 2-D PCA projection ("pca": {"mean", "components", "explainedVarianceRatio"}).');
  }
}

export class ModelService {
  private retraining = new Set<number>();
  readonly log: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    readonly policy: RetrainPolicy,
    private readonly onChange: (datasetId: number) => void = () => {},
  ) {}

  saveFit(datasetId: number, name: string, result: SegmentationResult): SavedModel {
    const table = this.engine.table(datasetId);
    const labels = assignAll(result.pipeline, table);
    return saveModel(this.db, { datasetId, name: name.trim(), pipeline: result.pipeline, baseline: baselineFor(result.pipeline, table, labels), source: 'fitted' });
  }

  importModel(datasetId: number, name: string, json: string): SavedModel {
    let pipeline: FittedPipeline;
    try {
      pipeline = parsePipeline(json);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError('The model file is not valid JSON.');
    }
    const table = this.engine.table(datasetId);
    validateForDataset(pipeline, table);
    const labels = assignAll(pipeline, table);
    return saveModel(this.db, { datasetId, name: name.trim(), pipeline, baseline: baselineFor(pipeline, table, labels), source: 'imported' });
  }

  active(datasetId: number): SavedModel | undefined {
    return activeModel(this.db, datasetId);
  }

  compare(aId: number, bId: number): ModelComparison {
    const a = getModel(this.db, aId);
    const b = getModel(this.db, bId);
    if (a.datasetId !== b.datasetId) throw new InputError('Compare two segmentations of the same dataset.');
    const table = this.engine.table(a.datasetId);
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
    const numeric = a.pipeline.preprocessor.numeric.map((s) => s.name).filter((n) => b.pipeline.preprocessor.numeric.some((s) => s.name === n));
    const sd = new Map(numeric.map((n) => {
      const values = presentValues(table.columns.find((c) => c.name === n)!.values as Float64Array);
      return [n, populationSd(values, mean(values)) || 1];
    }));
    const centres = (m: SavedModel) => m.pipeline.centroids.map((c) => numeric.map((n) => {
      const j = m.pipeline.preprocessor.numeric.findIndex((s) => s.name === n);
      const step = m.pipeline.preprocessor.numeric[j];
      return (step.center + step.scale * c[j]) / sd.get(n)!;
    }));
    const ca = centres(a);
    const cb = centres(b);
    const size = Math.max(ca.length, cb.length);
    const cost = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) =>
      i < ca.length && j < cb.length ? Math.sqrt(ca[i].reduce((s, v, d) => s + (v - cb[j][d]) ** 2, 0)) : 1e6));
    const match = hungarian(cost);
    const centroidShifts = match.flatMap((j, i) => (i < ca.length && j < cb.length ? [{ a: i, b: j, aName: a.pipeline.segmentNames[i], bName: b.pipeline.segmentNames[j], distanceSd: cost[i][j] }] : []));
    return {
      a: { id: a.id, name: a.name, sizes: sizes(la, a.pipeline.centroids.length) },
      b: { id: b.id, name: b.name, sizes: sizes(lb, b.pipeline.centroids.length) },
      commonCustomers: common.length,
      adjustedRandIndex: common.length ? adjustedRandIndex(common.map((i) => la[i]), common.map((i) => lb[i])) : Number.NaN,
      centroidShifts,
    };
  }

  drift(model: SavedModel): DriftReport {
    const table = this.engine.table(model.datasetId);
    const from = Math.min(model.baseline.rowCount, table.rowCount);
    const newValues = new Map(model.baseline.features.map((f) => {
      const column = table.columns.find((c) => c.name === f.feature);
      return [f.feature, column?.kind === 'numeric' ? column.values.slice(from) : new Float64Array()];
    }));
    return driftReport(model.baseline, newValues, assignAll(model.pipeline, table, from));
  }

  /** Refits the active model now; replaces it only if the refit is not worse. */
  retrainNow(datasetId: number): { accepted: boolean; reason: string } {
    const model = this.active(datasetId);
    if (!model) throw new InputError('This dataset has no active saved segmentation to retrain.');
    const table = this.engine.table(datasetId);
    const outcome = retrain(table, model.pipeline);
    if (outcome.accepted && outcome.result) {
      const labels = assignAll(outcome.result.pipeline, table);
      replaceModelFit(this.db, model.id, outcome.result.pipeline, baselineFor(outcome.result.pipeline, table, labels));
      this.onChange(datasetId);
    }
    this.log.push(`${new Date().toISOString()} dataset ${datasetId} model ${model.id}: ${outcome.accepted ? 'refitted' : 'kept'} (${outcome.reason})`);
    return { accepted: outcome.accepted, reason: outcome.reason };
  }

  /** Called after registrations: refits in the background once enough customers arrived. */
  considerRetraining(datasetId: number, now = Date.now()): boolean {
    const model = this.active(datasetId);
    if (!model || this.retraining.has(datasetId)) return false;
    const newCustomers = getDataset(this.db, datasetId).rowCount - model.baseline.rowCount;
    const minutes = (now - Date.parse(model.fittedAt)) / 60_000;
    const due = newCustomers >= this.policy.afterCustomers || (newCustomers > 0 && minutes >= this.policy.afterMinutes);
    if (!due) return false;
    this.retraining.add(datasetId);
    setImmediate(() => {
      try {
        this.retrainNow(datasetId);
      } catch (error) {
        this.log.push(`${new Date().toISOString()} dataset ${datasetId}: retraining failed: ${(error as Error).message}`);
      } finally {
        this.retraining.delete(datasetId);
      }
    });
    return true;
  }

  get busy(): boolean {
    return this.retraining.size > 0;
  }
}
