/** The JSON API: datasets, segments, sweep, predict. Shapes as DESIGN.md fixes them. */
import { Router } from 'express';
import type { StabilityResult } from '../analysis/stability.ts';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { CustomerInput } from '../analysis/transform.ts';
import { assignCustomer } from '../models/assignment.ts';
import type { Engine } from '../engine/engine.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import type { UploadStaging } from '../ingest/staging.ts';
import { importFile } from '../ingest/import-file.ts';
import { deleteDataset, getDataset, listDatasets, renameDataset, type DatasetInfo } from '../store/datasets.ts';
import { parseImportChoices } from '../ingest/import-options.ts';
import { multipartUpload, stageRawBody, type StagedUpload } from './uploads.ts';
import { namesSegmentation, parseSegmentationParams } from './params.ts';
import { transactionLogHint } from '../ingest/transactions.ts';
import type { ModelService } from '../models/model-service.ts';
import { runContext } from './run-context.ts';
import { datasetIdParam, parseInput, predictBody, renameBody, rfmBody } from './inputs.ts';
import { deriveRfmFromDataset } from '../ingest/stored-rfm.ts';
import { allSources } from '../store/dataset-sources.ts';
import { sourceBodyOf } from './sources.ts';

const finite = (v: number) => (Number.isFinite(v) ? v : null);

export function segmentsBody(result: SegmentationResult, stability: StabilityResult) {
  return {
    params: result.options,
    metrics: {
      inertia: finite(result.metrics.inertia),
      silhouette: finite(result.metrics.silhouette),
      silhouetteSampled: result.metrics.silhouetteSampled,
      daviesBouldin: finite(result.metrics.daviesBouldin),
      calinskiHarabasz: finite(result.metrics.calinskiHarabasz),
      stability: finite(stability.meanAri),
    },
    segments: result.segments.map((s) => ({
      id: s.id,
      name: s.name,
      size: s.size,
      share: s.share,
      centroid: s.centroid,
      recommendation: s.recommendation,
      playbook: s.playbook ?? '',
      distinguishing: s.distinguishing,
      outcomes: s.outcomes,
      outcomesOverall: s.outcomesOverall,
      valueShare: s.valueShare,
      ...(s.products ? { products: s.products } : {}),
    })),
    noise: result.noiseCount,
    preprocessing: result.report,
    pca: {
      explainedVarianceRatio: result.pca.explainedVarianceRatio.slice(0, 2),
      components: result.pca.components,
      features: result.outputNames,
    },
    notes: result.notes,
    model: result.savedModel ?? null,
  };
}

export interface ApiDeps {
  db: Db;
  engine: Engine;
  models: ModelService;
  staging: UploadStaging;
  maxUploadBytes: number;
}

const datasetBody = ({ id, name, rowCount, version, columns }: DatasetInfo) => ({ id, name, rowCount, version, columns });

export function apiRouter({ db, engine, models, staging, maxUploadBytes }: ApiDeps): Router {
  const router = Router();
  const multipart = multipartUpload(staging, maxUploadBytes);

  router.get('/api/datasets', (_req, res) => {
    const sources = allSources(db);
    res.json(
      listDatasets(db).map((d) => {
        const source = sources.get(d.id);
        // A source dataset counts the source's rows; the dashboard works on its sample (source.sampleSize).
        return source ? { ...datasetBody(d), rowCount: source.totalRows, source: sourceBodyOf(source) } : datasetBody(d);
      }),
    );
  });

  // ?name=NAME with a text/csv body, or multipart with the fields file and name.
  router.post(
    '/api/datasets',
    async (req, res, next) => {
      if (req.is('multipart/form-data')) {
        multipart(req, res, next);
        return;
      }
      if (!req.is('text/*'))
        throw new InputError(
          'Send the CSV as a text/csv body with ?name=NAME, or as multipart with the fields "file" and "name"; ' +
            'or JSON {"name": "…", "source": {…}} to read a warehouse table in place.',
          {
            status: 415,
          },
        );
      req.staged = await stageRawBody(req, staging, maxUploadBytes);
      next();
    },
    async (req, res) => {
      const staged: StagedUpload | undefined = req.staged;
      if (!staged || (req.is('multipart/form-data') && !req.file))
        throw new InputError('Send the CSV in the multipart field "file".', { field: 'file' });
      try {
        const choices = parseImportChoices({ ...req.query, ...(req.body && typeof req.body === 'object' ? req.body : {}) });
        if (!choices.name) throw new InputError('Name the dataset: ?name=NAME, or a "name" field.', { field: 'name' });
        const options = { ...choices, name: choices.name, maxBytes: maxUploadBytes };
        const { dataset, transactions } = await importFile(db, staged.path, options);
        const hint = transactions ? undefined : transactionLogHint(dataset.columns);
        res.status(201).json({ ...datasetBody(dataset), ...(transactions ? { transactions } : {}), ...(hint ? { hint } : {}) });
      } finally {
        staging.discard(staged.token);
      }
    },
  );

  router.post('/api/datasets/:id/rfm', async (req, res) => {
    const { name } = parseInput(rfmBody, req.body ?? {}, { field: 'name' });
    const { dataset, report } = await deriveRfmFromDataset(db, datasetIdParam(req.params), name);
    res.status(201).json({ ...datasetBody(dataset), transactions: report });
  });

  router.patch('/api/datasets/:id', async (req, res) => {
    const { name } = parseInput(renameBody, req.body ?? {}, { field: 'name' });
    res.json(datasetBody(await renameDataset(db, datasetIdParam(req.params), name)));
  });

  router.delete('/api/datasets/:id', async (req, res) => {
    await deleteDataset(db, datasetIdParam(req.params));
    res.status(204).end();
  });

  router.get('/api/segments', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const context = runContext(req, res);
    const result = await engine.shown(params, context);
    res.json(segmentsBody(result, await engine.stability(params.datasetId, result, context)));
  });

  router.get('/api/sweep', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const sweep = await engine.sweep(params, runContext(req, res));
    res.json({
      recommendedK: sweep.recommendedK,
      elbowK: sweep.elbowK,
      rule: sweep.rule,
      algorithm: sweep.algorithm,
      rows: sweep.rows.map((r) => ({
        k: r.k,
        inertia: r.inertia,
        silhouette: finite(r.silhouette),
        daviesBouldin: finite(r.daviesBouldin),
        calinskiHarabasz: finite(r.calinskiHarabasz),
        smallestShare: r.smallestShare,
        largestShare: r.largestShare ?? null,
        ...(r.bic === undefined ? {} : { bic: r.bic }),
      })),
      votes: sweep.votes,
      notes: sweep.notes,
    });
  });

  router.post('/api/predict', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const { customer } = parseInput(predictBody, req.body ?? {}, { field: 'customer' });
    const columns = getDataset(db, params.datasetId).columns.map((c) => c.name);
    const { prediction, model: active } = await assignCustomer(
      engine,
      models,
      params,
      namesSegmentation(req.query),
      customer as CustomerInput,
      columns,
      runContext(req, res),
    );
    res.json({
      segment: prediction.segment,
      name: prediction.name,
      distances: prediction.distances,
      point: prediction.point,
      ignored: prediction.ignored,
      explanation: prediction.explanation,
      ...(prediction.rule ? { rule: prediction.rule } : {}),
      ...(prediction.probabilities ? { probabilities: prediction.probabilities } : {}),
      model: active ? { id: active.id, name: active.name } : null,
    });
  });

  return router;
}
