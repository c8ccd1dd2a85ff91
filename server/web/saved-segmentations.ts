/** Saved segmentations: save, list, activate, delete, export/import JSON, compare, drift, retrain. */
import { assigningSql } from '../scoring/rules-sql.ts';
import { addModelRules } from './model-rules.ts';
import { fileStem, idParam, modelBody, scoreSqlQuery } from './model-http.ts';
import { formatCount } from '../format.ts';
import express, { Router, type Request, type Response } from 'express';
import type { ModelService } from '../models/model-service.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { parseSegmentationParams, resolveDataset } from './params.ts';
import { isHtmx } from './render.ts';
import { multipartUpload } from './uploads.ts';
import type { UploadStaging } from '../ingest/staging.ts';
import { readFile } from 'node:fs/promises';
import { NAME_MAX, nameText } from '../names.ts';
import { formFields, optionalDatasetQuery, parseInput, queryId } from './inputs.ts';
import { z } from 'zod';
import { flowChart } from './flow-chart.ts';
import { sizesChart } from './sizes-chart.ts';
import { getDataset } from '../store/datasets.ts';

import { MODEL_JSON_MAX_BYTES, PLAYBOOK_MAX } from '../models/model-schema.ts';

export interface ModelRoutesDeps {
  db: Db;
  models: ModelService;
  staging: UploadStaging;
}

/** ?since=SEQ&limit=N of the change feed: after the last seq seen, at most 10,000 at a time. */
const changesQuery = z.strictObject({
  since: z.coerce.number({ error: 'since must be a whole number (the last seq you have seen, 0 for all)' }).int().min(0).default(0),
  limit: z.coerce
    .number({ error: 'limit must be a whole number' })
    .int()
    .min(1)
    .max(10_000, { error: 'limit must be at most 10,000' })
    .default(1000),
});

/** `{ name?, playbook? }` for a segment: at least one, each within its limits. */
const segmentLabelBody = z
  .strictObject(
    {
      name: nameText('A segment name').optional(),
      playbook: z
        .string({ error: 'playbook must be text' })
        .trim()
        .max(PLAYBOOK_MAX, { error: `A playbook holds at most ${formatCount(PLAYBOOK_MAX)} characters.` })
        .optional(),
    },
    { error: 'Send {"name": "…", "playbook": "…"} (either or both).' },
  )
  .refine((b) => b.name !== undefined || b.playbook !== undefined, { error: 'Send a name, a playbook or both.' });

/** The :segment of a segments route: the index GET /api/models/:id gives (0 for the first), else 404. */
const segmentIndex = z
  .string()
  .regex(/^\d{1,3}$/, { error: 'segment must be a segment index (0 for the first), as GET /api/models/:id lists them.' })
  .transform(Number);
const segmentParam = (value: unknown): number => parseInput(segmentIndex, value, { status: 404, field: 'segment' });

/** `a` and `b` of a comparison: query parameters, so a wrong one is a 400. */
function compareId(req: Request, name: 'a' | 'b'): number {
  return queryId(req.query[name], name, `${name} (the id of a saved segmentation)`);
}

function modelName(value: unknown): string {
  if (value === undefined) throw new InputError(`Name the segmentation (1 to ${NAME_MAX} characters).`, { field: 'name' });
  return parseInput(nameText('A segmentation name'), value, { field: 'name' });
}

/** The dataset a models request is about: ?dataset=ID, or the default dataset. */
function datasetQuery(value: unknown): number | undefined {
  return parseInput(optionalDatasetQuery, value, { field: 'dataset' });
}

/** Saved segmentations: the JSON API under /api/models, and the Clusters tab's models panel. */
/** The Clusters view the request came from (htmx sends the page's address), to reload after a change; undefined elsewhere. */
function clustersViewOf(req: Request): string | undefined {
  const current = req.get('HX-Current-URL');
  if (!current) return undefined;
  try {
    const url = new URL(current);
    return url.pathname === '/clusters' ? `/clusters${url.search}` : undefined;
  } catch {
    return undefined;
  }
}

