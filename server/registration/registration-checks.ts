/**
 * Validates customers sent for registration against a dataset's columns: known fields only,
 * numbers where the column is numeric and within a plausible range of the data, text for
 * categories. Errors name the customer and the field.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { FeatureRange } from '../analysis/summary.ts';
import type { ColumnKind } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import type { CellValue } from '../store/datasets.ts';
import { looksLikeDate } from '../ingest/values.ts';

export const MAX_REGISTRATIONS = 1000;

export interface NumericBounds {
  min: number;
  max: number;
}

/**
 * The accepted range of a numeric column: the data's range widened by its own width on both
 * sides, and never below zero for a column that has no negative values.
 */
export function plausibleBounds(range: Pick<FeatureRange, 'min' | 'max'> | undefined): NumericBounds {
  const min = range?.min ?? Number.NaN;
  const max = range?.max ?? Number.NaN;
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
  const width = Math.max(max - min, Math.abs(max) * 0.1, 1);
  return { min: min >= 0 ? Math.max(0, min - width) : min - width, max: max + width };
}

/** A dataset's columns as registrations see them. */
type Columns = readonly { name: string; kind: ColumnKind }[];

/**
 * One schema per column, by name. Names come from the user's file, so they are kept in a Map
 * and each record's fields read as own properties: a column named "constructor" or
 * "__proto__" is a column like any other, never a property of Object.prototype.
 */
export function registrationSchemas(columns: Columns, ranges: FeatureRange[]): Map<string, z.ZodType> {
  const schemas = new Map<string, z.ZodType>();
  for (const column of columns) {
    if (column.kind === 'numeric') {
      const { min, max } = plausibleBounds(ranges.find((r) => r.name === column.name));
      const fmt = (v: number) => Number(v.toPrecision(6));
      schemas.set(
        column.name,
        z
          .number({ error: `must be a number` })
          .finite({ error: 'must be a finite number' })
          .min(min, { error: `must be between ${fmt(min)} and ${fmt(max)} (the data's range, widened)` })
          .max(max, { error: `must be between ${fmt(min)} and ${fmt(max)} (the data's range, widened)` })
          .nullable(),
      );
    } else if (column.kind === 'date') {
      schemas.set(
        column.name,
        z.string({ error: 'must be a date as text' }).refine(looksLikeDate, { error: 'must be a date such as 2024-05-31' }).nullable(),
      );
    } else {
      schemas.set(
        column.name,
        z
          .string({ error: 'must be text' })
          .trim()
          .min(1, { error: 'must not be empty' })
          .max(200, { error: 'must be at most 200 characters' })
          .nullable(),
      );
    }
  }
  return schemas;
}

/** Customers to stored rows in column order; ids are generated where the dataset has one and none is given. */
/** `ranges` are the numeric columns' ranges in the data (see Engine.columnRanges). */
export function validateRegistrations(columns: Columns, ranges: FeatureRange[], body: unknown): CellValue[][] {
  if (
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body as object).length === 0)
  ) {
    throw new InputError('Send one customer as a JSON object, or several as an array of objects.');
  }
  const customers = Array.isArray(body) ? body : [body];
  if (customers.length === 0) throw new InputError('The array of customers is empty.');
  if (customers.length > MAX_REGISTRATIONS) throw new InputError(`Register at most ${MAX_REGISTRATIONS} customers per request.`);
  const schemas = registrationSchemas(columns, ranges);
  // Every problem in one answer, not the first alone: a person fixes them all at once.
  const problems: { text: string; field?: string }[] = [];
  const rows = customers.map((customer, index) => {
    const where = customers.length > 1 ? `customer ${index + 1}: ` : '';
    if (typeof customer !== 'object' || customer === null || Array.isArray(customer)) {
      problems.push({ text: `${where}each customer must be a JSON object of column names to values` });
      return [];
    }
    const problemsBefore = problems.length;
    const values = new Map<string, string | number | null>();
    const unknown: string[] = [];
    for (const [field, raw] of Object.entries(customer)) {
      const schema = schemas.get(field);
      if (!schema) {
        unknown.push(field);
        continue;
      }
      const parsed = schema.safeParse(raw);
      if (parsed.success) values.set(field, parsed.data as string | number | null);
      else problems.push({ text: `${where}"${field.slice(0, 60)}" ${parsed.error.issues[0].message}`, field });
    }
    if (unknown.length > 0) {
      const names =
        unknown
          .slice(0, 5)
          .map((f) => `"${f.slice(0, 60)}"`)
          .join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
      problems.push({
        text:
          `${where}unknown field${unknown.length > 1 ? 's' : ''} ${names}; the dataset's columns are ` +
          `${columns.map((c) => c.name).join(', ')}`,
        field: unknown[0],
      });
    }
    // "No values" only when nothing else was wrong with this customer: fixing those may give it some.
    const hasFeature = columns.some((c) => c.kind !== 'id' && values.get(c.name) !== undefined && values.get(c.name) !== null);
    if (!hasFeature && problems.length === problemsBefore)
      problems.push({ text: `${where}the customer has no values; give at least one feature` });
    return columns.map((c): CellValue => {
      const v = values.get(c.name);
      if (v === undefined || v === null) return c.kind === 'id' ? `REG-${randomBytes(5).toString('hex')}` : null;
      return v;
    });
  });
  if (problems.length > 0) {
    const shown = problems
      .slice(0, MAX_PROBLEMS_SHOWN)
      .map((p) => p.text)
      .join('; ');
    const more = problems.length > MAX_PROBLEMS_SHOWN ? `; and ${problems.length - MAX_PROBLEMS_SHOWN} more problems` : '';
    throw new InputError(`${shown}${more}.`, { field: problems.find((p) => p.field)?.field });
  }
  return rows;
}

/** Problems listed in one error message; the rest are counted. */
const MAX_PROBLEMS_SHOWN = 10;
