import { STABILITY_REPLICATES } from '../../../server/analysis/stability.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_OPTIONS, type SegmentationOptions } from '../../../server/segmentation/options.ts';
import { segment } from '../../../server/segmentation/pipeline.ts';
import { prepare, runSweep, stabilityOf, sweptFit } from '../../../server/segmentation/prepared.ts';
import { predictCustomer } from '../../../server/segmentation/predict.ts';
import { parseModelJson } from '../../../server/models/model-schema.ts';
import type { DataTable, NumericColumn, TextColumn } from '../../../server/analysis/table.ts';
import { generateCustomers } from '../../../data/synthetic-customers.ts';
import { CancelledError, InputError } from '../../../server/errors.ts';
import { finishingK, monitored, stopPoint } from '../../../server/analysis/progress.ts';
import { sweepOrder } from '../../../server/segmentation/sweep.ts';

/** The synthetic sample as a table, without going through a database. */
function sampleTable(count: number): DataTable {
  const customers = generateCustomers(count, 7);
  const numeric = ['age', 'annual_income', 'spending_score', 'membership_years', 'purchase_frequency', 'last_purchase_amount'];
  return {
    rowCount: count,
    columns: [
      ...numeric.map((name): NumericColumn => ({ name, kind: 'numeric', values: Float64Array.from(customers, (c) => (c[name as keyof typeof c] === null ? Number.NaN : Number(c[name as keyof typeof c]))) })),
      ...['gender', 'preferred_category'].map((name): TextColumn => ({ name, kind: 'categorical', values: customers.map((c) => c[name as keyof typeof c] as string) })),
    ],
  };
}

const table = sampleTable(400);
const base: SegmentationOptions = { ...DEFAULT_OPTIONS, features: ['age', 'annual_income', 'spending_score', 'purchase_frequency'], nInit: 3, outliers: 'none' };

function customerAt(t: DataTable, row: number, features: string[]) {
  return Object.fromEntries(features.map((name) => {
    const column = t.columns.find((c) => c.name === name)!;
    const v = column.values[row];
    return [name, typeof v === 'number' && Number.isNaN(v) ? null : v];
  }));
}

