/**
 * A saved segmentation as rules: the API (rules, rules.sql, the choice of what assigns) and
 * the rules region drawn in the models panel and on the Clusters tab.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { ModelService } from '../models/model-service.ts';
import { rulesSql } from '../scoring/rules-sql.ts';
import { getDataset } from '../store/datasets.ts';
import type { Db } from '../store/db.ts';
import { parseInput } from './inputs.ts';
import { fileStem, idParam, modelBody, scoreSqlQuery } from './model-http.ts';

/** `{ by }`: what assigns the segmentation's customers from now on. */
const assignmentBody = z.strictObject(
  { by: z.enum(['centres', 'rules'], { error: 'by must be "centres" (as fitted) or "rules" (the segmentation\'s rules).' }) },
  { error: 'Send {"by": "rules"} or {"by": "centres"}.' },
);

/** The two places the rules region is drawn: the models panel, or beside the Clusters tab's segment cards. */
const regionOf = (value: unknown) => (value === 'cluster-rules' ? 'cluster-rules' : 'model-rules');

export function addModelRules(router: Router, { db, models }: { db: Db; models: ModelService }): void {
  router.get('/api/models/:id/rules', async (req, res) => {
    const { ordered: _ordered, ...rules } = await models.rules(models.get(idParam(req)));
    res.json(rules);
  });

  // The rules as one SELECT, for a CRM or warehouse that needs a filter rather than centres.
  router.get('/api/models/:id/rules.sql', async (req, res) => {
    const model = models.get(idParam(req));
    const { dialect, table } = parseInput(scoreSqlQuery, req.query);
    const idColumn = getDataset(db, model.datasetId).columns.find((c) => c.kind === 'id')?.name;
    const sql = rulesSql(model.pipeline, await models.rules(model), { dialect, table, idColumn });
    res
      .type('application/sql; charset=utf-8')
      .attachment(`${fileStem(model.name)}-rules-${dialect}.sql`)
      .send(sql);
  });

  // "Use the rules": they assign predictions, registrations, audiences, exports, the feed and score.sql.
  router.post('/api/models/:id/assignment', async (req, res) => {
    const { by } = parseInput(assignmentBody, req.body ?? {});
    const model = await models.assignBy(idParam(req), by);
    res.json(modelBody(model));
  });

  // A saved segmentation's rules, fidelity and audiences, asked for from its entry in the panel or the Clusters tab.
  router.get('/models/:id/rules', async (req, res) => {
    const model = models.get(idParam(req));
    res.render('partials/model-rules', { model, rules: await models.rules(model), region: regionOf(req.query.region) });
  });

  router.post('/models/:id/assignment', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { by } = parseInput(assignmentBody, { by: body.by });
    const model = await models.assignBy(idParam(req), by);
    const message =
      by === 'rules'
        ? `The rules now assign “${model.name}”: predictions, registrations, audiences, exports and score.sql follow them.`
        : `The centres assign “${model.name}” again, as it was fitted.`;
    res.render('partials/model-rules', { model, rules: await models.rules(model), region: regionOf(body.region), message });
  });
}
