/** Saved segmentations: save, list, activate, delete, export/import JSON, compare, drift, retrain. */
import express, { Router, type Request, type Response } from 'express';
import type { Engine } from '../engine/engine.ts';
import type { ModelService } from '../engine/models.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { activateModel, deleteModel, getModel, listModels, type SavedModel } from '../store/models.ts';
import { parseSegmentationParams, resolveDataset } from './params.ts';
import { isHtmx } from './render.ts';
import { multipartUpload } from './uploads.ts';
import type { UploadStaging } from '../ingest/staging.ts';
import { readFile } from 'node:fs/promises';
import { formFields, nameSchema, optionalDatasetQuery, parseInput, pathId, queryId } from './inputs.ts';

export interface ModelRoutesDeps {
  db: Db;
  engine: Engine;
  models: ModelService;
  staging: UploadStaging;
}

const modelBody = (m: SavedModel) => ({
  id: m.id, datasetId: m.datasetId, name: m.name, source: m.source, active: m.active, refits: m.refits,
  createdAt: m.createdAt, fittedAt: m.fittedAt, k: m.pipeline.centroids.length, algorithm: m.pipeline.options.algorithm,
  features: [...m.pipeline.preprocessor.numeric, ...m.pipeline.preprocessor.categorical].map((s) => s.name),
  segmentNames: m.pipeline.segmentNames,
});

function idParam(req: Request, name = 'id'): number {
  return pathId(req.params[name] ?? req.query[name], `${name} (the id of a saved segmentation)`);
}

/** `a` and `b` of a comparison: query parameters, so a wrong one is a 400. */
function compareId(req: Request, name: 'a' | 'b'): number {
  return queryId(req.query[name], name, `${name} (the id of a saved segmentation)`);
}

function modelName(value: unknown): string {
  return parseInput(nameSchema('Name the segmentation (1 to 200 characters).'), value, { field: 'name' });
}

/** The dataset a models request is about: ?dataset=ID, or the default dataset. */
function datasetQuery(value: unknown): number | undefined {
  return parseInput(optionalDatasetQuery, value, { field: 'dataset' });
}

export function modelsRouter({ db, engine, models, staging }: ModelRoutesDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  /** The panel on the Clusters tab, for the dataset of the request. */
  const renderPanel = async (req: Request, res: Response, datasetId: number, extra: Record<string, unknown> = {}) => {
    const list = listModels(db, datasetId);
    const active = list.find((m) => m.active);
    const drift = active ? await models.drift(active) : undefined;
    res.render('partials/models-panel', { models: list, active, drift, datasetId, message: undefined, ...extra });
  };

  router.get('/api/models', (req, res) => {
    const dataset = resolveDataset(db, datasetQuery(req.query.dataset));
    res.json(listModels(db, dataset.id).map(modelBody));
  });

  router.post('/api/models', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const saved = await models.saveFit(params.datasetId, modelName(req.query.name ?? (req.body as { name?: unknown })?.name), await engine.segment(params));
    res.status(201).json(modelBody(saved));
  });

  router.get('/api/models/compare', async (req, res) => {
    res.json(await models.compare(compareId(req, 'a'), compareId(req, 'b')));
  });

  router.get('/api/models/:id', (req, res) => res.json(modelBody(getModel(db, idParam(req)))));

  router.get('/api/models/:id/export', (req, res) => {
    const model = getModel(db, idParam(req));
    res.attachment(`${model.name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'segmentation'}.json`);
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

  router.post('/api/models/:id/activate', async (req, res) => res.json(modelBody(await activateModel(db, idParam(req)))));
  router.delete('/api/models/:id', async (req, res) => {
    await deleteModel(db, idParam(req));
    res.status(204).end();
  });
  router.get('/api/models/:id/drift', async (req, res) => res.json(await models.drift(getModel(db, idParam(req)))));
  router.post('/api/models/:id/retrain', async (req, res) => {
    const model = getModel(db, idParam(req));
    if (!model.active) throw new InputError('Only the active segmentation is retrained; activate it first.');
    res.json(await models.retrainNow(model.datasetId));
  });

  // The Clusters tab's panel: htmx forms that answer with the re-rendered panel.
  router.get('/models', async (req, res) => {
    const dataset = resolveDataset(db, datasetQuery(req.query.dataset));
    if (!isHtmx(req)) {
      res.redirect(`/clusters?dataset=${dataset.id}`);
      return;
    }
    await renderPanel(req, res, dataset.id);
  });

  router.post('/models', form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const params = parseSegmentationParams(fields, db);
    const saved = await models.saveFit(params.datasetId, modelName(fields.modelName), await engine.segment(params));
    res.status(201);
    await renderPanel(req, res, params.datasetId, { message: `Saved “${saved.name}”.` });
  });

  router.post('/models/import', multipartUpload(staging, 20_000_000), async (req, res) => {
    const dataset = resolveDataset(db, datasetQuery((req.body as { dataset?: unknown }).dataset));
    if (!req.staged) throw new InputError('Choose an exported model JSON file.', { field: 'file' });
    try {
      const saved = await models.importModel(dataset.id, modelName((req.body as { modelName?: string }).modelName), await readFile(req.staged.path, 'utf8'));
      res.status(201);
      await renderPanel(req, res, dataset.id, { message: `Imported “${saved.name}”.` });
    } finally {
      staging.discard(req.staged.token);
    }
  });

  router.post('/models/:id/activate', async (req, res) => {
    const model = await activateModel(db, idParam(req));
    await renderPanel(req, res, model.datasetId, { message: `“${model.name}” now assigns predictions and registrations.` });
  });

  router.post('/models/:id/delete', async (req, res) => {
    const model = getModel(db, idParam(req));
    await deleteModel(db, model.id);
    await renderPanel(req, res, model.datasetId, { message: `Deleted “${model.name}”.` });
  });

  router.post('/models/:id/retrain', async (req, res) => {
    const model = getModel(db, idParam(req));
    if (!model.active) throw new InputError('Only the active segmentation is retrained; activate it first.');
    const outcome = await models.retrainNow(model.datasetId);
    await renderPanel(req, res, model.datasetId, { message: outcome.accepted ? `Retrained: ${outcome.reason}.` : `Kept the current fit: ${outcome.reason}.` });
  });

  router.get('/models/compare', async (req, res) => {
    const comparison = await models.compare(compareId(req, 'a'), compareId(req, 'b'));
    res.render('partials/model-compare', { comparison });
  });

  return router;
}
