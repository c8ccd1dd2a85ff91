/**
 * A fitted preprocessor applied: to table rows and typed-in customers (the fitted steps,
 * as scikit-learn's transform), and back from its space to original units
 * (inverseTransform), for centres shown, compared or carried to another fit.
 */
import { InputError } from '../errors.ts';
import { getNamed } from './named.ts';
import { flagOutputName, type FittedPreprocessor } from './preprocess.ts';
import { findColumn, type DataTable } from './table.ts';

/** A table's columns for a fitted preprocessor's steps (undefined where the table lacks one). */
export interface StepColumns {
  numeric: (Float64Array | undefined)[];
  categorical: (readonly (string | null)[] | undefined)[];
  /** Per numeric step, the rows whose "never" value the table read as missing (undefined for most). */
  sentinelRows: (Uint8Array | undefined)[];
}

export function stepColumns(fitted: FittedPreprocessor, table: DataTable): StepColumns {
  const values = (name: string) => findColumn(table, name)?.values;
  return {
    numeric: fitted.numeric.map((s) => values(s.name) as Float64Array | undefined),
    categorical: fitted.categorical.map((s) => values(s.name) as (string | null)[] | undefined),
    sentinelRows: fitted.numeric.map((s) =>
      s.missingValue !== undefined && table.sentinelRows ? getNamed(table.sentinelRows, s.name) : undefined,
    ),
  };
}

/**
 * The fitted steps applied to one customer's values: numericAt(j) is the j-th numeric
 * feature (NaN when missing), levelAt(j) the j-th categorical one (null when missing).
 * Writes `out` (zeroed first) and returns the name of the first missing feature where the
 * missing-value rule drops the customer, else null. Unknown categories encode as all zeros.
 * `raw`, when given, receives each numeric feature as filled and clipped, before scaling:
 * the values rules compare (segmentation/rule-assign.ts).
 */
export function applySteps(
  fitted: FittedPreprocessor,
  numericAt: (j: number) => number,
  levelAt: (j: number) => string | null,
  out: Float64Array,
  raw?: Float64Array,
): string | null {
  out.fill(0);
  const flags = fitted.flags ?? [];
  // Flags read the values as given: a "never" value becomes missing below, but it is flagged.
  let flagOffset = out.length - flags.length;
  for (const flag of flags) {
    const j = fitted.numeric.findIndex((s) => s.name === flag.name);
    if (j >= 0 && numericAt(j) === flag.value) out[flagOffset] = flag.weight;
    flagOffset++;
  }
  for (let j = 0; j < fitted.numeric.length; j++) {
    const step = fitted.numeric[j];
    let value = numericAt(j);
    if (Number.isNaN(value) || value === step.missingValue) {
      if (fitted.missing === 'drop') return step.name;
      value = step.fill;
    }
    if (step.clipLow !== null) value = Math.max(step.clipLow, value);
    if (step.clipHigh !== null) value = Math.min(step.clipHigh, value);
    if (raw) raw[j] = value;
    out[j] = (value - step.center) / step.scale;
  }
  let offset = fitted.numeric.length;
  for (let j = 0; j < fitted.categorical.length; j++) {
    const step = fitted.categorical[j];
    let level = levelAt(j);
    if (level === null) {
      if (fitted.missing === 'drop') return step.name;
      level = step.fill;
    }
    const index = step.levels.indexOf(level);
    if (index >= 0) out[offset + index] = step.weight;
    offset += step.levels.length;
  }
  return null;
}

/**
 * transformCustomer for one table row, reading the columns directly rather than building a
 * record per row. Writes into `out` and returns false where transformCustomer would refuse
 * the row: missing under the drop rule, or an infinite value.
 */
export function transformTableRow(
  fitted: FittedPreprocessor,
  columns: StepColumns,
  row: number,
  out: Float64Array,
  raw?: Float64Array,
): boolean {
  // A row the table read as missing for its "never" value gets that value back, to be flagged.
  const numericAt = (j: number) =>
    columns.sentinelRows[j]?.[row] === 1 ? fitted.numeric[j].missingValue! : (columns.numeric[j]?.[row] ?? Number.NaN);
  for (let j = 0; j < fitted.numeric.length; j++) if (Math.abs(numericAt(j)) === Infinity) return false;
  const levelAt = (j: number) => {
    const level = columns.categorical[j]?.[row] ?? null;
    return level === '' ? null : level;
  };
  return applySteps(fitted, numericAt, levelAt, out, raw) === null;
}

/** One customer's raw attributes, as typed in a form or sent as JSON. */
export type CustomerInput = Record<string, string | number | null | undefined>;

const isBlank = (raw: unknown) => raw === null || raw === undefined || raw === '';

/** Applies the fitted steps to one customer; unknown categories encode as all zeros. `raw`: as applySteps. */
export function transformCustomer(fitted: FittedPreprocessor, customer: CustomerInput, raw?: Float64Array): Float64Array {
  const numbers = fitted.numeric.map((step) => {
    const raw = getNamed(customer, step.name);
    if (isBlank(raw)) return Number.NaN;
    if (typeof raw === 'string' && raw.trim() === '')
      throw new InputError(`"${step.name}" is blank; give a number, or leave it out (or null) for a missing value.`, { field: step.name });
    const value = Number(raw);
    if (!Number.isFinite(value))
      throw new InputError(`"${step.name}" must be a number; got "${String(raw).slice(0, 40)}".`, { field: step.name });
    return value;
  });
  const levels = fitted.categorical.map((step) => {
    const raw = getNamed(customer, step.name);
    if (typeof raw === 'number') {
      throw new InputError(
        `"${step.name}" is a category (${step.levels
          .slice(0, 6)
          .map((l) => `"${l}"`)
          .join(', ')}${step.levels.length > 6 ? ', …' : ''}); got the number ${raw}: send it as text.`,
        { field: step.name },
      );
    }
    return isBlank(raw) ? null : String(raw);
  });
  const out = new Float64Array(fitted.outputNames.length);
  const missing = applySteps(
    fitted,
    (j) => numbers[j],
    (j) => levels[j],
    out,
    raw,
  );
  if (missing !== null) {
    throw new InputError(`"${missing}" is missing; this segmentation drops customers with missing values, so give a value.`, {
      field: missing,
    });
  }
  return out;
}

/**
 * A point of the preprocessor's space in original units, by output name: numeric features
 * as values (clipping is not undone: a centre lies within the clipped range), a category's
 * indicator columns as shares of the rows ("gender=Female" 0.4).
 */
export function inverseTransform(fitted: FittedPreprocessor, point: ArrayLike<number>): Map<string, number> {
  const out = new Map<string, number>();
  fitted.numeric.forEach((step, j) => out.set(step.name, step.center + step.scale * point[j]));
  let offset = fitted.numeric.length;
  for (const step of fitted.categorical) {
    step.levels.forEach((level, l) => out.set(`${step.name}=${level}`, point[offset + l] / step.weight));
    offset += step.levels.length;
  }
  // A flag's share of the rows, as a category level's.
  for (const flag of fitted.flags ?? []) out.set(flagOutputName(flag), point[offset++] / flag.weight);
  return out;
}
