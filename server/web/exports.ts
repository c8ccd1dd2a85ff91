/** Exports of the current segmentation: segments and customers, as CSV or Excel. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import type { Engine } from '../engine/engine.ts';
import type { Db } from '../store/db.ts';
import { getDataset, rowPages } from '../store/datasets.ts';
import { writeCsv, writeXlsx } from './export-format.ts';
import { customersTable, segmentsTable, type ExportTable } from './export-tables.ts';
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

export function exportsRouter(db: Db, engine: Engine): Router {
  const router = Router();
  for (const format of ['csv', 'xlsx'] as const) {
    router.get(`/export/segments.${format}`, async (req, res) => {
      const result = await engine.segment(parseSegmentationParams(req.query, db));
      await send(res, segmentsTable(result), 'segments', format);
    });
    router.get(`/export/customers.${format}`, async (req, res) => {
      const params = parseSegmentationParams(req.query, db);
      const result = await engine.segment(params);
      const columns = getDataset(db, params.datasetId).columns.map((c) => c.name);
      await send(res, customersTable(result, columns, rowPages(db, params.datasetId, result.rowCount)), 'customers', format);
    });
  }
  return router;
}
