/** Reading one cell of a user's CSV: missing markers, and numbers as people write them. */

/** Spreadsheet error cells (#DIV/0! and the like): a formula that failed, so no value. */
export const SPREADSHEET_ERRORS = new Set([
  '#div/0!',
  '#value!',
  '#n/a',
  '#ref!',
  '#name?',
  '#num!',
  '#null!',
  '#error!',
  '#spill!',
  '#calc!',
  '#getting_data',
]);

const MISSING_MARKERS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-', '?', 'missing', ...SPREADSHEET_ERRORS]);

export function isSpreadsheetError(raw: string): boolean {
  return raw.length <= 13 && raw.charCodeAt(0) === 35 && SPREADSHEET_ERRORS.has(raw.trim().toLowerCase());
}

export function isMissing(raw: string): boolean {
  if (raw === '') return true;
  // Fast exit for the common case (a value starting with a digit, or too long to be a marker):
  // this runs for every cell of a million-row import.
  const first = raw.charCodeAt(0);
  if ((first >= 48 && first <= 57) || raw.length > 13) return false;
  return MISSING_MARKERS.has(raw.trim().toLowerCase());
}

const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

// Currency symbols and codes, percent signs, and spaces used as thousands separators.
const NUMBER_DECORATION = /^[\s$€£¥]*(usd|eur|gbp)?\s*|\s*(usd|eur|gbp|%)?\s*$/gi;

/**
 * Parses "1,234.50", "$1,234", "(12)" and "1 234" as numbers; returns NaN when the text is
 * not a number. A comma is taken as a thousands separator only in groups of three digits.
 */
export function parseNumber(raw: string): number {
  if (PLAIN_NUMBER.test(raw)) return Number(raw);
  let text = raw.trim();
  if (text === '') return Number.NaN;
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  text = text.replace(NUMBER_DECORATION, '');
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  else if (/^[-+]?\d{1,3}( \d{3})+(\.\d+)?$/.test(text)) text = text.replace(/ /g, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number.NaN;
  const value = Number(text);
  return negative ? -value : value;
}

const ISO_DATE = /^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const TIME = '( \\d{1,2}:\\d{2}(:\\d{2})?( ?[AaPp][Mm])?)?';
/** 31/12/2024, 12/31/2024, 31-12-2024, 31.12.24, with or without a time: day or month first. */
export const NUMERIC_DATE = new RegExp(`^(\\d{1,2})([/.-])(\\d{1,2})\\2(\\d{2}|\\d{4})${TIME}$`);
const MONTHS =
  'jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december';
/** 12 Jan 2024, 12-Jan-2024, Jan 12, 2024, January 12 2024. */
const NAMED_MONTH_DATE = new RegExp(`^(\\d{1,2}[ -](${MONTHS})[ ,-]+\\d{2,4}|(${MONTHS})\\.? \\d{1,2},? \\d{4})${TIME}$`, 'i');

export function looksLikeDate(raw: string): boolean {
  const text = raw.trim();
  return ISO_DATE.test(text) || NUMERIC_DATE.test(text) || NAMED_MONTH_DATE.test(text);
}

/**
 * Which way numeric dates of a column are written, from their values: a first part above
 * 12 can only be a day, a second part above 12 only a day too. Null when no value settles it.
 */
export function dateOrder(values: readonly string[]): 'day-first' | 'month-first' | null {
  for (const value of values) {
    const match = NUMERIC_DATE.exec(value.trim());
    if (!match) continue;
    if (Number(match[1]) > 12) return 'day-first';
    if (Number(match[3]) > 12) return 'month-first';
  }
  return null;
}
