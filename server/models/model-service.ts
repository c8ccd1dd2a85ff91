/**
 * Saved segmentations as a service, the one way they change: save the current fit, import
 * one made elsewhere, activate, delete, rename a segment, retrain. Each change is announced
 * on the live stream (open dashboards follow), and each retrain, in the background or not,
 * is recorded where the models panel shows it. The work on the whole table runs through the
 * engine (in a worker thread when there is a pool).
 */
import {
  changesSinceFit,
  customerIds,
  listChanges,
  sizesOverTime,
  type RecordedChange,
  type SizesOverTime,
} from '../store/segment-changes.ts';
import { movesBetween, segmentationChange, segmentationEntries, segmentOfEachCustomer } from './change-feed.ts';
import type { AssignedBy, ModelRules } from '../segmentation/rule-types.ts';
import { adoptedRules, adoptRules, assignedBy } from '../segmentation/rule-assign.ts';
import { byCentres } from '../segmentation/predict.ts';
import type { DriftReport } from '../analysis/drift.ts';
import type { BaselineAndSegments, ModelComparison, RetrainAnswer } from '../segmentation/model-ops.ts';
import type { RetrainPolicy } from '../defaults.ts';
import type { Engine, SegmentationParams } from '../engine/engine.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { getDataset } from '../store/datasets.ts';
import {
  activateModel,
  activeModel,
  deleteModel,
  getModel,
  labelSegment,
  listModels,
  replaceModelFit,
  saveModel,
  setModelRules,
  type SavedModel,
  type SegmentLabel,
} from '../store/saved-models.ts';
import { parseModel, parseModelJson } from './model-schema.ts';

export type { ModelComparison } from '../segmentation/model-ops.ts';
export type { RetrainPolicy } from '../defaults.ts';

/** One retrain of a dataset's active segmentation, as the models panel lists it. */
export interface RetrainRecord {
  at: string;
  modelId: number | undefined;
  outcome: 'refitted' | 'kept' | 'failed';
  /** Why it was kept or refitted ("silhouette 0.41 against 0.39"), or what failed. */
  reason: string;
  /** Started by registrations (in the background), not by a person. */
  background: boolean;
}

/** Everything the models panel shows for a dataset. */
export interface ModelsPanel {
  models: SavedModel[];
  active: SavedModel | undefined;
  drift: DriftReport | undefined;
  moves: ModelComparison | undefined;
  retrains: RetrainRecord[];
  /** The active segmentation's change feed since its last retrain. */
  sinceRetrain: { entered: number; left: number; moved: number } | undefined;
  /** The active segmentation's segment sizes after each change its feed recorded. */
  sizes: SizesOverTime | undefined;
}

/** Each segment's share of the customers a segmentation was trained on (the first `rowCount`), under an assignment. */
function trainingShares(segments: Int32Array, rowCount: number, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  let assigned = 0;
  for (let row = 0; row < Math.min(rowCount, segments.length); row++) {
    if (segments[row] < 0) continue;
    counts[segments[row]]++;
    assigned++;
  }
  return counts.map((c) => (assigned ? c / assigned : 0));
}

/** Retrains kept per dataset for the panel: the latest first. */
const RETRAINS_KEPT = 10;

export class ModelService {
  private readonly retraining = new Map<number, Promise<unknown>>();
  private readonly retrains = new Map<number, RetrainRecord[]>();

  /** `onChange` tells open dashboards of a dataset to redraw; `now` is the clock records are stamped with. */
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    readonly policy: RetrainPolicy,
    private readonly onChange: (datasetId: number) => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Saves the segmentation these params show. The dataset's first becomes its active one:
   * its customers enter it on the change feed, as when a segmentation is activated.
   */
  async saveFit(params: SegmentationParams, name: string): Promise<SavedModel> {
    const result = await this.engine.segment(params);
    const { baseline, segments } = await this.engine.onTable<BaselineAndSegments>(params.datasetId, {
      op: 'baseline',
      pipeline: result.pipeline,
    });
    const activation = segmentationEntries(this.db, this.now().toISOString(), 'activation', params.datasetId, segments, 'model.activated');
    const model = { datasetId: params.datasetId, name: name.trim(), pipeline: result.pipeline, baseline, source: 'fitted' as const };
    // Another save may have become the first meanwhile: then this one is not active, and records nothing.
    return this.changed(await saveModel(this.db, model, (saved) => saved.active && activation(saved)));
  }

