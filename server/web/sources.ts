/**
 * Warehouse sources over HTTP: a dataset added from a DuckDB file or a PostgreSQL table
 * (POST /api/datasets with a JSON body naming its source), a test of a source before adding
 * it, its aggregates over every row, and a saved segmentation scored in place.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import type { ModelService } from '../models/model-service.ts';
import { NAME_MAX, nameText } from '../names.ts';
import type { SourceService } from '../sources/source-service.ts';
import { parseSourceSpec, sourceLabel } from '../sources/source-spec.ts';
import { NotFoundError } from '../errors.ts';
import { getDataset, listDatasets } from '../store/datasets.ts';
import type { DatasetSource } from '../store/dataset-sources.ts';
import type { Db } from '../store/db.ts';
import { datasetIdParam, formFields, parseInput } from './inputs.ts';
import { idParam } from './model-http.ts';
import { runContext } from './run-context.ts';

/** `{ name, source }`: a source dataset's name and where its customers are. */
const sourceBody = z.object(
  { name: nameText('A dataset name'), source: z.unknown() },
  { error: `Send {"name": "…", "source": {"engine": "duckdb", "path": "…"}} (a name of 1 to ${NAME_MAX} characters).` },
);

const scoreBody = z.strictObject(
  {
    table: z.string({ error: 'table must be text' }).trim().min(1).max(200, { error: 'table must be at most 200 characters' }).optional(),
    path: z.string({ error: 'path must be text' }).min(1).max(1000, { error: 'path must be at most 1,000 characters' }).optional(),
  },
  { error: 'Send {"table": "…"} for a database source or {"path": "….parquet"} for a file source.' },
);

/** A source as the API tells it: never the URL's password. */
export const sourceBodyOf = (s: DatasetSource) => ({
  engine: s.engine,
  label: sourceLabel(s.engine, s.location, s.table),
  totalRows: s.totalRows,
  sampleSize: s.sampleRows,
});

/** The Datasets tab's source form as a source spec: the fields of its engine, blanks left out. */
function specOfForm(fields: Record<string, string>): unknown {
  const given = (name: string) => (fields[name]?.trim() ? fields[name].trim() : undefined);
  if (fields.engine === 'postgres') return { engine: 'postgres', url: given('url'), table: given('table') };
  return { engine: fields.engine, path: given('path'), ...(given('table') ? { table: given('table') } : {}) };
}

export function sourcesRouter({ db, models, sources }: { db: Db; models: ModelService; sources: SourceService }): Router {
  const router = Router();

  // A JSON body names a source; a CSV body or a multipart upload goes on to the import (api.ts).
  router.post('/api/datasets', async (req, res, next) => {
    // Only a JSON body naming a source is one; anything else goes on to the CSV import (api.ts), which says what it takes.
    const body = req.body as { source?: unknown } | undefined;
    if (!req.is('application/json') || !body || typeof body !== 'object' || body.source === undefined) {
      next();
      return;
    }
    const { name, source } = parseInput(sourceBody, body);
    const added = await sources.add(name, parseSourceSpec(source), runContext(req, res).signal);
    const { id, version, columns } = added.dataset;
    res
      .status(201)
      .json({ id, name: added.dataset.name, rowCount: added.source.totalRows, version, columns, source: sourceBodyOf(added.source) });
  });

  // The "test" of a source before it is added: its size and columns, read in place.
  router.post('/api/sources/test', async (req, res) => {
    const body = (req.body ?? {}) as { source?: unknown };
    res.json(await sources.probe(parseSourceSpec(body.source), runContext(req, res).signal));
  });

  router.get('/api/datasets/:id/source', (req, res) => {
    const dataset = getDataset(db, datasetIdParam(req.params));
    const source = sources.source(dataset.id);
    if (!source) throw new NotFoundError(`“${dataset.name}” is stored in the dashboard; it has no source.`);
    res.json({ ...sourceBodyOf(source), profile: source.profile });
  });

  // Every row of the source scored inside its engine, into one table or Parquet file.
  router.post('/api/models/:id/score', async (req, res) => {
    const target = parseInput(scoreBody, req.body ?? {});
    res.json(await sources.score(models.get(idParam(req)), target, new Date().toISOString(), runContext(req, res).signal));
  });

  // The Datasets tab: test a source, then add it.
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  router.post('/datasets/source/test', form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    res.render('partials/source-result', {
      probe: await sources.probe(parseSourceSpec(specOfForm(fields)), runContext(req, res).signal),
      added: undefined,
    });
  });
  router.post('/datasets/source', form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const name = parseInput(nameText('A dataset name'), fields.name ?? '', { field: 'name' });
    const added = await sources.add(name, parseSourceSpec(specOfForm(fields)), runContext(req, res).signal);
    res.status(201).render('partials/source-result', { probe: undefined, added, datasets: listDatasets(db) });
  });

  // The models panel's "Score every row" of a source dataset's saved segmentation.
  router.post('/models/:id/score', form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const into = fields.into?.trim() ?? '';
    const target = /\.parquet$/i.test(into) ? { path: into } : { table: into || undefined };
    const model = models.get(idParam(req));
    res.render('partials/model-score', {
      model,
      answer: await sources.score(model, parseInput(scoreBody, target), new Date().toISOString(), runContext(req, res).signal),
    });
  });

  return router;
}
