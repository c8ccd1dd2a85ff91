/**
 * Saved segmentations as a service: save the current fit, import one made elsewhere,
 * compare two, report drift, and retrain the active model in the background. The work on
 * the whole table runs through the engine (in a worker thread when there is a pool).
 */
import type { DriftReport, TrainingBaseline } from '../analysis/drift.ts';
import type { ModelComparison, RetrainAnswer } from '../analysis/model-ops.ts';
import type { SegmentationResult } from '../analysis/pipeline.ts';
import { parseModel, parseModelJson } from './model-schema.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { getDataset } from '../store/datasets.ts';
import { activeModel, getModel, labelSegment, replaceModelFit, saveModel, type SavedModel, type SegmentLabel } from '../store/models.ts';
import type { Engine } from './engine.ts';

export type { ModelComparison } from '../analysis/model-ops.ts';

export type { RetrainPolicy } from '../config.ts';
import type { RetrainPolicy } from '../config.ts';


export class ModelService {
  private retraining = new Set<number>();
  readonly log: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    readonly policy: RetrainPolicy,
    private readonly onChange: (datasetId: number) => void = () => {},
  ) {}

  async saveFit(datasetId: number, name: string, result: SegmentationResult): Promise<SavedModel> {
    const baseline = await this.engine.onTable<TrainingBaseline>(datasetId, { op: 'baseline', pipeline: result.pipeline });
    return saveModel(this.db, { datasetId, name: name.trim(), pipeline: result.pipeline, baseline, source: 'fitted' });
  }

  /** `model`: the file's text, or the JSON body already parsed. */
  async importModel(datasetId: number, name: string, model: string | unknown): Promise<SavedModel> {
    const pipeline = typeof model === 'string' ? parseModelJson(model) : parseModel(model);
    const baseline = await this.engine.onTable<TrainingBaseline>(datasetId, { op: 'import', pipeline });
    return saveModel(this.db, { datasetId, name: name.trim(), pipeline, baseline, source: 'imported' });
  }

  /** A segment's new name or playbook: every open page of the dataset redraws with it. */
  async labelSegment(id: number, segment: number, label: SegmentLabel): Promise<SavedModel> {
    const model = await labelSegment(this.db, id, segment, label);
    this.onChange(model.datasetId);
    return model;
  }

  active(datasetId: number): SavedModel | undefined {
    return activeModel(this.db, datasetId);
  }

  async compare(aId: number, bId: number): Promise<ModelComparison> {
    const a = getModel(this.db, aId);
    const b = getModel(this.db, bId);
    if (a.datasetId !== b.datasetId) throw new InputError('Compare two segmentations of the same dataset.');
    const ref = (m: SavedModel) => ({ id: m.id, name: m.name, pipeline: m.pipeline });
    return this.engine.onTable<ModelComparison>(a.datasetId, { op: 'compare', a: ref(a), b: ref(b) });
  }

  /** Customers followed from the fit the last retraining replaced to the current one. */
  async lastRetrainMoves(model: SavedModel): Promise<ModelComparison | undefined> {
    if (!model.previousPipeline) return undefined;
    const before = { id: model.id, name: 'before the last retrain', pipeline: model.previousPipeline };
    const after = { id: model.id, name: 'after it', pipeline: model.pipeline };
    return this.engine.onTable<ModelComparison>(model.datasetId, { op: 'compare', a: before, b: after });
  }

  drift(model: SavedModel): Promise<DriftReport> {
    return this.engine.onTable<DriftReport>(model.datasetId, { op: 'drift', pipeline: model.pipeline, baseline: model.baseline });
  }

  /** Refits the active model now; replaces it only if the refit is not worse. */
  async retrainNow(datasetId: number): Promise<{ accepted: boolean; reason: string }> {
    const model = this.active(datasetId);
    if (!model) throw new InputError('This dataset has no active saved segmentation to retrain.');
    const answer = await this.engine.onTable<RetrainAnswer>(datasetId, { op: 'retrain', pipeline: model.pipeline });
    if (answer.accepted && answer.refit) {
      await replaceModelFit(this.db, model.id, answer.refit.pipeline, answer.refit.baseline);
      this.onChange(datasetId);
    }
    this.log.push(`${new Date().toISOString()} dataset ${datasetId} model ${model.id}: ${answer.accepted ? 'refitted' : 'kept'} (${answer.reason})`);
    return { accepted: answer.accepted, reason: answer.reason };
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
    void this.retrainNow(datasetId)
      .catch((error: Error) => this.log.push(`${new Date().toISOString()} dataset ${datasetId}: retraining failed: ${error.message}`))
      .finally(() => this.retraining.delete(datasetId));
    return true;
  }

  get busy(): boolean {
    return this.retraining.size > 0;
  }
}
