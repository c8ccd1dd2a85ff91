import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSentinel, inferRole, roleFromName, type RoleSample } from '../../../server/analysis/roles.ts';

const numeric = (name: string, numbers: number[]): RoleSample => ({ name, kind: 'numeric', numbers, levels: [] });
const category = (name: string, levels: string[]): RoleSample => ({ name, kind: 'categorical', numbers: [], levels });
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('column roles', () => {
  it('reads the roles of the real files\' columns as a marketer would', () => {
    const cases: [RoleSample, string][] = [
      [numeric('Annual Income (k$)', range(50, (i) => 15 + i)), 'money'],
      [numeric('Spending Score (1-100)', range(50, (i) => 1 + i)), 'score'],
      [numeric('Age', range(50, (i) => 18 + i)), 'age'],
      [numeric('PURCHASES_TRX', range(50, (i) => i)), 'count'],
      [numeric('PURCHASES', range(50, (i) => i * 37.5)), 'money'],
      [numeric('PURCHASES_FREQUENCY', range(50, (i) => i / 50)), 'rate'],
      [numeric('purchase_frequency', range(50, (i) => 1 + i / 2)), 'count'],
      [numeric('CASH_ADVANCE', range(50, (i) => i * 100.5)), 'money'],
      [numeric('TENURE', range(50, (i) => 6 + (i % 7))), 'tenure'],
      [numeric('tenure', range(50, (i) => i)), 'tenure'],
      [numeric('MonthlyCharges', range(50, (i) => 20 + i * 1.5)), 'money'],
      [numeric('Fresh', range(50, (i) => i * 300)), 'money'],
      [numeric('Recency', range(50, (i) => i * 2)), 'recency'],
      [numeric('Year_Birth', range(50, (i) => 1940 + i)), 'birth-year'],
      [numeric('day', range(50, (i) => 1 + (i % 31))), 'calendar'],
      [numeric('Response', range(50, (i) => i % 2)), 'outcome'],
      [category('Churn', ['yes', 'no']), 'outcome'],
      [category('y', ['yes', 'no']), 'outcome'],
      [category('Partner', ['yes', 'no']), 'flag'],
      [category('Gender', ['male', 'female']), 'measure'],
    ];
    for (const [sample, role] of cases) assert.equal(inferRole(sample).role, role, sample.name);
  });

  it('gives a reason a person can check', () => {
    assert.match(inferRole(category('Churn', ['yes', 'no'])).reason, /rate per segment/);
    assert.match(inferRole(numeric('day', range(50, (i) => 1 + (i % 31)))).reason, /not a default feature/);
  });

  it('finds a "never" value set apart from the rest: pdays = -1 in most rows', () => {
    const pdays = range(100, (i) => (i < 59 ? -1 : 1 + i * 3));
    assert.deepEqual(findSentinel(pdays), { value: -1, share: 0.59 });
    const guess = inferRole(numeric('pdays', pdays));
    assert.equal(guess.role, 'recency');
    assert.equal(guess.sentinel?.value, -1);
    assert.match(guess.reason, /-1 in 59% of rows stands for "never"/);
    assert.equal(findSentinel(range(100, (i) => (i < 10 ? 999 : i)))?.value, 999);
  });

  it('does not call an ordinary value a sentinel', () => {
    assert.equal(findSentinel(range(100, (i) => i - 50)), undefined, '-1 among other negatives');
    assert.equal(findSentinel(range(100, (i) => (i === 0 ? -1 : i))), undefined, 'one -1 in 100 rows');
    assert.equal(findSentinel(range(100, (i) => (i < 10 ? 999 : i * 9))), undefined, '999 inside the range');
  });

  it('reads older datasets\' roles from their header alone', () => {
    assert.equal(roleFromName('Churn', 'categorical'), 'outcome');
    assert.equal(roleFromName('membership_years', 'numeric'), 'tenure');
    assert.equal(roleFromName('annual_income', 'numeric'), 'money');
  });
});
