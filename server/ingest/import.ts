/** A CSV becomes a stored dataset: parse, infer kinds, convert cells, store in one transaction. */
import { readFileSync } from 'node:fs';
import type { ColumnKind } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { createDataset, type CellValue, type DatasetInfo } from '../store/datasets.ts';
import { parseCsvText } from './csv.ts';
import { inferColumnKind } from './infer.ts';
import { isMissing, parseNumber } from './values.ts';

export interface ImportOptions {
  name: string;
  /** Overrides for inferred kinds, by column name. */
  kinds?: Record<string, ColumnKind>;
}

function convertRow(row: string[], kinds: ColumnKind[], header: string[], line: number): CellValue[] {
  return row.map((raw, c) => {
    if (isMissing(raw)) return null;
    if (kinds[c] !== 'numeric') return raw.trim();
    const value = parseNumber(raw);
    if (!Number.isFinite(value)) {
      throw new InputError(
        `Column "${header[c]}" is numeric but row ${line} holds "${raw.slice(0, 40)}"; fix the value or leave it empty.`,
      );
    }
    return value;
  });
}

export function importCsvText(db: Db, text: string, options: ImportOptions): DatasetInfo {
  const name = options.name.trim();
  if (name === '') throw new InputError('Give the dataset a name.', { field: 'name' });
  const { header, rows } = parseCsvText(text);
  const kinds = header.map((column, c) => {
    const override = options.kinds?.[column];
    return override ?? inferColumnKind(column, rows.map((r) => r[c]));
  });
  if (!kinds.includes('numeric')) {
    throw new InputError('No column holds numbers; segmentation needs at least one numeric column.');
  }
  // Convert everything before touching the database, so a bad cell stores nothing.
  const converted = rows.map((row, r) => convertRow(row, kinds, header, r + 2));
  return createDataset(db, {
    name,
    columns: header.map((column, c) => ({ name: column, kind: kinds[c] })),
    rows: converted,
  });
}

export function importCsvFile(db: Db, path: string, options: ImportOptions): DatasetInfo {
  return importCsvText(db, readFileSync(path, 'utf8'), options);
}
