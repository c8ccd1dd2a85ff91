/** A category feature's steps: its levels, one-hot columns and the "never" flags' columns. */
import { InputError } from '../errors.ts';
import type { Matrix } from './matrix.ts';
import { getNamed } from './named.ts';
import { CATEGORICAL_WEIGHT, type CategoricalStep, type FlagStep } from './preprocess-types.ts';
import { mostFrequentText } from './stats.ts';
import type { DataTable, TextColumn } from './table.ts';

/**
 * One-hot encoding gives a category one column per level: a free-text column forced to be
 * categorical would make a matrix of thousands of columns (10,000 levels on 20,000 rows
 * is 1.6 GB) that clusters on nothing a person can act on.
 */
export const MAX_FEATURE_LEVELS = 100;

export function checkLevels(column: TextColumn): void {
  const levels = new Set<string>();
  for (const value of column.values) {
    if (value !== null) levels.add(value);
    if (levels.size > MAX_FEATURE_LEVELS) {
      throw new InputError(
        `"${column.name.slice(0, 100)}" has more than ${MAX_FEATURE_LEVELS} different values, too many for a category to segment on; ` +
          `leave it out, or group its values into fewer categories before importing.`,
        { field: 'features' },
      );
    }
  }
}

export type CategoricalColumn = TextColumn & { kind: 'categorical' };

/** A category's levels over the kept rows (missing ones filled with the most frequent) and how many were missing. */
export function fitCategoricalStep(column: CategoricalColumn, rowIndex: Int32Array): { step: CategoricalStep; missing: number } {
  const kept = Array.from(rowIndex, (r) => column.values[r]);
  const fill = mostFrequentText(kept) ?? '';
  const levels = [...new Set(kept.map((v) => v ?? fill))].sort();
  return { step: { name: column.name, levels, fill, weight: CATEGORICAL_WEIGHT }, missing: kept.filter((v) => v === null).length };
}

/** Each kept row's one-hot columns of the categorical steps, from matrix column `offset` on. */
export function writeOneHot(
  matrix: Matrix,
  offset: number,
  steps: CategoricalStep[],
  columns: CategoricalColumn[],
  rowIndex: Int32Array,
): void {
  const cols = matrix.cols;
  steps.forEach((step, j) => {
    const column = columns[j];
    const levelIndex = new Map(step.levels.map((l, i) => [l, i]));
    for (let i = 0; i < rowIndex.length; i++) {
      const level = levelIndex.get(column.values[rowIndex[i]] ?? step.fill);
      if (level !== undefined) matrix.data[i * cols + offset + level] = step.weight;
    }
    offset += step.levels.length;
  });
}

/** A flag's matrix column name: "pdays=-1". */
export const flagOutputName = (flag: Pick<FlagStep, 'name' | 'value'>): string => `${flag.name}=${flag.value}`;

/** Each kept row's flags, from matrix column `offset` on: the weight where the row held the "never" value. */
export function writeFlags(matrix: Matrix, offset: number, flags: FlagStep[], table: DataTable, rowIndex: Int32Array): void {
  flags.forEach((flag, j) => {
    const rows = table.sentinelRows && getNamed(table.sentinelRows, flag.name);
    if (!rows) return;
    for (let i = 0; i < rowIndex.length; i++) if (rows[rowIndex[i]] === 1) matrix.data[i * matrix.cols + offset + j] = flag.weight;
  });
}
