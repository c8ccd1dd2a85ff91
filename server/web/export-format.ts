/**
 * CSV and Excel writers for export tables, safe to open in a spreadsheet. Both stream: rows
 * are written in batches, yielding to other requests between them, so exporting a million
 * customers neither holds them all in memory nor stalls the server.
 */
import { formatCount } from '../format.ts';
import { csvCell, neutraliseFormula } from '../ingest/csv-cell.ts';
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InputError } from '../errors.ts';
import { guessDayFirst, parseDate } from '../ingest/transactions.ts';
import type { ExportCell, ExportFormat, ExportTable } from './export-tables.ts';

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

/** Decimals a share keeps in CSV: 39.65%, not 0.3965014577259475. */
const SHARE_DECIMALS = 4;
/** Significant digits a computed number keeps: 12.85, not 12.850000000000001. */
const NUMBER_DIGITS = 6;

/** A cell without float noise: shares to 4 decimals, computed numbers to 6 significant digits. */
export function exportValue(value: ExportCell, format: ExportFormat | undefined): ExportCell {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  if (format === 'share') return Number(value.toFixed(SHARE_DECIMALS));
  if (format === 'number') return Number(value.toPrecision(NUMBER_DIGITS));
  return value;
}

const csvLine = (cells: readonly ExportCell[], formats?: readonly ExportFormat[]) =>
  `${cells.map((c, i) => csvCell(exportValue(c, formats?.[i]))).join(',')}\r\n`;

/** Writes the table as CSV to `out` and ends it; stops early if `out` is closed. */
export async function writeCsv(table: ExportTable, out: Writable): Promise<void> {
  let batch = csvLine(table.headers);
  let count = 0;
  for (const row of table.rows) {
    batch += csvLine(row, table.formats);
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

/** Excel's number format for each kind of column. */
const EXCEL_FORMATS: Record<ExportFormat, string> = {
  integer: '#,##0',
  share: '0.0%',
  number: '#,##0.00',
  text: '@',
  date: 'yyyy-mm-dd hh:mm',
  raw: 'General',
};

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
    throw new InputError(
      `Excel exports stop at ${formatCount(EXCEL_MAX_ROWS)} rows, and this one has ${formatCount(table.rowCount)}. Export CSV instead: ` +
        `it has no limit.`,
    );
  }
  // Loaded on the first Excel export: the library costs the server about 28 MB of memory.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true });
  workbook.creator = 'Customer Segments';
  const formats = table.formats ?? [];
  const lastColumn = Math.max(1, table.headers.length);
  // A filter on the header row and the header frozen: a manager sorts and filters at once.
  const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: lastColumn } };
  sheet.columns = table.headers.map((h, i) => ({
    width: Math.min(40, Math.max(10, h.length + 2)),
    style: { numFmt: EXCEL_FORMATS[formats[i] ?? 'raw'] },
  }));
  const header = sheet.addRow(table.headers.map(excelText));
  header.font = { bold: true };
  header.commit();
  // Dates are read day-first or month-first as the first rows tell, once per column.
  const rows = table.rows[Symbol.iterator]();
  const first: ExportCell[][] = [];
  let next = rows.next();
  while (!next.done && first.length < BATCH_ROWS) {
    first.push(next.value);
    next = rows.next();
  }
  const dayFirst = formats.map((f, i) => f === 'date' && guessDayFirst(first.map((r) => String(r[i] ?? '')).filter((v) => v !== '')));
  const cell = (v: ExportCell, i: number): ExportCell | Date => {
    if (typeof v === 'string' && formats[i] === 'date') {
      const when = parseDate(v, dayFirst[i]);
      return Number.isFinite(when) ? new Date(when) : excelText(v);
    }
    return typeof v === 'string' ? excelText(v) : exportValue(v, formats[i]);
  };
  const write = (row: ExportCell[]) => sheet.addRow(row.map(cell)).commit();
  for (const row of first) write(row);
  for (let count = first.length; !next.done; next = rows.next()) {
    write(next.value);
    if (++count % BATCH_ROWS === 0) await nextTurn();
  }
  sheet.commit();
  await workbook.commit();
}
