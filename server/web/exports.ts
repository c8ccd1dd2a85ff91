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
import { segmentationOfQuery } from './query-segmentation.ts';
import { audienceTable } from './audience-table.ts';
import { parseInput } from './inputs.ts';
import { NotFoundError } from '../errors.ts';
import { z } from 'zod';

const audienceSegment = z
  .string()
  .regex(/^\d{1,3}$/, { error: 'segment must be a segment index (0 for the first), as GET /api/models/:id lists them.' })
  .transform(Number);

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
      const { source } = await segmentationOfQuery(db, engine, req.query);
      await send(res, segmentsTable(source), 'segments', format);
    });
    router.get(`/export/customers.${format}`, async (req, res) => {
      const { datasetId, source } = await segmentationOfQuery(db, engine, req.query);
      const { columns } = getDataset(db, datasetId);
      await send(res, customersTable(source, columns, rowPages(db, datasetId, source.rowCount)), 'customers', format);
    });
    // One segment's customers, for a campaign tool: :segment is its index (0 for the first), as GET /api/models/:id lists them.
    router.get(`/api/models/:id/segments/:segment/members.${format}`, async (req, res) => {
      const { datasetId, source, model } = await segmentationOfQuery(db, engine, { model: req.params.id });
      const segment = parseInput(audienceSegment, req.params.segment, { status: 404, field: 'segment' });
      if (segment >= source.segments.length) {
        throw new NotFoundError(`"${model!.name}" has segments 0 to ${source.segments.length - 1}; there is no segment ${segment}.`);
      }
      const { columns } = getDataset(db, datasetId);
      const name = `${source.segments[segment].name.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'segment'}-audience`;
      await send(res, audienceTable(source, segment, columns, rowPages(db, datasetId, source.rowCount)), name, format);
    });
  }
  return router;
}
