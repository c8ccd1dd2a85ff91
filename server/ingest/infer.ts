/**
 * Guesses each column's kind from its header and a sample of its values, with the reason a
 * person would give ("9,362 distinct values: looks like an identifier"). The preview shows
 * both and the user can correct the kind.
 */
import { formatCount } from '../format.ts';
import type { ColumnKind } from '../analysis/table.ts';
import { dateOrder, isMissing, isSpreadsheetError, looksLikeDate, NUMERIC_DATE, parseNumber } from './values.ts';

export interface ColumnGuess {
  kind: ColumnKind;
  /** Why, in a sentence for the preview. */
  reason: string;
  /** Set for a column that should not be a default feature whatever its kind. */
  unusable?: 'empty' | 'constant';
  /** A date column whose values do not tell day from month (01/02/2024): the preview asks. */
  dayMonthUnknown?: boolean;
}

/**
 * Names that say "identifier": id, cust_id, Customer Id, CustomerID, customerID, InvoiceNo,
 * StockCode, account number, key. Case matters for the camel-case endings (paid, Kid).
 */
const ID_NAME = [
  /(^|[_\s.-])(id|key|code|number|num|no|nr|ref|uuid|guid)$/i,
  /[a-z](ID|Id|No|Nr|Code|Number|Key|Ref)$/,
  /^(id|key|code|uuid|guid)$/i,
];
const YES_NO = new Set(['yes', 'no', 'y', 'n', 'true', 'false', 't', 'f']);

/** Integer columns with this few distinct values are codes (Channel 1/2), not quantities. */
const MAX_CODE_LEVELS = 5;
const MIN_ROWS_FOR_CODES = 50;
/** Text columns with more distinct values than this are free text, not categories. */
export const MAX_CATEGORY_LEVELS = 50;

const count = (n: number) => formatCount(n);
const quote = (value: string) => `"${value.length > 24 ? `${value.slice(0, 24)}…` : value}"`;

export function looksLikeIdName(name: string): boolean {
  const trimmed = name.trim();
  return ID_NAME.some((pattern) => pattern.test(trimmed));
}

export function inferColumn(name: string, values: readonly string[]): ColumnGuess {
  const present: string[] = [];
  let errors = 0;
  let firstError = '';
  for (const raw of values) {
    if (isSpreadsheetError(raw)) {
      errors++;
      firstError ||= raw.trim();
    } else if (!isMissing(raw)) present.push(raw.trim());
  }
  const errorNote = errors > 0 ? `; ${count(errors)} spreadsheet error cell${errors === 1 ? '' : 's'} (${firstError}) read as missing` : '';
  if (present.length === 0) {
    return { kind: 'text', reason: `empty in every row${errorNote}: not offered as a feature`, unusable: 'empty' };
  }
  const distinct = new Set(present).size;
  const numbers = present.map(parseNumber);
  const allNumeric = numbers.every((n) => Number.isFinite(n));
  const integers = allNumeric && numbers.every((n) => Number.isInteger(n));
  const sampled = values.length;
  if (distinct === 1 && sampled > 1) {
    return {
      kind: allNumeric ? 'numeric' : 'categorical',
      reason: `the same value (${quote(present[0])}) in every row${errorNote}: says nothing about a customer, so not a default feature`,
      unusable: 'constant',
    };
  }
  if (looksLikeIdName(name) && (integers || !allNumeric)) {
    return { kind: 'id', reason: `named like an identifier, ${count(distinct)} distinct values${errorNote}` };
  }
  const unique = distinct === present.length && present.length >= MIN_ROWS_FOR_CODES;
  if (allNumeric) {
    if (integers && unique && countsUp(numbers)) return { kind: 'id', reason: 'counts up by one in every row: a row number' };
    if (integers && distinct <= MAX_CODE_LEVELS && sampled >= MIN_ROWS_FOR_CODES) {
      const levels = [...new Set(numbers)].sort((a, b) => a - b).join('/');
      return { kind: 'categorical', reason: `${distinct} whole-number codes (${levels}): a category, not a quantity${errorNote}` };
    }
    return { kind: 'numeric', reason: `numbers${errorNote}` };
  }
  if (present.every(looksLikeDate)) {
    const order = dateOrder(present);
    const dayMonthUnknown = order === null && present.some((v) => NUMERIC_DATE.test(v));
    const how =
      order === 'day-first'
        ? ', day before month'
        : order === 'month-first'
          ? ', month before day'
          : dayMonthUnknown
            ? '; day and month order cannot be told from these values: check the dates'
            : '';
    return dayMonthUnknown
      ? { kind: 'date', reason: `dates${how}${errorNote}`, dayMonthUnknown }
      : { kind: 'date', reason: `dates${how}${errorNote}` };
  }
  if (distinct <= 2 && present.every((v) => YES_NO.has(v.toLowerCase()))) {
    return { kind: 'categorical', reason: `a yes/no flag${errorNote}` };
  }
  if (unique) return { kind: 'id', reason: `every one of ${count(present.length)} values differs: looks like an identifier` };
  if (distinct > MAX_CATEGORY_LEVELS) {
    return { kind: 'text', reason: `${count(distinct)} distinct values in ${count(sampled)} rows: free text, too many to be a category` };
  }
  return { kind: 'categorical', reason: `${count(distinct)} categor${distinct === 1 ? 'y' : 'ies'}${errorNote}` };
}

/** The column's kind alone (tests and callers that need no reason). */
export function inferColumnKind(name: string, values: readonly string[]): ColumnKind {
  return inferColumn(name, values).kind;
}

function countsUp(numbers: number[]): boolean {
  for (let i = 1; i < numbers.length; i++) if (numbers[i] !== numbers[i - 1] + 1) return false;
  return numbers.length > 1;
}
