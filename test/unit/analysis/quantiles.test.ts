/** Quantiles by selection read exactly as a sorted copy of the present values does, on every shape of column. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantilesOf } from '../../../server/analysis/quantiles.ts';
import { quantileSorted, sortedCopy } from '../../../server/analysis/stats.ts';

const QS = [0, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 0.999, 1];

/** A deterministic stream of numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('quantilesOf', () => {
  const next = lcg(7);
  const columns: Record<string, Float64Array> = {
    continuous: Float64Array.from({ length: 100_001 }, () => next() * 1000 - 300),
    'few distinct values': Float64Array.from({ length: 50_000 }, () => Math.floor(next() * 4)),
    'mostly one value': Float64Array.from({ length: 20_000 }, (_, i) => (i % 50 === 0 ? i : 0)),
    sorted: Float64Array.from({ length: 30_000 }, (_, i) => i * 0.5),
    reversed: Float64Array.from({ length: 30_000 }, (_, i) => -i),
    'with gaps': Float64Array.from({ length: 10_000 }, (_, i) => (i % 7 === 0 ? Number.NaN : next())),
    'an infinite value': Float64Array.from({ length: 5000 }, (_, i) => (i === 77 ? Infinity : i % 13)),
    'far apart': Float64Array.from({ length: 5000 }, (_, i) => (i % 2 ? 1e308 : -1e308 + i)),
    tiny: Float64Array.from([3, 1, 2]),
    one: Float64Array.from([42]),
  };
  for (const [name, values] of Object.entries(columns)) {
    it(`matches a sorted copy of the present values: ${name}`, () => {
      const before = values.slice();
      const sorted = sortedCopy(values.filter((v) => !Number.isNaN(v)));
      assert.deepEqual(
        quantilesOf(values, QS),
        QS.map((q) => quantileSorted(sorted, q)),
      );
      assert.deepEqual(values, before, 'the column is left as it was');
    });
  }
  it('answers NaN for no values', () => assert.deepEqual(quantilesOf(new Float64Array(), [0.5]), [Number.NaN]));
});
