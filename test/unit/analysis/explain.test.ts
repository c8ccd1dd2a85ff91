/** Why this segment: the margin over the runner-up split exactly into one share per feature. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BORDERLINE_SHARE, explainAssignment, mainReasons, storedRowReasons } from '../../../server/segmentation/explain.ts';
import { DEFAULT_OPTIONS } from '../../../server/segmentation/options.ts';
import { segment } from '../../../server/segmentation/pipeline.ts';
import { prepare } from '../../../server/segmentation/prepared.ts';
import { predictCustomer } from '../../../server/segmentation/predict.ts';
import type { DataTable, NumericColumn, TextColumn } from '../../../server/analysis/table.ts';
import { generateCustomers } from '../../../data/synthetic-customers.ts';

const customers = generateCustomers(500, 11);
const numeric = ['age', 'annual_income', 'spending_score', 'purchase_frequency'];
const table: DataTable = {
  rowCount: customers.length,
  columns: [
    ...numeric.map((name): NumericColumn => ({ name, kind: 'numeric', values: Float64Array.from(customers, (c) => (c[name as keyof typeof c] === null ? Number.NaN : Number(c[name as keyof typeof c]))) })),
    { name: 'gender', kind: 'categorical', values: customers.map((c) => c.gender as string) } satisfies TextColumn,
  ],
};
const options = { ...DEFAULT_OPTIONS, features: [...numeric, 'gender'], k: 4, nInit: 3, outliers: 'iqr-clip' as const };
const result = segment(table, prepare(table, options), options);

describe('explanations of an assignment', () => {
  it('split the margin exactly into one share per feature (a categorical feature\'s indicators summed), for every customer', () => {
    for (let i = 0; i < 200; i++) {
      const customer = { age: 20 + (i % 50), annual_income: 20_000 + i * 700, spending_score: (i * 37) % 100, purchase_frequency: (i % 13) + 1, gender: i % 2 ? 'Female' : 'Male' };
      const prediction = predictCustomer(result.pipeline, customer);
      const why = prediction.explanation!;
      assert.equal(why.contributions.length, 5, 'one per feature');
      const d = prediction.distances;
      assert.ok(Math.abs(why.margin - (d[why.runnerUp] ** 2 - d[prediction.segment] ** 2)) < 1e-9, 'the margin from the distances the answer reports');
      const sum = why.contributions.reduce((s, c) => s + c.contribution, 0);
      assert.ok(Math.abs(sum - why.margin) < 1e-9 * Math.max(1, why.margin), `customer ${i}: shares add up to ${sum}, margin ${why.margin}`);
      assert.ok(why.margin >= 0, 'the assigned centre is the nearest');
      assert.notEqual(why.runnerUp, prediction.segment);
      const runnerUpIsNext = d.every((v, c) => c === prediction.segment || v >= d[why.runnerUp]);
      assert.ok(runnerUpIsNext, 'the runner-up is the next closest');
      assert.equal(why.borderline, why.margin < BORDERLINE_SHARE * d[why.runnerUp] ** 2);
      assert.deepEqual(why.contributions.map((c) => c.contribution), [...why.contributions.map((c) => c.contribution)].sort((a, b) => b - a), 'largest pull first');
    }
  });

  it('speaks in business units: the value as the segmentation saw it and both centres', () => {
    const prediction = predictCustomer(result.pipeline, { age: 41, annual_income: 64_000, spending_score: 80, purchase_frequency: 9, gender: 'Female' });
    const why = prediction.explanation!;
    const score = why.contributions.find((c) => c.feature === 'spending_score')!;
    assert.ok(Math.abs((score.value as number) - 80) < 1e-9);
    const segment = result.segments[prediction.segment];
    assert.ok(Math.abs(score.assignedCentre - segment.centroid.spending_score) < 1e-9, 'the segment average, as the profiles give it');
    assert.ok(Math.abs(score.runnerUpCentre - result.segments[why.runnerUp].centroid.spending_score) < 1e-9);
    const gender = why.contributions.find((c) => c.feature === 'gender')!;
    assert.equal(gender.value, 'Female');
    assert.ok(Math.abs(gender.assignedCentre - segment.centroid['gender=Female']) < 1e-9, 'the share of the segment with that category');
    const reasons = mainReasons(why);
    assert.ok(reasons.length >= 1 && reasons.length <= 2);
    assert.match(reasons[0], /^\w+ .+ \((segment .+, runner-up .+|\d+% of the segment, \d+% of the runner-up)\)$/);
  });

  it('calls a customer half-way between two centres borderline, and one on a centre not', () => {
    const [a, b] = result.pipeline.centroids;
    const half = Float64Array.from(a, (v, j) => (v + b[j]) / 2 + 1e-6 * (v - b[j]));
    const between = explainAssignment(result.pipeline, half, 0)!;
    assert.equal(between.borderline, true);
    const onCentre = explainAssignment(result.pipeline, Float64Array.from(a), 0)!;
    assert.equal(onCentre.borderline, false);
  });

  it('gives stored rows the same reasons as a prediction, and none to a row the segmentation drops', () => {
    const reasonsOf = storedRowReasons(result.pipeline, ['customer_id', 'age', 'annual_income', 'spending_score', 'purchase_frequency', 'gender']);
    const customer = { age: 41, annual_income: 64_000, spending_score: 80, purchase_frequency: 9, gender: 'Female' };
    const prediction = predictCustomer(result.pipeline, customer);
    assert.deepEqual(reasonsOf(['C1', 41, 64_000, 80, 9, 'Female'], prediction.segment), mainReasons(prediction.explanation!));
    const dropping = segment(table, prepare(table, { ...options, missing: 'drop' }), { ...options, missing: 'drop' });
    assert.deepEqual(storedRowReasons(dropping.pipeline, ['customer_id', 'age', 'annual_income', 'spending_score', 'purchase_frequency', 'gender'])(['C2', null, 64_000, 80, 9, 'Male'], 0), []);
  });
});
