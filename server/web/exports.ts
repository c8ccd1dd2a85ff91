/** Exports of the current segmentation: segments and customers, as CSV or Excel. */
import { Router, type Response } from 'express';
import type { Engine } from '../engine/engine.ts';
import type { Db } from '../store/db.ts';
import { getDataset, iterateRows } from '../store/datasets.ts';
import { toCsv, toXlsx } from './export-format.ts';
import { customersTable, segmentsTable, type ExportTable } from './export-tables.ts';
import { parseSegmentationParams } from './params.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function send(res: Response, table: ExportTable, name: string, format: 'csv' | 'xlsx'): Promise<void> {
  res.attachment(`${name}.${format}`);
  if (format === 'csv') res.type('text/csv; charset=utf-8').send(toCsv(table));
  else res.type(XLSX_TYPE).send(await toXlsx(table));
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
      await send(res, customersTable(result, columns, iterateRows(db, params.datasetId, result.rowCount)), 'customers', format);
    });
  }
  return router;
}
