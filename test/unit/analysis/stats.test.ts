import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { presentQuantiles } from '../../../server/analysis/quantiles.ts';
import { createRng } from '../../../server/analysis/random.ts';
import { quantileSorted } from '../../../server/analysis/stats.ts';

describe('presentQuantiles', () => {
  it('gives the quantiles, extremes and count of a sorted copy of the present values', () => {
    const value = fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, -0, Number.NaN, 1e-300));
    const q = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(fc.property(fc.array(value, { maxLength: 400 }), fc.array(q, { minLength: 1, maxLength: 5 }), (raw, qs) => {
      const values = Float64Array.from(raw);
      const sorted = Float64Array.from(raw.filter((v) => !Number.isNaN(v))).sort();
      const ours = presentQuantiles(values, qs);
      assert.equal(ours.count, sorted.length);
      if (sorted.length === 0) return;
      // -0 and 0 are one value here (a selection may return either where a sort puts -0 first).
      const same = (v: number) => v + 0;
      assert.equal(same(ours.min), same(sorted[0]));
      assert.equal(same(ours.max), same(sorted[sorted.length - 1]));
      assert.deepEqual(ours.quantiles.map(same), qs.map((p) => same(quantileSorted(sorted, p))));
    }), { numRuns: 500 });
  });

  it('box statistics give the same figures in a shared scratch buffer, reused column after column, as in a copy of their own; neither touches the column', async () => {
    const { boxStatsByGroup } = await import('../../../server/analysis/box-stats.ts');
    const value = fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN));
    const scratch = new Float64Array(300).fill(12345);
    fc.assert(fc.property(fc.array(fc.array(value, { maxLength: 400 }), { minLength: 1, maxLength: 4 }), (columns) => {
      for (const raw of columns) {
        const values = Float64Array.from(raw);
        const copy = Float64Array.from(values);
        // Longer than the scratch: a copy of its own; otherwise the scratch, dirty from the column before.
        presentQuantiles(values, [0.25, 0.5, 0.75]);
        assert.deepEqual(boxStatsByGroup(values, null, 1, scratch), boxStatsByGroup(values, null, 1));
        assert.deepEqual(values, copy, 'the column itself is left as it was');
      }
    }), { numRuns: 200 });
  });
});

describe('overview statistics', () => {
  it('give a symmetric correlation matrix', async () => {
    const { correlationMatrix } = await import('../../../server/analysis/correlation.ts');
    const values = Float64Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? Number.NaN : ((i * 37) % 101) - (i % 13 === 0 ? 400 : 0)));
    const other = Float64Array.from(values, (v, i) => (i % 5 === 0 ? Number.NaN : v * 2 + (i % 3)));
    const { values: r } = correlationMatrix({ rowCount: 500, columns: [{ name: 'a', kind: 'numeric', values }, { name: 'b', kind: 'numeric', values: other }] });
    assert.equal(r[0][0], 1);
    assert.equal(r[0][1], r[1][0]);
    assert.ok(r[0][1] > 0.9 && r[0][1] < 1);
  });

  it('correlate each pair over the rows where both are present, as the two-pass definition, whatever the offset', async () => {
    const { correlationMatrix } = await import('../../../server/analysis/correlation.ts');
    /** The definition: the pair's present rows, their means, then the centred sums. */
    const pearson = (a: Float64Array, b: Float64Array) => {
      const rows = [...a.keys()].filter((i) => !Number.isNaN(a[i]) && !Number.isNaN(b[i]));
      const ma = rows.reduce((s, i) => s + a[i], 0) / rows.length;
      const mb = rows.reduce((s, i) => s + b[i], 0) / rows.length;
      let cov = 0;
      let va = 0;
      let vb = 0;
      for (const i of rows) {
        cov += (a[i] - ma) * (b[i] - mb);
        va += (a[i] - ma) ** 2;
        vb += (b[i] - mb) ** 2;
      }
      return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : Number.NaN;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (rows, cols, seed) => {
        const rng = createRng(seed);
        // Large offsets (incomes in the millions), gaps in some columns, one constant column sometimes.
        const columns = Array.from({ length: cols }, (_, c) => {
          const offset = c === 0 ? 5e6 : rng() * 100;
          const gaps = rng() < 0.5 ? rng() * 0.3 : 0;
          const constant = rng() < 0.15;
          const values = Float64Array.from({ length: rows }, (_, i) => (rng() < gaps ? Number.NaN : constant ? 7 : offset + rng() * 10 + (c > 0 ? i * 0.01 : 0)));
          return { name: `c${c}`, kind: 'numeric' as const, values };
        });
        const { values: r } = correlationMatrix({ rowCount: rows, columns });
        for (let a = 0; a < cols; a++) {
          for (let b = 0; b < cols; b++) {
            const expected = pearson(columns[a].values, columns[b].values);
            if (Number.isNaN(expected)) assert.ok(Number.isNaN(r[a][b]), `${a}, ${b}: ${r[a][b]} where the definition has none`);
            else assert.ok(Math.abs(r[a][b] - expected) <= 1e-9, `${a}, ${b}: ${r[a][b]} vs ${expected}`);
            assert.ok(Object.is(r[a][b], r[b][a]));
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