export function modelsRouter(deps: ModelRoutesDeps): Router {
  const router = Router();
  addModelApi(router, deps);
  addModelPanel(router, deps);
  addModelRules(router, deps);
  return router;
}

function addModelApi(router: Router, { db, models }: ModelRoutesDeps): void {
  router.get('/api/models', (req, res) => {
    const dataset = resolveDataset(db, datasetQuery(req.query.dataset));
    res.json(models.list(dataset.id).map(modelBody));
  });

  router.post('/api/models', async (req, res) => {
    const params = parseSegmentationParams(req.query, db, ['name']);
    const saved = await models.saveFit(params, modelName(req.query.name ?? (req.body as { name?: unknown })?.name));
    res.status(201).json(modelBody(saved));
  });

  router.get('/api/models/compare', async (req, res) => {
    res.json(await models.compare(compareId(req, 'a'), compareId(req, 'b')));
  });

  router.get('/api/models/:id', (req, res) => res.json(modelBody(models.get(idParam(req)))));

  router.get('/api/models/:id/export', (req, res) => {
    const model = models.get(idParam(req));
    res.attachment(`${fileStem(model.name)}.json`);
    res.type('application/json').send(JSON.stringify(model.pipeline, null, 2));
  });

  // Body: the exported JSON (a FittedPipeline), parsed by the app's JSON parser; ?dataset=ID&name=NAME.
  router.post('/api/models/import', async (req, res) => {
    const dataset = resolveDataset(db, datasetQuery(req.query.dataset));
    if (typeof req.body !== 'object' || req.body === null || Object.keys(req.body).length === 0) {
      throw new InputError('Send the exported model JSON as an application/json body.');
    }
    res.status(201).json(modelBody(await models.importModel(dataset.id, modelName(req.query.name), req.body ?? null)));
  });

  router.post('/api/models/:id/activate', async (req, res) => res.json(modelBody(await models.activate(idParam(req)))));
  router.delete('/api/models/:id', async (req, res) => {
    await models.delete(idParam(req));
    res.status(204).end();
  });
  router.patch('/api/models/:id/segments/:segment', async (req, res) => {
    const label = parseInput(segmentLabelBody, req.body ?? {});
    const model = await models.labelSegment(idParam(req), segmentParam(req.params.segment), label);
    res.json(modelBody(model));
  });

  // The saved segmentation as one SQL query, to score customers where they are.
  router.get('/api/models/:id/score.sql', (req, res) => {
    const model = models.get(idParam(req));
    const { dialect, table } = parseInput(scoreSqlQuery, req.query);
    const idColumn = getDataset(db, model.datasetId).columns.find((c) => c.kind === 'id')?.name;
    const sql = assigningSql(model.pipeline, { dialect, table, idColumn });
    res
      .type('application/sql; charset=utf-8')
      .attachment(`${fileStem(model.name)}-${dialect}.sql`)
      .send(sql);
  });

  // The change feed: who entered, left or moved, oldest first after ?since= (a seq already seen).
  router.get('/api/models/:id/changes', (req, res) => {
    const model = models.get(idParam(req));
    const { since, limit } = parseInput(changesQuery, req.query);
    const changes = models.changes(model, since, limit);
    res.json({
      changes: changes.map(({ seq, at, customerId, from, fromName, to, toName, cause }) => ({
        seq,
        at,
        customerId,
        from,
        fromName,
        to,
        toName,
        cause,
      })),
    });
  });

  router.get('/api/models/:id/drift', async (req, res) => res.json(await models.drift(models.get(idParam(req)))));
  router.post('/api/models/:id/retrain', async (req, res) => res.json(await models.retrain(idParam(req))));
}

