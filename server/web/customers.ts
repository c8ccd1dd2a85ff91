/** Registering customers: JSON API and the dashboard form. */
import express, { Router, type Request } from 'express';
import { predictCustomer } from '../analysis/predict.ts';
import type { DataTable } from '../analysis/table.ts';
import type { Engine, SegmentationParams } from '../engine/engine.ts';
import { validateRegistrations } from '../ingest/registration.ts';
import { registerCustomers, type RegisteredCustomer } from '../store/customers.ts';
import type { Db } from '../store/db.ts';
import { getDataset, type CellValue } from '../store/datasets.ts';
import type { LiveEvents } from './events.ts';
import { parseSegmentationParams } from './params.ts';
import { CUSTOMER_PREFIX } from './predict.ts';

/** Validates, assigns a segment under the current model, stores: one transaction. */
async function register(db: Db, engine: Engine, events: LiveEvents, params: SegmentationParams, body: unknown): Promise<RegisteredCustomer[]> {
  const table: DataTable = engine.table(params.datasetId);
  const rows = validateRegistrations(table, body);
  const result = await engine.segment(params);
  const columnIndex = new Map(table.columns.map((c, i) => [c.name, i]));
  const registrations = rows.map((row: CellValue[]) => {
    const customer = Object.fromEntries(result.featureNames.map((f) => [f, row[columnIndex.get(f)!]]));
    const prediction = predictCustomer(result.pipeline, customer);
    return { row, segment: prediction.segment, segmentName: prediction.name };
  });
  const model = JSON.stringify({ k: result.k, algorithm: result.options.algorithm, features: result.featureNames, seed: result.options.seed });
  const registered = registerCustomers(db, params.datasetId, model, registrations);
  events.notify(params.datasetId, getDataset(db, params.datasetId).version);
  return registered;
}

export function customersRouter(db: Db, engine: Engine, events: LiveEvents): Router {
  const router = Router();
  router.get('/events', events.handle);

  router.post('/api/customers', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const customers = await register(db, engine, events, params, req.body);
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
    const [registered] = await register(db, engine, events, params, customer);
    res.status(201).render('partials/registration-result', { registered });
  });
  return router;
}
