import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATEGORICAL_WEIGHT, fitPreprocess } from '../../../server/analysis/preprocess.ts';
import { transformCustomer } from '../../../server/analysis/transform.ts';
import { InputError } from '../../../server/errors.ts';
import { numericTable } from '../helpers.ts';

const NaN_ = Number.NaN;

describe('preprocessing', () => {
  const table = numericTable(
    { spend: [1, 2, NaN_, 4, 100, 3, 2, NaN_], age: [20, 30, 40, 50, 60, NaN_, 35, 45] },
    { gender: ['F', 'M', 'F', null, 'F', 'M', 'F', 'M'] },
  );

  it('fills missing numerics with the mean, median or most frequent value and counts them', () => {
    const mean = fitPreprocess(table, { features: ['spend', 'age'], missing: 'mean', outliers: 'none', scaling: 'none' });
    assert.equal(mean.fitted.numeric[0].fill, (1 + 2 + 4 + 100 + 3 + 2) / 6);
    assert.deepEqual(mean.report.valuesImputed, { spend: 2, age: 1 });
    const median = fitPreprocess(table, { features: ['spend'], missing: 'median', outliers: 'none', scaling: 'none' });
    assert.equal(median.fitted.numeric[0].fill, 2.5);
    const mode = fitPreprocess(table, { features: ['spend'], missing: 'mode', outliers: 'none', scaling: 'none' });
    assert.equal(mode.fitted.numeric[0].fill, 2);
  });

  it('drops incomplete rows under "drop" and reports how many', () => {
    const result = fitPreprocess(table, { features: ['spend', 'age', 'gender'], missing: 'drop', outliers: 'none', scaling: 'none' });
    assert.equal(result.report.rowsDropped, 4);
    assert.deepEqual(Array.from(result.rowIndex), [0, 1, 4, 6]);
  });

  it('clips IQR outliers to the fences and counts them per column', () => {
    const result = fitPreprocess(table, { features: ['spend'], missing: 'median', outliers: 'iqr-clip', scaling: 'none' });
    assert.equal(result.report.outliersPerColumn.spend, 1);
    const step = result.fitted.numeric[0];
    assert.ok(step.clipHigh !== null && step.clipHigh < 100);
    assert.ok(Math.max(...result.matrix.data) <= step.clipHigh);
    assert.equal(result.report.rowsExcluded, 0);
  });

  it('excludes z-score outliers from fitting but keeps them for assignment', () => {
    const values = Array.from({ length: 50 }, (_, i) => i % 10);
    values.push(1000);
    const t = numericTable({ v: values });
    const result = fitPreprocess(t, { features: ['v'], missing: 'mean', outliers: 'zscore-exclude', scaling: 'standard' });
    assert.equal(result.report.rowsExcluded, 1);
    assert.equal(result.fitMask[50], 0);
    assert.equal(result.matrix.rows, 51);
    // The scaler learned from the 50 ordinary rows only.
    assert.equal(result.fitted.numeric[0].center, 4.5);
  });

  it('one-hot encodes categoricals with the stated weight and fills missing with the most frequent level', () => {
    const result = fitPreprocess(table, { features: ['gender'], missing: 'mean', outliers: 'none', scaling: 'none' });
    assert.deepEqual(result.fitted.outputNames, ['gender=F', 'gender=M']);
    assert.deepEqual(Array.from(result.matrix.data.subarray(6, 8)), [CATEGORICAL_WEIGHT, 0]);
    assert.equal(result.report.valuesImputed.gender, 1);
  });

  it('scales min-max to [0, 1] and robustly by median and IQR', () => {
    const t = numericTable({ v: [0, 1, 2, 3, 4] });
    const minmax = fitPreprocess(t, { features: ['v'], missing: 'mean', outliers: 'none', scaling: 'minmax' });
    assert.deepEqual(Array.from(minmax.matrix.data), [0, 0.25, 0.5, 0.75, 1]);
    const robust = fitPreprocess(t, { features: ['v'], missing: 'mean', outliers: 'none', scaling: 'robust' });
    assert.deepEqual(Array.from(robust.matrix.data), [-1, -0.5, 0, 0.5, 1]);
  });

  it('transforms a new customer with exactly the training steps', () => {
    const result = fitPreprocess(table, { features: ['spend', 'age', 'gender'], missing: 'mean', outliers: 'iqr-clip', scaling: 'standard' });
    for (let i = 0; i < table.rowCount; i++) {
      const customer = { spend: table.columns[0].values[i] as number, age: table.columns[1].values[i] as number, gender: table.columns[2].values[i] as string | null };
      const x = transformCustomer(result.fitted, { ...customer, spend: Number.isNaN(customer.spend) ? null : customer.spend, age: Number.isNaN(customer.age) ? null : customer.age });
      assert.deepEqual(Array.from(x), Array.from(result.matrix.data.subarray(i * 4, i * 4 + 4)));
    }
  });

  it('rejects unknown features, identifiers and an empty feature list', () => {
    assert.throws(() => fitPreprocess(table, { features: ['nope'], missing: 'mean', outliers: 'none', scaling: 'none' }), (e: Error) => e instanceof InputError && /Unknown feature "nope"/.test(e.message));
    assert.throws(() => fitPreprocess(table, { features: [], missing: 'mean', outliers: 'none', scaling: 'none' }), InputError);
    const withId = { ...table, columns: [...table.columns, { name: 'id', kind: 'id' as const, values: ['1', '2', '3', '4', '5', '6', '7', '8'] }] };
    assert.throws(() => fitPreprocess(withId, { features: ['id'], missing: 'mean', outliers: 'none', scaling: 'none' }), /identifier/);
  });

  it('rejects a non-numeric value for a numeric feature of a new customer, naming the field', () => {
    const result = fitPreprocess(table, { features: ['spend'], missing: 'mean', outliers: 'none', scaling: 'none' });
    assert.throws(() => transformCustomer(result.fitted, { spend: 'lots' }), /"spend" must be a number/);
  });
});

describe('categories to segment on', () => {
  it('refuses a category with more than 100 levels instead of one-hot encoding thousands of columns', () => {
    const n = 300;
    const table = numericTable({ spend: Array.from({ length: n }, (_, i) => i) }, { Description: Array.from({ length: n }, (_, i) => `item ${i}`), Country: Array.from({ length: n }, (_, i) => (i % 2 ? 'UK' : 'France')) });
    assert.throws(() => fitPreprocess(table, { features: ['spend', 'Description'], missing: 'mean', outliers: 'none', scaling: 'standard' }), (e: Error) => e instanceof InputError && /"Description" has more than 100 different values/.test(e.message));
    assert.equal(fitPreprocess(table, { features: ['spend', 'Country'], missing: 'mean', outliers: 'none', scaling: 'standard' }).matrix.cols, 3);
  });
});
