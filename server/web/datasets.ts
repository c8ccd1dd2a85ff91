/** Datasets page: upload with preview, import, rename, delete. */
import { basename } from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import { InputError } from '../errors.ts';
import type { UploadStaging } from '../ingest/staging.ts';
import { previewCsv } from '../ingest/stream-import.ts';
import { describeTransactions, importFile } from '../ingest/import-file.ts';
import type { Db } from '../store/db.ts';
import { deleteDataset, getDataset, listDatasets, renameDataset, type DatasetInfo } from '../store/datasets.ts';
import { delimiterName, KIND_LABELS, KIND_PREFIX, KINDS, parseImportChoices, ROLE_PREFIX } from '../ingest/import-options.ts';
import { NOT_DEFAULT_FEATURE, ROLE_LABELS, ROLES } from '../analysis/roles.ts';
import { deriveRfmFromDataset } from '../ingest/stored-rfm.ts';
import { isHtmx } from './render.ts';
import { multipartUpload } from './uploads.ts';
import { datasetIdParam, parseInput, renameBody } from './inputs.ts';

export interface DatasetRoutesDeps {
  db: Db;
  staging: UploadStaging;
  maxUploadBytes: number;
}

function defaultName(originalName: string | undefined): string {
  const base = basename(originalName ?? 'Imported data')
    .replace(/\.(csv|txt|tsv)$/i, '')
    .trim();
  return base.slice(0, 120) || 'Imported data';
}

export function datasetsRouter({ db, staging, maxUploadBytes }: DatasetRoutesDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 2000 });

  const renderList = (req: Request, res: Response, locals: Record<string, unknown> = {}) => {
    const datasets = listDatasets(db);
    const page = {
      tab: 'datasets',
      datasets,
      dataset: datasets[0],
      query: datasets[0] ? `dataset=${datasets[0].id}` : '',
      preview: undefined,
      imported: undefined,
      maxUploadMb: Math.round(maxUploadBytes / 1e6),
      ...locals,
    };
    res.vary('HX-Request');
    res.render(isHtmx(req) ? 'partials/dataset-list' : 'datasets', page);
  };

  const renderPreview = async (req: Request, res: Response, token: string, originalName?: string) => {
    const choices = parseImportChoices(req.body ?? {});
    const plan = await previewCsv(staging.existingPath(token), { ...choices, maxBytes: maxUploadBytes });
    const locals = {
      token,
      plan,
      delimiter: delimiterName(plan.delimiter),
      name: choices.name ?? defaultName(originalName),
      kindPrefix: KIND_PREFIX,
      kinds: KINDS,
      kindLabels: KIND_LABELS,
      rolePrefix: ROLE_PREFIX,
      roles: ROLES,
      roleLabels: ROLE_LABELS,
      notDefault: NOT_DEFAULT_FEATURE,
    };
    if (isHtmx(req)) res.render('partials/import-preview', locals);
    else renderList(req, res, { preview: locals });
  };

  router.get('/datasets', (req, res) => renderList(req, res));

  router.post('/datasets/preview', multipartUpload(staging, maxUploadBytes), async (req, res) => {
    if (!req.staged || !req.file) throw new InputError('Choose a CSV file to upload.', { field: 'file' });
    staging.sweep();
    try {
      staging.keep(req.staged.token);
      await renderPreview(req, res, req.staged.token, req.staged.originalName);
    } catch (error) {
      staging.discard(req.staged.token);
      throw error;
    }
  });

  router.post('/datasets/preview/:token', form, async (req, res) => {
    await renderPreview(req, res, String(req.params.token));
  });

  router.post('/datasets/import/:token', form, async (req, res) => {
    const token = String(req.params.token);
    const path = staging.existingPath(token);
    const choices = parseImportChoices(req.body ?? {});
    const options = { ...choices, name: choices.name ?? 'Imported data', maxBytes: maxUploadBytes };
    const { dataset, transactions } = await importFile(db, path, options);
    const imported: { dataset: DatasetInfo; note?: string } = transactions
      ? { dataset, note: describeTransactions(transactions) }
      : { dataset };
    staging.discard(token);
    res.status(201);
    if (isHtmx(req)) res.render('partials/import-result', { imported, datasets: listDatasets(db) });
    else renderList(req, res, { imported });
  });

  // The notice every tab shows a transaction log imported as lines posts here.
  router.post('/datasets/:id/rfm', form, async (req, res) => {
    const { dataset } = await deriveRfmFromDataset(db, datasetIdParam(req.params));
    res.redirect(303, `/clusters?dataset=${dataset.id}`);
  });

  router.post('/datasets/:id/rename', form, async (req, res) => {
    const { name } = parseInput(renameBody, req.body ?? {}, { field: 'name' });
    await renameDataset(db, datasetIdParam(req.params), name);
    renderList(req, res);
  });

  router.post('/datasets/:id/delete', async (req, res) => {
    await deleteDataset(db, getDataset(db, datasetIdParam(req.params)).id);
    renderList(req, res);
  });

  return router;
}
