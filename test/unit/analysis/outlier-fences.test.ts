import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitPreprocess } from '../../../server/analysis/preprocess.ts';
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

  it('clips a long tail at the fences', () => {
    const spend = Array.from({ length: 100 }, (_, i) => (i < 98 ? 100 + i : 100_000));
    const { fitted } = fitPreprocess(numericTable({ spend }), { features: ['spend'], missing: 'mean', outliers: 'iqr-clip', scaling: 'standard' });
    assert.ok(fitted.numeric[0].clipHigh! < 400);
  });
});
