/** Guesses each column's kind from its header and values; the user can correct it later. */
import type { ColumnKind } from '../analysis/table.ts';
import { isMissing, looksLikeDate, parseNumber } from './values.ts';

const ID_NAME = /(^|[_\s-])(id|key|code|number|no)$|^id$|id$/i;

/** Integer columns with this few distinct values are codes (Channel 1/2), not quantities. */
const MAX_CODE_LEVELS = 5;
const MIN_ROWS_FOR_CODES = 50;

export function inferColumnKind(name: string, values: readonly string[]): ColumnKind {
  const present = values.filter((v) => !isMissing(v));
  if (present.length === 0) return 'categorical';
  const numbers = present.map(parseNumber);
  const allNumeric = numbers.every((n) => Number.isFinite(n));
  const distinct = new Set(present.map((v) => v.trim())).size;
  const unique = distinct === present.length && present.length === values.length;
  if (unique && ID_NAME.test(name.trim()) && present.length > 1) return 'id';
  if (allNumeric) {
    const integers = numbers.every((n) => Number.isInteger(n));
    if (integers && distinct <= MAX_CODE_LEVELS && values.length >= MIN_ROWS_FOR_CODES) return 'categorical';
    return 'numeric';
  }
  if (present.every(looksLikeDate)) return 'date';
  // Unique free text in every row (names, emails) identifies a customer rather than grouping.
  if (unique && present.length >= MIN_ROWS_FOR_CODES) return 'id';
  return 'categorical';
}
