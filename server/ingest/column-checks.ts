/** What a CSV's header and first rows must be before an import starts: the checks and their messages. */
import { formatCount } from '../format.ts';
import { InputError } from '../errors.ts';
import { isMissing, parseNumber } from './values.ts';

/**
 * Any printable name imports as it is (`Spend <30d`, `Region; Country`, emoji, any script):
 * names are escaped wherever they are shown and never reach SQL (columns are c0, c1…).
 * Only what cannot be shown or told apart is refused.
 */
export function validateColumnName(name: string, position: number): void {
  if (name === '') throw new InputError(`Column ${position + 1} has an empty header name; give every column a name.`);
  if (name.length > 200)
    throw new InputError(`The name of column ${position + 1} is ${name.length} characters long; keep column names under 200 characters.`);
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new InputError(`The name of column ${position + 1} contains control characters (a line break or tab); rename the column.`);
}

/** SQLite holds at most 2,000 columns a table; a customer table wider than this is no export a person segments. */
export const MAX_IMPORT_COLUMNS = 1000;

export function checkHeader(header: string[]): void {
  if (header.length > MAX_IMPORT_COLUMNS)
    throw new InputError(
      `The file has ${formatCount(header.length)} columns; the dashboard imports at most ${formatCount(MAX_IMPORT_COLUMNS)}. Keep the ` +
        `columns you segment by and the identifier, and upload that.`,
    );
  header.forEach((name, i) => validateColumnName(name, i));
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new InputError(`The header names the column "${name.slice(0, 60)}" twice; column names must be unique.`);
    seen.add(name);
  }
}

/** Codes often mix digits and letters (invoice C536401, stock code 85123A): not an error there. */
export const CODE_NAME = /id\b|id$|code|invoice|number|\bno\b|sku|zip|postal|phone|ref/i;

/** A column whose values are nearly all numbers but not quite is a data error, not a category. */
export function checkMixed(name: string, values: string[], firstLine: number): void {
  if (CODE_NAME.test(name)) return;
  let numbers = 0;
  let present = 0;
  let firstText = -1;
  values.forEach((v, i) => {
    if (isMissing(v)) return;
    present++;
    if (Number.isFinite(parseNumber(v))) numbers++;
    else if (firstText < 0) firstText = i;
  });
  if (present > 0 && firstText >= 0 && numbers / present >= 0.8) {
    throw new InputError(
      `Column "${name.slice(0, 60)}" holds numbers, but row ${firstLine + firstText} holds "${values[firstText].slice(0, 40)}"; fix ` +
        `that value, leave it empty, or import the column as categorical.`,
    );
  }
}

/**
 * A kind chosen for a column the file does not have is a typo to report, on import. The
 * preview lets it pass: a form whose header choice just changed still names the old columns.
 */
export function checkOverrides(header: string[], options: { kinds?: Record<string, unknown>; roles?: Record<string, unknown> }): void {
  const names = new Set(header);
  for (const [what, chosen] of [
    ['kind', options.kinds],
    ['role', options.roles],
  ] as const) {
    for (const name of Object.keys(chosen ?? {})) {
      if (names.has(name)) continue;
      const columns = `${header
        .slice(0, 20)
        .map((h) => `"${h.slice(0, 40)}"`)
        .join(', ')}${header.length > 20 ? ', …' : ''}`;
      throw new InputError(`A ${what} is chosen for "${name.slice(0, 60)}", but the file has no such column; its columns are ${columns}.`, {
        field: `${what}:${name.slice(0, 60)}`,
      });
    }
  }
}