describe('segmentation pipeline and prediction', () => {
  const options = { ...base, k: 4 };
  const prepared = prepare(table, options);
  const result = segment(table, prepared, options);

  it('labels every customer, numbers segments 1..k and keeps metrics in range', () => {
    assert.equal(result.labels.length, 400);
    const sizes = result.segments.map((s) => s.size);
    assert.deepEqual(result.segments.map((s) => s.id), [0, 1, 2, 3]);
    assert.ok(sizes.every((s) => s > 0));
    assert.equal(sizes.reduce((a, b) => a + b), 400);
    assert.ok(result.metrics.silhouette > 0 && result.metrics.silhouette <= 1);
    const stability = stabilityOf(prepared, result.options);
    assert.ok(stability.meanAri >= 0 && stability.meanAri <= 1);
    assert.equal(stability.replicates, STABILITY_REPLICATES);
    assert.equal(result.scatter.rows.length, 400, 'few customers: every one drawn');
    assert.equal(result.scatter.points.length, 800);
  });

  it('reports centroids in original units: the mean of each segment\'s imputed values', () => {
    const income = table.columns.find((c) => c.name === 'annual_income')!.values as Float64Array;
    const fill = result.pipeline.preprocessor.numeric.find((s) => s.name === 'annual_income')!.fill;
    for (const s of result.segments) {
      let sum = 0;
      result.labels.forEach((l, i) => { if (l === s.id) sum += Number.isNaN(income[i]) ? fill : income[i]; });
      const expected = sum / s.size;
      assert.ok(Math.abs(s.centroid.annual_income - expected) < 1e-6 * expected, `${s.centroid.annual_income} vs ${expected}`);
    }
  });

  it('predicts every training row to its own segment (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 399 }), (row) => {
      const prediction = predictCustomer(result.pipeline, customerAt(table, row, options.features));
      return prediction.segment === result.labels[row];
    }), { numRuns: 200 });
  });

  it('predicts the same after a JSON round trip of the fitted pipeline', () => {
    const restored = parseModelJson(JSON.stringify(result.pipeline));
    for (let row = 0; row < 400; row += 7) {
      const customer = customerAt(table, row, options.features);
      assert.deepEqual(predictCustomer(restored, customer), predictCustomer(result.pipeline, customer));
    }
  });

  it('gives the distance to every centroid and the position on the scatter', () => {
    const prediction = predictCustomer(result.pipeline, customerAt(table, 0, options.features));
    assert.equal(prediction.distances.length, 4);
    assert.equal(prediction.segment, prediction.distances.indexOf(Math.min(...prediction.distances)));
    assert.equal(result.scatter.rows[0], 0);
    assert.ok(Math.abs(prediction.point[0] - result.scatter.points[0]) < 1e-9);
    assert.ok(Math.abs(prediction.point[1] - result.scatter.points[1]) < 1e-9);
  });

  it('rejects a customer with an unknown field, naming it', () => {
    assert.throws(() => predictCustomer(result.pipeline, { age: 30, height: 180 }), (e: Error) => e instanceof InputError && /Unknown field "height"/.test(e.message));
  });

  it('runs every algorithm and preprocessing choice end to end', () => {
    for (const algorithm of ['kmeans', 'minibatch', 'agglomerative', 'dbscan'] as const) {
      const o = { ...base, features: [...base.features, 'gender'], algorithm, outliers: 'iqr-exclude' as const, scaling: 'robust' as const, missing: 'median' as const, k: 3 };
      const r = segment(table, prepare(table, o), o);
      assert.equal(r.labels.length, 400, algorithm);
      const restored = parseModelJson(JSON.stringify(r.pipeline));
      const customer = customerAt(table, 5, o.features);
      assert.equal(predictCustomer(restored, customer).segment, predictCustomer(r.pipeline, customer).segment);
      if (algorithm === 'dbscan') assert.ok(r.options.eps > 0);
    }
  });

  it('sweeps k and recommends one in range', () => {
    const sweep = runSweep(prepared, base);
    assert.equal(sweep.rows.length, 9);
    assert.ok(sweep.recommendedK >= 2 && sweep.recommendedK <= 10);
  });

  it('scores the shown k\'s neighbours first, the shown k last, and draws the same curves as in order', () => {
    assert.deepEqual(sweepOrder(2, 10, 5), [6, 4, 7, 3, 8, 2, 9, 10, 5]);
    assert.deepEqual(sweepOrder(2, 10, 10), [9, 8, 7, 6, 5, 4, 3, 2, 10]);
    assert.deepEqual(sweepOrder(2, 10, null), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(sweepOrder(2, 10, 14), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const shown = { ...base, k: 5, seed: 8 };
    const interrupted = prepare(table, shown);
    let stopNow = false;
    // Stopped when k = 3 comes up: the slider's neighbours 6 and 4, then 7, were already scored.
    const monitor = { cancelled: () => stopNow, report: (p: { step: string }) => (stopNow ||= p.step === 'scoring k = 3') };
    assert.throws(() => monitored(monitor, () => runSweep(interrupted, shown)), CancelledError);
    assert.equal(interrupted.reuse.fits?.size, 3);
    const outward = runSweep(interrupted, shown);
    const upward = runSweep(prepare(table, { ...shown, k: null }), { ...shown, k: null });
    assert.deepEqual(outward, upward);
  });

  it('goes on from the values of k it had scored when a stopped sweep runs again, with the same curves', () => {
    for (const algorithm of ['kmeans', 'minibatch'] as const) {
      const options = { ...base, algorithm, seed: 5 };
      const interrupted = prepare(table, options);
      let stopNow = false;
      const monitor = { cancelled: () => stopNow, report: (p: { step: string }) => (stopNow ||= p.step === 'scoring k = 6') };
      assert.throws(() => monitored(monitor, () => runSweep(interrupted, options)), CancelledError);
      assert.equal(interrupted.reuse.fits?.size, 4, `${algorithm}: k = 2..5 were kept`);
      // Every restart and Lloyd iteration is a stop point: the kept values of k pass only their own.
      const stopPointsOf = (prepared: ReturnType<typeof prepare>) => {
        let count = 0;
        const sweep = monitored({ cancelled: () => (count++, false), report: () => {} }, () => runSweep(prepared, options));
        return { sweep, count };
      };
      const resumed = stopPointsOf(interrupted);
      const fresh = stopPointsOf(prepare(table, options));
      assert.deepEqual(resumed.sweep, fresh.sweep, `${algorithm}: the same curves as a sweep never stopped`);
      assert.equal(interrupted.reuse.fits?.size, 9);
      // A fitted k passes stop points of its own (k-means: one a restart and more); the four kept ones passed none.
      assert.ok(fresh.count - resumed.count >= (algorithm === 'kmeans' ? 4 * options.nInit : 4), `${algorithm}: ${resumed.count} stop points resumed, ${fresh.count} fresh`);
    }
  });

  it('stop points pass only inside the work for the k a yield makes room for', () => {
    const yielding = (wanted: number) => ({ cancelled: () => true, yieldingFor: () => wanted, report: () => {} });
    monitored(yielding(6), () => finishingK(6, () => stopPoint({ step: 'fitting k = 6' })));
    assert.throws(() => monitored(yielding(6), () => stopPoint()), CancelledError);
    assert.throws(() => monitored(yielding(6), () => finishingK(4, () => stopPoint())), CancelledError);
    assert.throws(() => monitored(yielding(0), () => finishingK(6, () => stopPoint())), CancelledError);
    assert.throws(() => monitored({ cancelled: () => true, report: () => {} }, () => finishingK(6, () => stopPoint())), CancelledError);
    // Left, the k no longer holds: the next stop point stops.
    assert.throws(() => monitored(yielding(6), () => (finishingK(6, () => stopPoint()), stopPoint())), CancelledError);
  });

  it('finishes the k it is fitting when it yields to a request for that k, and stops at once for any other', () => {
    // The slider's first move is to the shown k's neighbour, the first k the sweep fits: told to
    // make room while fitting it, the sweep keeps that fit for the request instead of dropping it.
    const shown = { ...base, k: 5, seed: 12 };
    const yieldingTo = (wanted: number) => {
      const prepared = prepare(table, shown);
      let told = false;
      const monitor = {
        cancelled: () => told,
        yieldingFor: () => wanted,
        // Told while k = 6 (the first) is about to be fitted: every stop point inside its fit sees it.
        report: (p: { step: string }) => (told ||= p.step === 'scoring k = 6'),
      };
      assert.throws(() => monitored(monitor, () => runSweep(prepared, shown)), CancelledError);
      return prepared;
    };
    const forSix = yieldingTo(6);
    assert.equal(forSix.reuse.fits?.size, 1);
    assert.ok(sweptFit(forSix, shown, 6), 'k = 6 was finished and kept');
    assert.equal(sweptFit(forSix, shown, 4), undefined, 'it stopped before the next k');
    const kept = segment(table, forSix, { ...shown, k: 6 });
    assert.deepEqual(kept.labels, segment(table, prepare(table, shown), { ...shown, k: 6 }).labels, 'the kept fit is the fit');
    for (const other of [4, 0]) assert.equal(yieldingTo(other).reuse.fits?.size ?? 0, 0, `yielding for ${other || 'a stop'}: k = 6 dropped`);
  });
});