  /** `model`: the file's text, or the JSON body already parsed. */
  async importModel(datasetId: number, name: string, model: string | unknown): Promise<SavedModel> {
    const pipeline = typeof model === 'string' ? parseModelJson(model) : parseModel(model);
    const { baseline, segments } = await this.engine.onTable<BaselineAndSegments>(datasetId, { op: 'import', pipeline });
    const at = this.now().toISOString();
    const entries = segmentationEntries(this.db, at, 'import', datasetId, segments);
    const activation = segmentationChange(this.db, at, 'import', [], 'model.activated');
    const imported = { datasetId, name: name.trim(), pipeline, baseline, source: 'imported' as const };
    return this.changed(
      await saveModel(this.db, imported, (saved) => {
        entries(saved);
        if (saved.active) activation(saved);
      }),
    );
  }

  /** Makes a segmentation the one that assigns predictions and registrations. */
  async activate(id: number): Promise<SavedModel> {
    const model = getModel(this.db, id);
    // Active already: nothing changes, nothing to record or announce.
    if (model.active) return this.changed(model);
    const segments = await segmentOfEachCustomer(this.engine, model.datasetId, model.pipeline);
    const activation = segmentationEntries(this.db, this.now().toISOString(), 'activation', model.datasetId, segments, 'model.activated');
    return this.changed(await activateModel(this.db, id, activation));
  }

  /** The change feed after `since` (segment-changes.ts), with the segments' names. */
  changes(model: SavedModel, since: number, limit: number): (RecordedChange & { fromName: string | null; toName: string | null })[] {
    const name = (segment: number | null) => (segment === null ? null : (model.pipeline.segmentNames[segment] ?? null));
    return listChanges(this.db, model.id, since, limit).map((c) => ({ ...c, fromName: name(c.from), toName: name(c.to) }));
  }

  async delete(id: number): Promise<SavedModel> {
    const model = getModel(this.db, id);
    await deleteModel(this.db, id);
    return this.changed(model);
  }

  /** A segment's new name or playbook: every open page of the dataset redraws with it. */
  async labelSegment(id: number, segment: number, label: SegmentLabel): Promise<SavedModel> {
    return this.changed(await labelSegment(this.db, id, segment, label));
  }

  get(id: number): SavedModel {
    return getModel(this.db, id);
  }

  list(datasetId: number): SavedModel[] {
    return listModels(this.db, datasetId);
  }

  active(datasetId: number): SavedModel | undefined {
    return activeModel(this.db, datasetId);
  }

