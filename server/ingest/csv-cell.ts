/** Cells of the CSV files the dashboard writes (exports, `npm run score`). */

/**
 * A text cell that starts like a formula (= + - @, tab, carriage return) is prefixed with
 * an apostrophe, so a spreadsheet shows it as text instead of running it.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV cell: empty for null, quoted where it holds a quote, comma or line break. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = neutraliseFormula(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
