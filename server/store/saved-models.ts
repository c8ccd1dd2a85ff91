/** Saved segmentations: the whole fitted pipeline and its training baseline, one active per dataset. */
import type { TrainingBaseline } from '../analysis/drift.ts';
import type { FittedPipeline } from '../segmentation/predict.ts';
import type { AssigningRules } from '../segmentation/rule-types.ts';
import { optionsKey, type SegmentationOptions } from '../segmentation/options.ts';
import { InputError, NotFoundError } from '../errors.ts';
import { newId, type Db } from './db.ts';
import { writeGate } from './write-gate.ts';

export interface SavedModel {
  id: number;
  datasetId: number;
  name: string;
  pipeline: FittedPipeline;
  baseline: TrainingBaseline;
  source: 'fitted' | 'imported';
  active: boolean;
  refits: number;
  createdAt: string;
  fittedAt: string;
  /** The fit the last accepted retraining replaced (none before the first). */
  previousPipeline?: FittedPipeline;
}

interface ModelRow {
  id: number;
  dataset_id: number;
  name: string;
  pipeline: string;
  baseline: string;
  source: 'fitted' | 'imported';
  active: number;
  refits: number;
  created_at: string;
  fitted_at: string;
  previous_pipeline: string | null;
}

const toModel = (r: ModelRow): SavedModel => ({
  id: r.id,
  datasetId: r.dataset_id,
  name: r.name,
  pipeline: JSON.parse(r.pipeline) as FittedPipeline,
  baseline: JSON.parse(r.baseline) as TrainingBaseline,
  source: r.source,
  active: r.active === 1,
  refits: r.refits,
  createdAt: r.created_at,
  fittedAt: r.fitted_at,
  ...(r.previous_pipeline ? { previousPipeline: JSON.parse(r.previous_pipeline) as FittedPipeline } : {}),
});

/** What else a change of a saved model writes, in its transaction (the change feed, webhook deliveries). */
export type AlsoWrite = (model: { id: number; active: boolean }) => void;

export async function saveModel(
  db: Db,
  model: { datasetId: number; name: string; pipeline: FittedPipeline; baseline: TrainingBaseline; source: 'fitted' | 'imported' },
  also: AlsoWrite = () => {},
): Promise<SavedModel> {
  const id = await writeGate(db).run(
    db.transaction(() => {
      const exists = db.prepare('SELECT 1 FROM saved_models WHERE dataset_id = ? AND name = ?').get(model.datasetId, model.name);
      if (exists)
        throw new InputError(
          `A saved segmentation named "${model.name.slice(0, 60)}" already exists for this dataset; choose another name.`,
          { field: 'name', status: 409 },
        );
      const info = db
        .prepare(
          `INSERT INTO saved_models (id, dataset_id, name, pipeline, baseline, source) VALUES (${newId('saved_models')}, ?, ?, ?, ?, ?)`,
        )
        .run(model.datasetId, model.name, JSON.stringify(model.pipeline), JSON.stringify(model.baseline), model.source);
      const savedId = Number(info.lastInsertRowid);
      // The first saved model of a dataset becomes its active one.
      const active = db.prepare('SELECT 1 FROM saved_models WHERE dataset_id = ? AND active = 1').get(model.datasetId);
      if (!active) db.prepare('UPDATE saved_models SET active = 1 WHERE id = ?').run(savedId);
      also({ id: savedId, active: !active });
      return savedId;
    }),
  );
  return getModel(db, id);
}

export function listModels(db: Db, datasetId: number): SavedModel[] {
  return (db.prepare('SELECT * FROM saved_models WHERE dataset_id = ? ORDER BY id').all(datasetId) as ModelRow[]).map(toModel);
}

/**
 * The saved segmentation of the dataset made with exactly these options and this k, if
 * any. Reads only each model's options from its JSON (SQLite's json_extract): the Clusters
 * tab asks on every view, and parsing every model's pipeline and baseline each time cost
 * more than the rest of a cached view.
 */
export function findModelWithOptions(db: Db, datasetId: number, options: Partial<SegmentationOptions>, k: number): SavedModel | undefined {
  const wanted = optionsKey(options);
  const rows = db
    .prepare(
      "SELECT id, json_extract(pipeline, '$.options') AS options, json_array_length(pipeline, '$.centroids') AS k FROM saved_models " +
        'WHERE dataset_id = ? ORDER BY id',
    )
    .all(datasetId) as { id: number; options: string; k: number }[];
  const match = rows.find((r) => r.k === k && optionsKey(JSON.parse(r.options) as Partial<SegmentationOptions>) === wanted);
  return match ? getModel(db, match.id) : undefined;
}