  async panel(datasetId: number): Promise<ModelsPanel> {
    const models = this.list(datasetId);
    const active = models.find((m) => m.active);
    return {
      models,
      active,
      drift: active ? await this.drift(active) : undefined,
      moves: active ? await this.lastRetrainMoves(active) : undefined,
      retrains: this.retrainsOf(datasetId),
      sinceRetrain: active ? changesSinceFit(this.db, active.id, active.fittedAt) : undefined,
      sizes: active ? sizesOverTime(this.db, active.id, active.pipeline.centroids.length) : undefined,
    };
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

  /** The segmentation as readable rules with their fidelity: the ones it adopted, else grown now from its centres. */
  async rules(model: SavedModel): Promise<ModelRules> {
    if (model.pipeline.rules) return adoptedRules(model.pipeline.rules, model.pipeline.segmentNames);
    return this.engine.onTable<ModelRules>(model.datasetId, { op: 'rules', pipeline: model.pipeline });
  }

  /**
   * Switches what assigns a saved segmentation's customers: its centres, or its rules (grown
   * now, then fixed in the model, so a CRM's filter and the dashboard agree while data
   * arrives). The customers the switch moves are recorded on the change feed of an active one.
   */
  async assignBy(id: number, by: AssignedBy): Promise<SavedModel> {
    const model = getModel(this.db, id);
    if (assignedBy(model.pipeline) === by) return this.changed(model);
    const centres = byCentres(model.pipeline);
    const rules = by === 'rules' ? adoptRules(await this.rules({ ...model, pipeline: centres })) : undefined;
    const before = await segmentOfEachCustomer(this.engine, model.datasetId, model.pipeline);
    const after = await segmentOfEachCustomer(this.engine, model.datasetId, rules ? { ...centres, rules } : centres);
    const moves = movesBetween(before, after, customerIds(this.db, model.datasetId));
    const switched = segmentationChange(this.db, this.now().toISOString(), 'assignment', moves);
    const shares = trainingShares(after, model.baseline.rowCount, centres.centroids.length);
    return this.changed(await setModelRules(this.db, id, model.fittedAt, rules, shares, (m) => m.active && switched(m)));
  }

  drift(model: SavedModel): Promise<DriftReport> {
    return this.engine.onTable<DriftReport>(model.datasetId, { op: 'drift', pipeline: model.pipeline, baseline: model.baseline });
  }

  /** Retrains a saved segmentation now: only the active one is, since it is the one that assigns. */
  async retrain(id: number): Promise<{ accepted: boolean; reason: string }> {
    const model = getModel(this.db, id);
    if (!model.active) throw new InputError('Only the active segmentation is retrained; activate it first.');
    return this.retrainActive(model.datasetId, false);
  }

  /** The dataset's retrains, the latest first. */
  retrainsOf(datasetId: number): RetrainRecord[] {
    return [...(this.retrains.get(datasetId) ?? [])];
  }

  /** Called after registrations: refits in the background once enough customers arrived. */
  considerRetraining(datasetId: number): boolean {
    const model = this.active(datasetId);
    if (!model || this.retraining.has(datasetId)) return false;
    const newCustomers = getDataset(this.db, datasetId).rowCount - model.baseline.rowCount;
    const minutes = (this.now().getTime() - Date.parse(model.fittedAt)) / 60_000;
    const due = newCustomers >= this.policy.afterCustomers || (newCustomers > 0 && minutes >= this.policy.afterMinutes);
    if (!due) return false;
    const run = this.retrainActive(datasetId, true)
      // Recorded by retrainActive: nobody waits for a background retrain, the panel shows it.
      .catch(() => {})
      .finally(() => this.retraining.delete(datasetId));
    this.retraining.set(datasetId, run);
    return true;
  }

  get busy(): boolean {
    return this.retraining.size > 0;
  }

  /** Resolves when no background retrain runs (shutdown, and tests that follow one). */
  async settled(): Promise<void> {
    while (this.retraining.size > 0) await Promise.all(this.retraining.values());
  }

  /** Refits the active model; replaces it only if the refit is not worse. Every outcome is recorded. */
  private async retrainActive(datasetId: number, background: boolean): Promise<{ accepted: boolean; reason: string }> {
    const model = this.active(datasetId);
    try {
      if (!model) throw new InputError('This dataset has no active saved segmentation to retrain.');
      const answer = await this.engine.onTable<RetrainAnswer>(datasetId, { op: 'retrain', pipeline: model.pipeline });
      if (answer.accepted && answer.refit) {
        const before = await segmentOfEachCustomer(this.engine, datasetId, model.pipeline);
        const after = await segmentOfEachCustomer(this.engine, datasetId, answer.refit.pipeline);
        const moves = movesBetween(before, after, customerIds(this.db, datasetId));
        const retrained = segmentationChange(this.db, this.now().toISOString(), 'retrain', moves, 'model.retrained');
        this.changed(await replaceModelFit(this.db, model.id, answer.refit.pipeline, answer.refit.baseline, retrained));
      }
      this.record(datasetId, { modelId: model.id, outcome: answer.accepted ? 'refitted' : 'kept', reason: answer.reason, background });
      return { accepted: answer.accepted, reason: answer.reason };
    } catch (error) {
      this.record(datasetId, { modelId: model?.id, outcome: 'failed', reason: (error as Error).message, background });
      throw error;
    }
  }

  private record(datasetId: number, entry: Omit<RetrainRecord, 'at'>): void {
    const list = [{ at: this.now().toISOString(), ...entry }, ...(this.retrains.get(datasetId) ?? [])].slice(0, RETRAINS_KEPT);
    this.retrains.set(datasetId, list);
    // A background retrain's outcome (refit or not) shows on open panels.
    if (entry.background) this.onChange(datasetId);
  }

  private changed(model: SavedModel): SavedModel {
    this.onChange(model.datasetId);
    return model;
  }
}
