/**
 * Rules as the assignment: every customer is placed by the first rule their values (filled
 * and clipped as the segmentation reads them) meet, as an SQL CASE over the same values
 * would place them, including at a threshold, with a value missing and with a category the
 * segmentation never saw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCustomers } from '../../../data/synthetic-customers.ts';
import type { DataTable, NumericColumn, TextColumn } from '../../../server/analysis/table.ts';
import type { CustomerInput } from '../../../server/analysis/transform.ts';
import { DEFAULT_OPTIONS } from '../../../server/segmentation/options.ts';
import { segment } from '../../../server/segmentation/pipeline.ts';
import { byCentres, predictCustomer, type FittedPipeline } from '../../../server/segmentation/predict.ts';
import { prepare } from '../../../server/segmentation/prepared.ts';
import { adoptedRules, adoptRules } from '../../../server/segmentation/rule-assign.ts';
import { segmentRules, type RuleCondition } from '../../../server/segmentation/segment-rules.ts';
import { assignAll } from '../../../server/segmentation/model-ops.ts';

const NUMERIC = ['age', 'annual_income', 'spending_score', 'purchase_frequency'];
const customers = generateCustomers(500, 11);
const table: DataTable = {
  rowCount: customers.length,
  columns: [
    ...NUMERIC.map((name): NumericColumn => ({
      name,
      kind: 'numeric',
      values: Float64Array.from(customers, (c) => (c[name as keyof typeof c] === null ? Number.NaN : Number(c[name as keyof typeof c]))),
    })),
    { name: 'gender', kind: 'categorical', values: customers.map((c) => c.gender as string) } satisfies TextColumn,
  ],
};
const features = [...NUMERIC, 'gender'];
const options = { ...DEFAULT_OPTIONS, features, k: 4, nInit: 3, outliers: 'iqr-clip' as const };
const fit = segment(table, prepare(table, options), options).pipeline;
const grown = segmentRules(fit, table);
const byRules: FittedPipeline = { ...fit, rules: adoptRules(grown) };

/** What an SQL CASE over the stored values gives: gaps filled, numbers clipped, the first matching rule. */
function sqlPlacement(customer: CustomerInput): number | null {
  const p = fit.preprocessor;
  const valueOf = (c: RuleCondition): number | string => {
    const step = p.numeric.find((s) => s.name === c.feature);
    if (step) {
      const raw = customer[c.feature];
      let v = raw === null || raw === undefined ? step.fill : Number(raw);
      if (step.clipLow !== null) v = Math.max(step.clipLow, v);
      if (step.clipHigh !== null) v = Math.min(step.clipHigh, v);
      return v;
    }
    return (customer[c.feature] as string | null | undefined) ?? p.categorical.find((s) => s.name === c.feature)!.fill;
  };
  const holds = (c: RuleCondition) => {
    const v = valueOf(c);
    if (c.op === '<') return (v as number) < (c.value as number);
    if (c.op === '>=') return (v as number) >= (c.value as number);
    return c.op === '=' ? v === c.value : v !== c.value;
  };
  return grown.ordered.find(({ rule }) => rule.conditions.every(holds))?.segment ?? null;
}

const customerAt = (row: number): CustomerInput =>
  Object.fromEntries(
    features.map((name) => {
      const v = table.columns.find((c) => c.name === name)!.values[row];
      return [name, typeof v === 'number' && Number.isNaN(v) ? null : v];
    }),
  );

describe('assigning by rules', () => {
  it('places each customer of the table by the first rule they meet, as the SQL would, and not always as the centres do', () => {
    const labels = assignAll(byRules, table);
    let differ = 0;
    for (let row = 0; row < table.rowCount; row++) {
      const expected = sqlPlacement(customerAt(row));
      assert.equal(labels[row], expected, `row ${row}`);
      assert.equal(predictCustomer(byRules, customerAt(row)).segment, expected, `row ${row} typed in`);
      if (predictCustomer(fit, customerAt(row)).segment !== expected) differ++;
    }
    assert.ok(Math.abs(1 - differ / table.rowCount - grown.fidelity) < 1e-9, `${differ} placed elsewhere; fidelity ${grown.fidelity}`);
  });

  it('reads a value at a threshold as ≥ it, a missing value as the fill, and an unseen category as none of the levels', () => {
    const numeric = grown.ordered.flatMap(({ rule }) => rule.conditions).find((c) => c.op === '>=' || c.op === '<')!;
    assert.ok(numeric, 'the rules cut a number');
    const t = numeric.value as number;
    for (const value of [t, t - 1e-9 * Math.max(1, Math.abs(t)), t + 1e-9 * Math.max(1, Math.abs(t))]) {
      for (const row of [0, 1, 2, 3, 4]) {
        const customer = { ...customerAt(row), [numeric.feature]: value };
        assert.equal(predictCustomer(byRules, customer).segment, sqlPlacement(customer), `${numeric.feature} = ${value}`);
      }
    }
    for (const row of [5, 6, 7]) {
      const missing = { ...customerAt(row), annual_income: null, gender: null };
      assert.equal(predictCustomer(byRules, missing).segment, sqlPlacement(missing));
      const unseen = { ...customerAt(row), gender: 'Prefer not to say' };
      assert.equal(predictCustomer(byRules, unseen).segment, sqlPlacement(unseen));
    }
  });

  it('names the rule that placed a customer, and is told as the grown rules with the current names', () => {
    const prediction = predictCustomer(byRules, customerAt(0));
    assert.equal(prediction.explanation, null);
    const told = adoptedRules(byRules.rules!, ['A', 'B', 'C', 'D']);
    assert.equal(told.assignedBy, 'rules');
    assert.deepEqual(told.ordered.map((o) => o.rule.text), grown.ordered.map((o) => o.rule.text));
    assert.deepEqual(told.segments.map((s) => s.name), ['A', 'B', 'C', 'D']);
    assert.ok(told.segments[prediction.segment].rules.some((r) => r.text === prediction.rule), prediction.rule);
    assert.deepEqual(byCentres(byRules), fit);
  });
});
