/** Registering customers: JSON API and the dashboard form. */
import express, { Router, type Request } from 'express';
import { predictCustomer } from '../analysis/predict.ts';
import type { DataTable } from '../analysis/table.ts';
import type { Engine, SegmentationParams } from '../engine/engine.ts';
import type { ModelService } from '../engine/models.ts';
import { validateRegistrations } from '../ingest/registration.ts';
import { registerCustomers, type RegisteredCustomer } from '../store/customers.ts';
import type { Db } from '../store/db.ts';
import { getDataset, type CellValue } from '../store/datasets.ts';
import type { LiveEvents } from './events.ts';
import { parseSegmentationParams } from './params.ts';
import { CUSTOMER_PREFIX } from './predict.ts';

/** Validates, assigns a segment under the current model, stores: one transaction. */
async function register(deps: CustomerDeps, params: SegmentationParams, body: unknown): Promise<RegisteredCustomer[]> {
  const { db, engine, events, models } = deps;
  const table: DataTable = engine.table(params.datasetId);
  const rows = validateRegistrations(table, body);
  // The active saved segmentation assigns new customers; without one, the requested one does.
  const active = models.active(params.datasetId);
  const pipeline = active?.pipeline ?? (await engine.segment(params)).pipeline;
  const features = [...pipeline.preprocessor.numeric, ...pipeline.preprocessor.categorical].map((s) => s.name);
  const columnIndex = new Map(table.columns.map((c, i) => [c.name, i]));
  const registrations = rows.map((row: CellValue[]) => {
    const customer = Object.fromEntries(features.map((f) => [f, row[columnIndex.get(f)!]]));
    const prediction = predictCustomer(pipeline, customer);
    return { row, segment: prediction.segment, segmentName: prediction.name };
  });
  const model = active ? `saved:${active.id}` : JSON.stringify({ k: pipeline.options.k, algorithm: pipeline.options.algorithm, features, seed: pipeline.options.seed });
  const registered = registerCustomers(db, params.datasetId, model, registrations);
  events.notify(params.datasetId, getDataset(db, params.datasetId).version);
  models.considerRetraining(params.datasetId);
  return registered;
}

export interface CustomerDeps {
  db: Db;
  engine: Engine;
  events: LiveEvents;
  models: ModelService;
}

export function customersRouter(deps: CustomerDeps): Router {
  const { db, engine, events } = deps;
  const router = Router();
  router.get('/events', events.handle);

  router.post('/api/customers', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const customers = await register(deps, params, req.body);
    res.status(201).json({ customers });
  });

  // The Predict tab's "Register" button sends the same form fields as the prediction.
  router.post('/customers', express.urlencoded({ extended: false, limit: '64kb' }), async (req: Request, res) => {
    const fields = (req.body ?? {}) as Record<string, string>;
    const params = parseSegmentationParams(fields, db);
    const table = engine.table(params.datasetId);
    const customer: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (!key.startsWith(CUSTOMER_PREFIX) || value === '') continue;
      const name = key.slice(CUSTOMER_PREFIX.length);
      const column = table.columns.find((c) => c.name === name);
      customer[name] = column?.kind === 'numeric' ? Number(value) : value;
    }
    const [registered] = await register(deps, params, customer);
    res.status(201).render('partials/registration-result', { registered });
  });
  return router;
}