describe('customers appended after a fit', () => {
  it('are assigned as predictCustomer assigns them, rows the missing-value rule drops left out', async () => {
    const { extendSegmentation } = await import('../../../server/segmentation/extend.ts');
    for (const missing of ['drop', 'median'] as const) {
      const features = [...base.features, 'gender'];
      const options = { ...base, features, missing, k: 3 };
      const fitted = sampleTable(300);
      const fit = segment(fitted, prepare(fitted, options), options);
      const grown = sampleTable(340); // the same generator: the first 300 rows are the fitted ones
      const extended = extendSegmentation(fit, grown);
      const expected: { row: number; segment: number; point: [number, number] }[] = [];
      for (let row = 300; row < 340; row++) {
        try {
          const p = predictCustomer(fit.pipeline, customerAt(grown, row, features));
          expected.push({ row, segment: p.segment, point: p.point });
        } catch {
          // dropped by the missing-value rule
        }
      }
      if (missing === 'drop') assert.ok(expected.length < 40, 'some appended rows have missing values');
      const added = Array.from(extended.rowIndex.slice(fit.rowIndex.length));
      assert.deepEqual(added, expected.map((e) => e.row), `${missing}: appended rows kept`);
      assert.deepEqual(Array.from(extended.labels.slice(fit.labels.length)), expected.map((e) => e.segment));
      assert.deepEqual(Array.from(extended.scatter.rows), Array.from(extended.labels, (_, i) => i), 'few customers: every one drawn');
      const appendedPoints = Array.from(extended.scatter.points.slice(fit.labels.length * 2));
      expected.flatMap((e) => e.point).forEach((v, i) => assert.ok(Math.abs(appendedPoints[i] - v) < 1e-9, `point ${i}`));
      assert.deepEqual(extended.labels.slice(0, fit.labels.length), fit.labels, 'fitted rows keep their segments');
      assert.equal(extended.segments.reduce((n, s) => n + s.size, 0), extended.labels.length);
      if (missing === 'drop') assert.deepEqual(Array.from(prepare(grown, options).prep.rowIndex), Array.from(extended.rowIndex), 'the rows a refit would keep');
      assert.ok(Number.isFinite(extended.metrics.silhouette));
      assert.notDeepEqual(extended.metrics, fit.metrics, 'scores over the grown rows');
      // Big data: the same assignment and profiles, the fit's scores, and a note saying so.
      const unscored = extendSegmentation(fit, grown, 0);
      assert.deepEqual(unscored.labels, extended.labels);
      assert.deepEqual(unscored.segments, extended.segments);
      assert.deepEqual(unscored.scatter, extended.scatter);
      assert.deepEqual(unscored.metrics, fit.metrics);
      assert.ok(unscored.notes.some((n) => /scores are those of the fit/.test(n)));
      assert.ok(!extended.notes.some((n) => /scores are those of the fit/.test(n)));
    }
  });
});

