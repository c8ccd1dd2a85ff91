/**
 * Table rows transformed a block at a time read exactly as row by row: gaps filled or
 * dropped, clipping, a "never" value and its flag, unknown and empty categories, infinite
 * values, and rows given out of order across more than one block.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitPreprocess } from '../../../server/analysis/preprocess.ts';
import type { MissingStrategy } from '../../../server/analysis/preprocess-types.ts';
import { ROW_BLOCK, RowBlockTransformer } from '../../../server/analysis/row-block.ts';
import { stepColumns, transformTableRow } from '../../../server/analysis/transform.ts';
import { numericTable } from '../helpers.ts';

const ROWS = ROW_BLOCK * 2 + 37;

/** A table with every case the steps treat apart, fitted on its first rows. */
function fittedTable(missing: MissingStrategy) {
  const spend = Array.from({ length: ROWS }, (_, i) => (i % 11 === 0 ? Number.NaN : i % 97 === 0 ? 50_000 : 100 + (i % 400)));
  const pdays = Array.from({ length: ROWS }, (_, i) => (i % 5 === 0 ? Number.NaN : 10 + (i % 30)));
  const visits = Array.from({ length: ROWS }, (_, i) => (i % 13 === 0 ? Number.NaN : i % 7));
  const region = Array.from({ length: ROWS }, (_, i) => (i % 17 === 0 ? null : i % 19 === 0 ? '' : ['north', 'south', 'east'][i % 3]));
  const base = numericTable({ spend, pdays, visits }, { region });
  const never = Uint8Array.from(pdays, (_, i) => (i % 5 === 0 && i % 2 === 0 ? 1 : 0));
  const table = { ...base, sentinels: { pdays: -1 }, sentinelRows: { pdays: never } };
  const { fitted } = fitPreprocess(table, {
    features: ['spend', 'pdays', 'visits', 'region'],
    missing,
    outliers: 'iqr-clip',
    scaling: 'standard',
  });
  // Rows the fit never saw: an infinite value, and a region it does not know.
  (table.columns.find((c) => c.name === 'visits')!.values as Float64Array)[ROWS - 3] = Infinity;
  (table.columns.find((c) => c.name === 'region')!.values as (string | null)[])[ROWS - 5] = 'west';
  return { fitted, table };
}

describe('RowBlockTransformer', () => {
  for (const missing of ['mean', 'drop'] as const) {
    it(`matches transformTableRow on every row (missing: ${missing})`, () => {
      const { fitted, table } = fittedTable(missing);
      assert.ok(fitted.flags?.length, 'the "never" value is flagged');
      assert.ok(
        fitted.numeric.some((s) => s.clipHigh !== null),
        'a column is clipped',
      );
      const columns = stepColumns(fitted, table);
      const rows = Int32Array.from({ length: ROWS }, (_, i) => (i * 7919) % ROWS);
      const block = new RowBlockTransformer(fitted, columns);
      const vector = new Float64Array(block.width);
      const raw = new Float64Array(fitted.numeric.length);
      let dropped = 0;
      for (let start = 0; start < rows.length; start += ROW_BLOCK) {
        const n = Math.min(ROW_BLOCK, rows.length - start);
        block.transform(rows, start, n);
        for (let i = 0; i < n; i++) {
          const row = rows[start + i];
          const kept = transformTableRow(fitted, columns, row, vector, raw);
          assert.equal(block.kept[i] === 1, kept, `row ${row} kept`);
          if (!kept) {
            dropped++;
            continue;
          }
          assert.deepEqual(Array.from(block.x.subarray(i * block.width, (i + 1) * block.width)), Array.from(vector), `row ${row}`);
          const n = fitted.numeric.length;
          assert.deepEqual(Array.from(block.raw.subarray(i * n, (i + 1) * n)), Array.from(raw), `row ${row} before scaling`);
        }
      }
      assert.ok(dropped >= 1, 'the infinite value drops its row');
      if (missing === 'drop') assert.ok(dropped > ROWS / 3, 'gaps drop their rows');
    });
  }
});