export function getModel(db: Db, id: number): SavedModel {
  const row = db.prepare('SELECT * FROM saved_models WHERE id = ?').get(id) as ModelRow | undefined;
  if (!row) throw new NotFoundError(`There is no saved segmentation with id ${id}.`);
  return toModel(row);
}

export function activeModel(db: Db, datasetId: number): SavedModel | undefined {
  const row = db.prepare('SELECT * FROM saved_models WHERE dataset_id = ? AND active = 1').get(datasetId) as ModelRow | undefined;
  return row ? toModel(row) : undefined;
}

export async function activateModel(db: Db, id: number, also: AlsoWrite = () => {}): Promise<SavedModel> {
  const model = getModel(db, id);
  await writeGate(db).run(
    db.transaction(() => {
      // Deleted while its customers were being assigned: nothing to activate, nothing to record.
      getModel(db, id);
      db.prepare('UPDATE saved_models SET active = 0 WHERE dataset_id = ?').run(model.datasetId);
      db.prepare('UPDATE saved_models SET active = 1 WHERE id = ?').run(id);
      also({ id, active: true });
    }),
  );
  return getModel(db, id);
}

export async function deleteModel(db: Db, id: number): Promise<void> {
  getModel(db, id);
  await writeGate(db).run(() => db.prepare('DELETE FROM saved_models WHERE id = ?').run(id));
}

/** A segment's name and playbook as its users give them; either may be left as it is. */
export interface SegmentLabel {
  name?: string;
  playbook?: string;
}

/**
 * Renames a saved segmentation's segment and sets its playbook, in its pipeline (so they
 * travel with the model's export and survive retraining), in one write.
 */
export async function labelSegment(db: Db, id: number, segment: number, label: SegmentLabel): Promise<SavedModel> {
  await writeGate(db).run(
    db.transaction(() => {
      const model = getModel(db, id);
      const k = model.pipeline.centroids.length;
      if (!Number.isInteger(segment) || segment < 0 || segment >= k)
        throw new NotFoundError(`Saved segmentation ${id} has segments 0 to ${k - 1}; there is no segment ${segment}.`);
      const pipeline = {
        ...model.pipeline,
        segmentNames: [...model.pipeline.segmentNames],
        segmentPlaybooks: model.pipeline.segmentPlaybooks ? [...model.pipeline.segmentPlaybooks] : new Array<string>(k).fill(''),
      };
      if (label.name !== undefined) pipeline.segmentNames[segment] = label.name;
      if (label.playbook !== undefined) pipeline.segmentPlaybooks[segment] = label.playbook;
      db.prepare('UPDATE saved_models SET pipeline = ? WHERE id = ?').run(JSON.stringify(pipeline), id);
    }),
  );
  return getModel(db, id);
}

/** Replaces a model's fit after an accepted retraining. */
export async function replaceModelFit(
  db: Db,
  id: number,
  pipeline: FittedPipeline,
  baseline: TrainingBaseline,
  also: AlsoWrite = () => {},
): Promise<SavedModel> {
  await writeGate(db).run(
    db.transaction(() => {
      const model = getModel(db, id);
      db.prepare(
        'UPDATE saved_models SET previous_pipeline = pipeline, pipeline = ?, baseline = ?, refits = refits + 1, fitted_at = ' +
          "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
      ).run(JSON.stringify(pipeline), JSON.stringify(baseline), id);
      also({ id, active: model.active });
    }),
  );
  return getModel(db, id);
}

/**
 * Adopts rules as a model's assignment, or drops them for its centres (`rules` undefined),
 * with the training shares of its segments under that assignment. Names and playbooks are
 * kept as they are now; a model refitted since `fittedAt` is left alone (its centres are not
 * the ones the rules were grown for) and the caller is told to try again.
 */
export async function setModelRules(
  db: Db,
  id: number,
  fittedAt: string,
  rules: AssigningRules | undefined,
  segmentShares: number[],
  also: AlsoWrite = () => {},
): Promise<SavedModel> {
  await writeGate(db).run(
    db.transaction(() => {
      const model = getModel(db, id);
      if (model.fittedAt !== fittedAt) {
        throw new InputError(`“${model.name}” was retrained meanwhile; choose its assignment again.`, { status: 409 });
      }
      const { rules: _old, ...centres } = model.pipeline;
      const pipeline: FittedPipeline = rules ? { ...centres, rules } : centres;
      db.prepare('UPDATE saved_models SET pipeline = ?, baseline = ? WHERE id = ?').run(
        JSON.stringify(pipeline),
        JSON.stringify({ ...model.baseline, segmentShares }),
        id,
      );
      also({ id, active: model.active });
    }),
  );
  return getModel(db, id);
}