describe('a k sweep shared across k', () => {
  const options = { ...base, k: null, kMin: 2, kMax: 6 };

  it('serves each k in its range with the fit, scores and stability a fresh fit gives', () => {
    const swept = prepare(table, options);
    runSweep(swept, options);
    assert.equal(swept.reuse.fits?.size, 5);
    for (const k of [2, 4, 6]) {
      const fromSweep = segment(table, swept, { ...options, k });
      const freshData = prepare(table, options);
      const fresh = segment(table, freshData, { ...options, k });
      assert.deepEqual(fromSweep.labels, fresh.labels, `labels for k = ${k}`);
      // Same partition, segments numbered differently: sums over segments may round differently.
      for (const [name, value] of Object.entries(fresh.metrics)) {
        const shared = fromSweep.metrics[name as keyof typeof fresh.metrics];
        if (typeof value === 'number') assert.ok(Math.abs((shared as number) - value) <= 1e-12 * Math.abs(value), `${name} for k = ${k}`);
        else assert.equal(shared, value);
      }
      assert.deepEqual(stabilityOf(swept, fromSweep.options), stabilityOf(freshData, fresh.options), `stability for k = ${k}`);
      assert.deepEqual(fromSweep.segments, fresh.segments, `profiles for k = ${k}`);
    }
  });

  it('keeps centroids without labels on big data and gives the same segmentation', () => {
    for (const algorithm of ['kmeans', 'minibatch'] as const) {
      const o = { ...options, algorithm };
      const withLabels = prepare(table, o);
      runSweep(withLabels, o);
      const centroidsOnly = prepare(table, o);
      runSweep(centroidsOnly, o, 0);
      assert.ok([...centroidsOnly.reuse.fits!.values()].every((f) => f.fit.labels === undefined), 'no labels kept');
      for (const k of [2, 3, 5]) {
        const a = segment(table, withLabels, { ...o, k });
        const b = segment(table, centroidsOnly, { ...o, k });
        assert.deepEqual(b.labels, a.labels, `${algorithm} labels for k = ${k}`);
        assert.deepEqual(b.segments, a.segments);
        assert.deepEqual(b.metrics, a.metrics);
      }
    }
  });

  it('fits afresh for a k outside the swept range or for other fit options', () => {
    const swept = prepare(table, options);
    runSweep(swept, options);
    const outside = segment(table, swept, { ...options, k: 8 });
    assert.equal(outside.segments.length, 8);
    const otherSeed = segment(table, swept, { ...options, k: 4, seed: 7 });
    const freshOtherSeed = segment(table, prepare(table, options), { ...options, k: 4, seed: 7 });
    assert.deepEqual(otherSeed.labels, freshOtherSeed.labels);
  });
});

describe('segment spreads for the box plots', () => {
  it('match the box statistics of each segment\'s own values', async () => {
    const { boxStats } = await import('../helpers.ts');
    const options = { ...base, k: 3 };
    const result = segment(table, prepare(table, options), options);
    for (const s of result.segments) {
      for (const f of s.features) {
        const column = table.columns.find((c) => c.name === f.feature)!;
        const values = Array.from(result.labels).flatMap((l, i) => (l === s.id ? [column.values[result.rowIndex[i]] as number] : []));
        assert.deepEqual(f.spread, boxStats(values), `${f.feature} in segment ${s.id}`);
      }
    }
  });
});
