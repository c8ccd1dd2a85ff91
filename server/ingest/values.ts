/** Reading one cell of a user's CSV: missing markers, and numbers as people write them. */

const MISSING_MARKERS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-', '?', '#n/a', 'missing']);

export function isMissing(raw: string): boolean {
  if (raw === '') return true;
  // Fast exit for the common case (a value starting with a digit, or too long to be a marker):
  // this runs for every cell of a million-row import.
  const first = raw.charCodeAt(0);
  if ((first >= 48 && first <= 57) || raw.length > 12) return false;
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
const DAY_MONTH_YEAR = /^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?$/;

export function looksLikeDate(raw: string): boolean {
  const text = raw.trim();
  return ISO_DATE.test(text) || DAY_MONTH_YEAR.test(text);
}
