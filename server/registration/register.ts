/**
 * Registering customers: validate against the dataset, assign a segment under the active
 * saved model (or the requested segmentation), store both in one transaction, then tell
 * open dashboards and the retraining policy.
 */
import { InputError } from '../errors.ts';
import type { FittedPipeline } from '../segmentation/fitted-pipeline.ts';
import { pipelineFeatures } from '../segmentation/fitted-pipeline.ts';
import { setNamed } from '../analysis/named.ts';
import { predictCustomer } from '../segmentation/predict.ts';
import { validateRegistrations } from './registration-checks.ts';
import { registerCustomers, type RegisteredCustomer } from '../store/registered-customers.ts';
import type { Db } from '../store/db.ts';
import { getDataset, type CellValue } from '../store/datasets.ts';
import type { Engine, SegmentationParams } from '../engine/engine.ts';
import { assigningSegmentation } from '../models/assignment.ts';
import type { ModelService } from '../models/model-service.ts';

export interface RegistrationDeps {
  db: Db;
  engine: Engine;
  events: { notify(datasetId: number, version: number): void };
  models: ModelService;
}

/**
 * Validates, assigns a segment, stores: one transaction. The segmentation that assigns is
 * the one a prediction with the same request would use (engine/assignment.ts).
 */
export async function registerWithModel(
  deps: RegistrationDeps,
  params: SegmentationParams,
  body: unknown,
  namesParameters = false,
): Promise<RegisteredCustomer[]> {
  const { db, engine, events, models } = deps;
  const { columns, source } = getDataset(db, params.datasetId);
  if (source) {
    // Its customers are the source's: one added here would be in the sample and nowhere else.
    throw new InputError(
      'This dataset is read in place from its source: add the customer there, then predict their segment here (POST /api/predict), ' +
        'or score every row in place.',
      { status: 409 },
    );
  }
  const rows = validateRegistrations(columns, await engine.columnRanges(params.datasetId, { latest: true }), body);
  const { pipeline, model: active } = await assigningSegmentation(engine, models, params, namesParameters);
  const features = pipelineFeatures(pipeline);
  const columnIndex = new Map(columns.map((c, i) => [c.name, i]));
  const saved = models.list(params.datasetId);
  const recordOf = (row: CellValue[], names: readonly string[]) => Object.fromEntries(names.map((f) => [f, row[columnIndex.get(f)!]]));
  const registrations = rows.map((row: CellValue[]) => {
    const prediction = predictCustomer(pipeline, recordOf(row, features));
    // The customer enters each saved segmentation of the dataset: the change feed records it.
    const memberships = saved.map((m) => ({
      modelId: m.id,
      segment: segmentUnder(m.pipeline, recordOf(row, pipelineFeatures(m.pipeline))),
    }));
    return { row, segment: prediction.segment, segmentName: prediction.name, memberships };
  });
  const model = active
    ? `saved:${active.id}`
    : JSON.stringify({ k: pipeline.options.k, algorithm: pipeline.options.algorithm, features, seed: pipeline.options.seed });
  const registered = await registerCustomers(db, params.datasetId, model, registrations);
  events.notify(params.datasetId, getDataset(db, params.datasetId).version);
  models.considerRetraining(params.datasetId);
  // The segment's playbook, where its users wrote one, travels with the answer.
  return registered.map((r) => {
    const playbook = r.segment >= 0 ? pipeline.segmentPlaybooks?.[r.segment] : undefined;
    return playbook ? { ...r, playbook } : r;
  });
}

/** The customer's segment under a saved segmentation, -1 where it leaves the customer out (a gap under "drop"). */
function segmentUnder(pipeline: FittedPipeline, customer: Record<string, CellValue>): number {
  try {
    return predictCustomer(pipeline, customer).segment;
  } catch (error) {
    if (error instanceof InputError) return -1;
    throw error;
  }
}

/** A customer from a form's fields (`prefix` + column name): numbers for numeric columns, blanks left out. */
export function customerOfFields(
  columns: readonly { name: string; kind: string }[],
  fields: Record<string, string>,
  prefix: string,
): Record<string, string | number> {
  const customer: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith(prefix) || value === '') continue;
    const name = key.slice(prefix.length);
    const column = columns.find((c) => c.name === name);
    setNamed(customer, name, column?.kind === 'numeric' ? Number(value) : value);
  }
  return customer;
}
