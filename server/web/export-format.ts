/** CSV and Excel writers for export tables, safe to open in a spreadsheet. */
import type { ExportCell, ExportTable } from './export-tables.ts';

/**
 * A text cell that starts like a formula (= + - @, tab, carriage return) is prefixed with
 * an apostrophe, so a spreadsheet shows it as text instead of running it.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(value: ExportCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = neutraliseFormula(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: ExportTable): string {
  const lines = [table.headers.map(csvCell), ...table.rows.map((row) => row.map(csvCell))];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

export async function toXlsx(table: ExportTable): Promise<Buffer> {
  // Loaded on the first Excel export: the library costs the server about 28 MB of memory.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Customer Segments';
  const sheet = workbook.addWorksheet(table.sheetName);
  const header = sheet.addRow(table.headers.map(neutraliseFormula));
  header.font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of table.rows) sheet.addRow(row.map((v) => (typeof v === 'string' ? neutraliseFormula(v) : v)));
  sheet.columns.forEach((column, i) => {
    column.width = Math.min(40, Math.max(10, table.headers[i].length + 2));
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
