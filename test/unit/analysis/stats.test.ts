/** Column orders: a version that appended rows extends the earlier order, with the same result. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ascendingRows } from '../../../server/analysis/stats.ts';

describe('ascendingRows', () => {
  it('gives for appended rows in the same buffer the order a fresh sort gives', () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(Number.NaN));
    fc.assert(fc.property(fc.array(value, { maxLength: 60 }), fc.array(value, { maxLength: 60 }), fc.array(value, { maxLength: 20 }), (first, second, third) => {
      const buffer = new ArrayBuffer((first.length + second.length + third.length) * 8);
      const all = new Float64Array(buffer);
      all.set([...first, ...second, ...third]);
      const v1 = new Float64Array(buffer, 0, first.length);
      const v2 = new Float64Array(buffer, 0, first.length + second.length);
      const v3 = new Float64Array(buffer, 0, all.length);
      const fresh = (n: number) => Array.from(ascendingRows(Float64Array.from(all.subarray(0, n))));
      assert.deepEqual(Array.from(ascendingRows(v1)), fresh(v1.length));
      assert.deepEqual(Array.from(ascendingRows(v2)), fresh(v2.length), 'merged once');
      assert.deepEqual(Array.from(ascendingRows(v3)), fresh(v3.length), 'merged twice');
      assert.deepEqual(Array.from(ascendingRows(v1)), fresh(v1.length), 'the earlier version keeps its order');
    }), { numRuns: 300 });
  });
});

describe('ascendingRows against a comparator sort', () => {
  it('orders present values ascending, ties (0 and -0 too) by index, missing left out', () => {
    const value = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, -0, Infinity, -Infinity, Number.NaN, 1e-300, -1e-300));
    fc.assert(fc.property(fc.array(value, { maxLength: 300 }), (raw) => {
      const values = Float64Array.from(raw);
      const expected = Array.from(values.keys()).filter((i) => !Number.isNaN(values[i])).sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : a - b));
      assert.deepEqual(Array.from(ascendingRows(values)), expected);
    }), { numRuns: 500 });
  });
});

describe('overview statistics through the column order', () => {
  it('give a symmetric correlation matrix', async () => {
    const { correlationMatrix } = await import('../../../server/analysis/summary.ts');
    const values = Float64Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? Number.NaN : ((i * 37) % 101) - (i % 13 === 0 ? 400 : 0)));
    const other = Float64Array.from(values, (v, i) => (i % 5 === 0 ? Number.NaN : v * 2 + (i % 3)));
    const { values: r } = correlationMatrix({ rowCount: 500, columns: [{ name: 'a', kind: 'numeric', values }, { name: 'b', kind: 'numeric', values: other }] });
    assert.equal(r[0][0], 1);
    assert.equal(r[0][1], r[1][0]);
    assert.ok(r[0][1] > 0.9 && r[0][1] < 1);
  });
});