/** The Clusters tab's panel: htmx forms that answer with the re-rendered panel. */
function addModelPanel(router: Router, { db, models, staging }: ModelRoutesDeps): void {
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  /** The panel of a dataset, with what the change just made says. */
  const renderPanel = async (res: Response, datasetId: number, extra: Record<string, unknown> = {}) => {
    const panel = await models.panel(datasetId);
    const movesChart = panel.moves ? flowChart(panel.moves, panel.moves.a.segmentNames, panel.moves.b.segmentNames) : undefined;
    const sizes =
      panel.sizes && panel.active && panel.sizes.at.length > 1 ? sizesChart(panel.sizes, panel.active.pipeline.segmentNames) : undefined;
    const source = getDataset(db, datasetId).source;
    res.render('partials/models-panel', { ...panel, movesChart, sizesChart: sizes, datasetId, source, message: undefined, ...extra });
  };

  router.get('/models', async (req, res) => {
    const dataset = resolveDataset(db, datasetQuery(req.query.dataset));
    if (!isHtmx(req)) {
      res.redirect(`/clusters?dataset=${dataset.id}`);
      return;
    }
    await renderPanel(res, dataset.id);
  });

  router.post('/models', form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const params = parseSegmentationParams(fields, db, ['modelName']);
    const saved = await models.saveFit(params, modelName(fields.modelName));
    res.status(201);
    // Saved from beside the results: they say so there too, and reload as the saved segmentation.
    await renderPanel(res, params.datasetId, {
      message: `Saved “${saved.name}”.`,
      savedNear: { name: saved.name, reload: clustersViewOf(req) },
    });
  });

  router.post('/models/import', multipartUpload(staging, MODEL_JSON_MAX_BYTES), async (req, res) => {
    const dataset = resolveDataset(db, datasetQuery((req.body as { dataset?: unknown }).dataset));
    if (!req.staged) throw new InputError('Choose an exported model JSON file.', { field: 'file' });
    try {
      const saved = await models.importModel(
        dataset.id,
        modelName((req.body as { modelName?: string }).modelName),
        await readFile(req.staged.path, 'utf8'),
      );
      res.status(201);
      await renderPanel(res, dataset.id, { message: `Imported “${saved.name}”.` });
    } finally {
      staging.discard(req.staged.token);
    }
  });

  router.post('/models/:id/activate', async (req, res) => {
    const model = await models.activate(idParam(req));
    await renderPanel(res, model.datasetId, { message: `“${model.name}” now assigns predictions and registrations.` });
  });

  router.post('/models/:id/delete', async (req, res) => {
    const model = await models.delete(idParam(req));
    await renderPanel(res, model.datasetId, { message: `Deleted “${model.name}”.` });
  });

  router.post('/models/:id/retrain', async (req, res) => {
    const model = models.get(idParam(req));
    const outcome = await models.retrain(model.id);
    await renderPanel(res, model.datasetId, {
      message: outcome.accepted ? `Retrained: ${outcome.reason}.` : `Kept the current fit: ${outcome.reason}.`,
    });
  });

  // A segment renamed on its profile card: a confirmation there, and the view reloaded with the name.
  router.patch('/models/:id/segments/:segment/card', form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const label = parseInput(segmentLabelBody, { name: fields.segmentName, playbook: fields.playbook });
    const segment = segmentParam(req.params.segment);
    const model = await models.labelSegment(idParam(req), segment, label);
    res.render('partials/rename-confirmation', { name: model.pipeline.segmentNames[segment], segment, reload: clustersViewOf(req) });
  });

  // Inline editing of a segment's name and playbook in the models panel.
  router.patch('/models/:id/segments/:segment', form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const label = parseInput(segmentLabelBody, { name: fields.segmentName, playbook: fields.playbook });
    const model = await models.labelSegment(idParam(req), segmentParam(req.params.segment), label);
    await renderPanel(res, model.datasetId, {
      message:
        `Segment ${segmentParam(req.params.segment) + 1} of “${model.name}” is now ` +
        `“${model.pipeline.segmentNames[segmentParam(req.params.segment)]}”.`,
    });
  });

  router.get('/models/compare', async (req, res) => {
    const comparison = await models.compare(compareId(req, 'a'), compareId(req, 'b'));
    res.render('partials/model-compare', {
      comparison,
      flows: flowChart(comparison, comparison.a.segmentNames, comparison.b.segmentNames),
    });
  });
}
