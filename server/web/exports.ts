/** Exports of the current segmentation: segments and customers, as CSV or Excel. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import type { Engine } from '../engine/engine.ts';
import type { Db } from '../store/db.ts';
import { getDataset, rowPages } from '../store/datasets.ts';
import { writeCsv, writeXlsx } from './export-format.ts';
import { customersTable, segmentsTable, type ExportedSegmentation, type ExportTable } from './export-tables.ts';
import type { ModelAssignment } from '../analysis/model-ops.ts';
import { getModel } from '../store/models.ts';
import { InputError } from '../errors.ts';
import { queryId } from './inputs.ts';
import { parseSegmentationParams } from './params.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * CSV streams straight to the client. A workbook is a zip whose parts are written as rows
 * arrive, so it goes to a temporary file first and is sent from there.
 */
async function send(res: Response, table: ExportTable, name: string, format: 'csv' | 'xlsx'): Promise<void> {
  if (format === 'csv') {
    res.attachment(`${name}.csv`).type('text/csv; charset=utf-8');
    await writeCsv(table, res);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'cs-export-'));
  try {
    const path = join(dir, `${name}.xlsx`);
    await writeXlsx(table, path);
    res.attachment(`${name}.xlsx`).type(XLSX_TYPE);
    await new Promise<void>((resolve, reject) => res.sendFile(path, (error) => (error && !res.headersSent ? reject(error) : resolve())));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What to export: with `model=ID` a saved segmentation (its assignment of the dataset's
 * customers, its names and playbooks), otherwise the one the parameters describe.
 */
async function exported(db: Db, engine: Engine, query: Record<string, unknown>): Promise<{ datasetId: number; source: ExportedSegmentation }> {
  if (query.model !== undefined) {
    const others = Object.keys(query).filter((name) => name !== 'model');
    if (others.length > 0) {
      throw new InputError(`model= names a saved segmentation, which fixes its dataset and every setting: leave out ${others.slice(0, 5).map((n) => `"${n.slice(0, 60)}"`).join(', ')}, or leave out model= to export by parameters.`, { field: others[0] });
    }
    const model = getModel(db, queryId(query.model, 'model', 'model (the id of a saved segmentation)'));
    const assignment = await engine.onTable<ModelAssignment>(model.datasetId, { op: 'assign', pipeline: model.pipeline });
    return { datasetId: model.datasetId, source: { ...assignment, pipeline: model.pipeline } };
  }
  const params = parseSegmentationParams(query, db);
  return { datasetId: params.datasetId, source: await engine.shown(params) };
}

export function exportsRouter(db: Db, engine: Engine): Router {
  const router = Router();
  for (const format of ['csv', 'xlsx'] as const) {
    router.get(`/export/segments.${format}`, async (req, res) => {
      const { source } = await exported(db, engine, req.query);
      await send(res, segmentsTable(source), 'segments', format);
    });
    router.get(`/export/customers.${format}`, async (req, res) => {
      const { datasetId, source } = await exported(db, engine, req.query);
      const { columns } = getDataset(db, datasetId);
      await send(res, customersTable(source, columns, rowPages(db, datasetId, source.rowCount)), 'customers', format);
    });
  }
  return router;
}
