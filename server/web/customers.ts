/** Registering customers: JSON API and the dashboard form. */
import express, { Router, type Request } from 'express';
import { setNamed } from '../analysis/named.ts';
import { getDataset } from '../store/datasets.ts';
import { registerWithModel, type RegistrationDeps } from '../engine/registration.ts';
import type { LiveEvents } from './events.ts';
import { namesSegmentation, parseSegmentationParams } from './params.ts';
import { CUSTOMER_PREFIX } from './predict.ts';
import { formFields, parseInput } from './inputs.ts';

export function customersRouter(deps: RegistrationDeps & { events: LiveEvents }): Router {
  const { db, events } = deps;
  const router = Router();
  router.get('/events', events.handle);

  router.post('/api/customers', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const customers = await registerWithModel(deps, params, req.body, namesSegmentation(req.query));
    res.status(201).json({ customers });
  });

  // The Predict tab's "Register" button sends the same form fields as the prediction.
  router.post('/customers', express.urlencoded({ extended: false, limit: '64kb' }), async (req: Request, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const params = parseSegmentationParams(fields, db, [`${CUSTOMER_PREFIX}*`]);
    const { columns } = getDataset(db, params.datasetId);
    const customer: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (!key.startsWith(CUSTOMER_PREFIX) || value === '') continue;
      const name = key.slice(CUSTOMER_PREFIX.length);
      const column = columns.find((c) => c.name === name);
      setNamed(customer, name, column?.kind === 'numeric' ? Number(value) : value);
    }
    const [registered] = await registerWithModel(deps, params, customer, namesSegmentation(fields));
    res.status(201).render('partials/registration-result', { registered });
  });
  return router;
}
