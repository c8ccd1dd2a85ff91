/**
 * CSV and Excel writers for export tables, safe to open in a spreadsheet. Both stream: rows
 * are written in batches, yielding to other requests between them, so exporting a million
 * customers neither holds them all in memory nor stalls the server.
 */
import { csvCell, neutraliseFormula } from '../ingest/csv-cell.ts';
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InputError } from '../errors.ts';
import type { ExportCell, ExportTable } from './export-tables.ts';

/** Rows written between turns of the event loop (a few milliseconds of work). */
const BATCH_ROWS = 500;

/**
 * Rows an Excel export may have. exceljs compresses the workbook behind the rows it is
 * given without holding them back, so a workbook's cost in server memory grows with its
 * size (about 0.4 KB a row): 150,000 rows stay within the server's memory budget, as
 * Power BI's Excel export caps at 150,000 too. CSV streams any size.
 */
export const EXCEL_MAX_ROWS = 150_000;

export { neutraliseFormula };

const csvLine = (cells: readonly ExportCell[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** Writes the table as CSV to `out` and ends it; stops early if `out` is closed. */
export async function writeCsv(table: ExportTable, out: Writable): Promise<void> {
  let batch = csvLine(table.headers);
  let count = 0;
  for (const row of table.rows) {
    batch += csvLine(row);
    if (++count % BATCH_ROWS === 0) {
      if (!(await writeAndWait(out, batch))) return;
      batch = '';
    }
  }
  if (await writeAndWait(out, batch)) out.end();
}

/**
 * Writes, waits for the reader, then yields to the event loop: on a fast socket the write
 * completes at once and "drain" comes in the same tick, so waiting for it alone ran the
 * whole export without serving another request (300,000 rows: /healthz waited 350 ms).
 * False when the reader went away.
 */
async function writeAndWait(out: Writable, chunk: string): Promise<boolean> {
  if (out.destroyed) return false;
  if (!out.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done).off('close', done);
        resolve();
      };
      out.on('drain', done).on('close', done);
    });
  }
  await nextTurn();
  return !out.destroyed;
}

/** Excel refuses a cell of more than 32,767 characters (the file will not open). */
export const EXCEL_MAX_CELL = 32_767;
const CUT_MARKER = '… [cut at Excel’s 32,767-character limit]';

/** A text cell as Excel takes it: formulas neutralised, and cut with a marker past Excel's limit. */
export function excelText(text: string): string {
  const safe = neutraliseFormula(text);
  return safe.length > EXCEL_MAX_CELL ? safe.slice(0, EXCEL_MAX_CELL - CUT_MARKER.length) + CUT_MARKER : safe;
}

/** Writes the table as an Excel workbook to the file at `path`. */
export async function writeXlsx(table: ExportTable, path: string): Promise<void> {
  if (table.rowCount > EXCEL_MAX_ROWS) {
    throw new InputError(`Excel exports stop at ${EXCEL_MAX_ROWS.toLocaleString('en-US')} rows, and this one has ${table.rowCount.toLocaleString('en-US')}. Export CSV instead: it has no limit.`);
  }
  // Loaded on the first Excel export: the library costs the server about 28 MB of memory.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true });
  workbook.creator = 'Customer Segments';
  const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.headers.map((h) => ({ width: Math.min(40, Math.max(10, h.length + 2)) }));
  const header = sheet.addRow(table.headers.map(excelText));
  header.font = { bold: true };
  header.commit();
  let count = 0;
  for (const row of table.rows) {
    sheet.addRow(row.map((v) => (typeof v === 'string' ? excelText(v) : v))).commit();
    if (++count % BATCH_ROWS === 0) await nextTurn();
  }
  sheet.commit();
  await workbook.commit();
}
