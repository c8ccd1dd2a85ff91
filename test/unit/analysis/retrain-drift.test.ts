import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCustomers } from '../../../data/synthetic-customers.ts';
import { driftReport, featureBaseline, psi } from '../../../server/analysis/drift.ts';
import { hungarian } from '../../../server/analysis/hungarian.ts';
import { DEFAULT_OPTIONS } from '../../../server/segmentation/options.ts';
import { segment } from '../../../server/segmentation/pipeline.ts';
import { prepare } from '../../../server/segmentation/prepared.ts';
import { retrain } from '../../../server/segmentation/retrain.ts';
import { createRng, normal } from '../../../server/analysis/random.ts';
import type { DataTable } from '../../../server/analysis/table.ts';

function table(count: number, seed: number): DataTable {
  const customers = generateCustomers(count, seed);
  const numeric = ['age', 'annual_income', 'spending_score', 'purchase_frequency'] as const;
  return {
    rowCount: count,
    columns: numeric.map((name) => ({ name, kind: 'numeric' as const, values: Float64Array.from(customers, (c) => (c[name] === null ? Number.NaN : Number(c[name]))) })),
  };
}

describe('Hungarian assignment', () => {
  it('finds the minimum-cost matching', () => {
    assert.deepEqual(hungarian([[4, 1, 3], [2, 0, 5], [3, 2, 2]]), [1, 0, 2]);
    assert.deepEqual(hungarian([[0, 9], [9, 0]]), [0, 1]);
    assert.deepEqual(hungarian([[9, 0], [0, 9]]), [1, 0]);
  });
});

describe('retraining', () => {
  const data = table(600, 3);
  const options = { ...DEFAULT_OPTIONS, features: ['age', 'annual_income', 'spending_score', 'purchase_frequency'], k: 5, nInit: 3, outliers: 'none' as const };
  const fit = segment(data, prepare(data, options), options);

  it('keeps every label, number and name when the data has not changed', () => {
    const outcome = retrain(data, fit.pipeline);
    assert.equal(outcome.accepted, true);
    assert.deepEqual(Array.from(outcome.result!.labels), Array.from(fit.labels));
    assert.deepEqual(outcome.result!.pipeline.segmentNames, fit.pipeline.segmentNames);
  });

  it('keeps segment numbers across a refit on grown data by matching centroids', () => {
    const grown = table(900, 3);
    const outcome = retrain(grown, fit.pipeline);
    assert.equal(outcome.accepted, true);
    // The first 600 customers are the same: nearly all keep their segment number.
    const same = fit.labels.reduce((n, l, i) => n + (outcome.result!.labels[i] === l ? 1 : 0), 0);
    assert.ok(same / 600 > 0.95, `${same} of 600 kept their segment`);
    assert.deepEqual(outcome.result!.pipeline.segmentNames, fit.pipeline.segmentNames);
  });
});

describe('drift', () => {
  const rng = createRng(5);
  const training = Float64Array.from({ length: 2000 }, () => normal(rng, 50, 10));
  const baseline = { features: [featureBaseline('score', training)], segmentShares: [0.5, 0.5], rowCount: 2000 };

  it('sees no drift when new customers look like the training data', () => {
    const same = Float64Array.from({ length: 500 }, () => normal(rng, 50, 10));
    const report = driftReport(baseline, new Map([['score', same]]), Int32Array.from({ length: 500 }, (_, i) => i % 2));
    assert.ok(report.features[0].psi < 0.1);
    assert.ok(Math.abs(report.features[0].meanShiftSd) < 0.2);
    assert.equal(report.retrainRecommended, false);
  });

  it('recommends retraining when a feature shifts and the mix changes', () => {
    const shifted = Float64Array.from({ length: 500 }, () => normal(rng, 65, 10));
    const report = driftReport(baseline, new Map([['score', shifted]]), new Int32Array(500));
    assert.ok(report.features[0].meanShiftSd > 1.2);
    assert.ok(report.features[0].psi > 0.25);
    assert.equal(report.mixChange, 0.5);
    assert.equal(report.retrainRecommended, true);
    assert.ok(report.reasons.some((r) => /population stability/.test(r)));
  });

  it('computes PSI as the sum of (actual - expected) ln(actual / expected)', () => {
    assert.equal(psi([0.5, 0.5], [0.5, 0.5]), 0);
    assert.ok(Math.abs(psi([0.5, 0.5], [0.25, 0.75]) - (0.25 * Math.log(0.75 / 0.5) - 0.25 * Math.log(0.25 / 0.5))) < 1e-12);
  });
});
