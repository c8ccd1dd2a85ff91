/** Registering customers: JSON API and the dashboard form. */
import express, { Router, type Request } from 'express';
import { getDataset } from '../store/datasets.ts';
import { customerOfFields, registerWithModel, type RegistrationDeps } from '../registration/register.ts';
import { namesSegmentation, parseSegmentationParams } from './params.ts';
import { CUSTOMER_PREFIX } from './predict.ts';
import { formFields, parseInput } from './inputs.ts';

export function customersRouter(deps: RegistrationDeps): Router {
  const { db } = deps;
  const router = Router();

  router.post('/api/customers', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const customers = await registerWithModel(deps, params, req.body, namesSegmentation(req.query));
    res.status(201).json({ customers });
  });

  // The Predict tab's "Register" button sends the same form fields as the prediction.
  router.post('/customers', express.urlencoded({ extended: false, limit: '64kb' }), async (req: Request, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const params = parseSegmentationParams(fields, db, [`${CUSTOMER_PREFIX}*`]);
    const customer = customerOfFields(getDataset(db, params.datasetId).columns, fields, CUSTOMER_PREFIX);
    const [registered] = await registerWithModel(deps, params, customer, namesSegmentation(fields));
    res.status(201).render('partials/registration-result', { registered });
  });
  return router;
}
