/**
 * Registering customers: validate against the dataset, assign a segment under the active
 * saved model (or the requested segmentation), store both in one transaction, then tell
 * open dashboards and the retraining policy.
 */
import { predictCustomer } from '../analysis/predict.ts';
import { validateRegistrations } from '../ingest/registration.ts';
import { registerCustomers, type RegisteredCustomer } from '../store/customers.ts';
import type { Db } from '../store/db.ts';
import { getDataset, type CellValue } from '../store/datasets.ts';
import type { Engine, SegmentationParams } from './engine.ts';
import type { ModelService } from './models.ts';

export interface RegistrationDeps {
  db: Db;
  engine: Engine;
  events: { notify(datasetId: number, version: number): void };
  models: ModelService;
}

/** Validates, assigns a segment under the current model, stores: one transaction. */
export async function registerWithModel(deps: RegistrationDeps, params: SegmentationParams, body: unknown): Promise<RegisteredCustomer[]> {
  const { db, engine, events, models } = deps;
  const { columns } = getDataset(db, params.datasetId);
  const rows = validateRegistrations(columns, await engine.columnRanges(params.datasetId, { latest: true }), body);
  // The active saved segmentation assigns new customers; without one, the requested one does.
  const active = models.active(params.datasetId);
  const pipeline = active?.pipeline ?? (await engine.segment(params)).pipeline;
  const features = [...pipeline.preprocessor.numeric, ...pipeline.preprocessor.categorical].map((s) => s.name);
  const columnIndex = new Map(columns.map((c, i) => [c.name, i]));
  const registrations = rows.map((row: CellValue[]) => {
    const customer = Object.fromEntries(features.map((f) => [f, row[columnIndex.get(f)!]]));
    const prediction = predictCustomer(pipeline, customer);
    return { row, segment: prediction.segment, segmentName: prediction.name };
  });
  const model = active ? `saved:${active.id}` : JSON.stringify({ k: pipeline.options.k, algorithm: pipeline.options.algorithm, features, seed: pipeline.options.seed });
  const registered = await registerCustomers(db, params.datasetId, model, registrations);
  events.notify(params.datasetId, getDataset(db, params.datasetId).version);
  models.considerRetraining(params.datasetId);
  return registered;
}

