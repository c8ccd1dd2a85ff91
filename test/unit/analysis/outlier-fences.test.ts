import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outlierBounds } from '../../../server/analysis/numeric-steps.ts';
import { fitPreprocess } from '../../../server/analysis/preprocess.ts';
import { presentValues } from '../../../server/analysis/stats.ts';
import { numericTable } from '../helpers.ts';

describe('the default outlier rule on skewed columns', () => {
  it('does not flatten a column where most customers share one value (IQR of zero)', () => {
    const complaints = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i - 79));
    const { fitted, matrix } = fitPreprocess(numericTable({ complaints }), { features: ['complaints'], missing: 'mean', outliers: 'iqr-clip', scaling: 'standard' });
    assert.deepEqual([fitted.numeric[0].clipLow, fitted.numeric[0].clipHigh], [null, null]);
    assert.equal(new Set(matrix.data).size, 21, 'every value still tells customers apart');
  });

  it('takes the fences from the customers\' own values, not the imputed ones', () => {
    const pdays = Array.from({ length: 100 }, (_, i) => (i < 60 ? Number.NaN : 30 + i * 3));
    const { fitted } = fitPreprocess(numericTable({ pdays }), { features: ['pdays'], missing: 'mean', outliers: 'iqr-clip', scaling: 'standard' });
    const step = fitted.numeric[0];
    assert.ok(step.clipHigh! > step.clipLow! + 100, `fences ${step.clipLow}..${step.clipHigh} span the present values`);
  });

  it('draws every rule\'s fences from the present values alone, as over a copy without the missing ones', () => {
    const values = Float64Array.from({ length: 400 }, (_, i) => (i % 9 === 0 ? Number.NaN : ((i * 37) % 101) + (i % 50 === 0 ? 900 : 0)));
    for (const rule of ['iqr-clip', 'iqr-exclude', 'zscore-clip', 'zscore-exclude'] as const) {
      assert.deepEqual(outlierBounds(values, rule), outlierBounds(presentValues(values), rule), rule);
      assert.deepEqual(outlierBounds(new Float64Array([Number.NaN, Number.NaN]), rule), [-Infinity, Infinity], `${rule}, nothing present`);
    }
    // The z-score fences of the present values, by the definition.
    const present = presentValues(values);
    const m = present.reduce((a, b) => a + b, 0) / present.length;
    const sd = Math.sqrt(present.reduce((a, v) => a + (v - m) ** 2, 0) / present.length);
    const [low, high] = outlierBounds(values, 'zscore-clip');
    assert.ok(Math.abs(low - (m - 3 * sd)) < 1e-9 && Math.abs(high - (m + 3 * sd)) < 1e-9);
  });

  it('clips a long tail at the fences', () => {
    const spend = Array.from({ length: 100 }, (_, i) => (i < 98 ? 100 + i : 100_000));
    const { fitted } = fitPreprocess(numericTable({ spend }), { features: ['spend'], missing: 'mean', outliers: 'iqr-clip', scaling: 'standard' });
    assert.ok(fitted.numeric[0].clipHigh! < 400);
  });
});

describe('a "never" value as a feature', () => {
  it('is missing plus an indicator, the same for the table and a typed-in customer', async () => {
    const { transformCustomer, stepColumns, transformTableRow } = await import('../../../server/analysis/transform.ts');
    const raw = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? -1 : 20 + i));
    const mask = Uint8Array.from(raw, (v) => (v === -1 ? 1 : 0));
    const base = numericTable({ pdays: raw.map((v) => (v === -1 ? Number.NaN : v)) });
    const table = { ...base, sentinels: { pdays: -1 }, sentinelRows: { pdays: mask } };
    const { fitted, matrix } = fitPreprocess(table, { features: ['pdays'], missing: 'mean', outliers: 'none', scaling: 'standard' });
    assert.deepEqual(fitted.outputNames, ['pdays', 'pdays=-1']);
    assert.equal(fitted.numeric[0].missingValue, -1);
    assert.equal(matrix.data[0 * 2 + 1], Math.SQRT1_2, 'row 0 held -1: flagged');
    assert.equal(matrix.data[1 * 2 + 1], 0);
    const columns = stepColumns(fitted, table);
    const out = new Float64Array(2);
    for (const row of [0, 1, 2, 3]) {
      transformTableRow(fitted, columns, row, out);
      assert.deepEqual(Array.from(out), Array.from(matrix.data.subarray(row * 2, row * 2 + 2)), `table row ${row}`);
      assert.deepEqual(Array.from(transformCustomer(fitted, { pdays: raw[row] })), Array.from(out), `typed-in customer ${row}`);
    }
  });
});
