import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { boxStatsByCodes, boxStatsByGroup, valueCodes } from '../../../server/analysis/box-stats.ts';
import { createRng } from '../../../server/analysis/random.ts';
import { boxStats } from '../helpers.ts';

/** Each group's values by the definition (sorted separately), missing values left out. */
function expectedBoxes(values: Float64Array, group: Int32Array, groups: number) {
  return Array.from({ length: groups }, (_, g) => boxStats(values.filter((_, i) => group[i] === g)));
}

describe('box statistics by group', () => {
  it('match the box statistics of each group sorted separately, missing values left out', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v + 0), fc.constant(Number.NaN)), { maxLength: 200 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      (raw, groups, seed) => {
        const values = Float64Array.from(raw);
        const group = Int32Array.from(raw, (_, i) => (((i * 7 + seed) % (groups + 1)) + groups + 1) % (groups + 1) - 1);
        assert.deepEqual(boxStatsByGroup(values, group, groups).boxes, expectedBoxes(values, group, groups));
      },
    ));
  });

  it('select the same ranks on big columns of few distinct values, sorted, reversed and constant runs', () => {
    const rng = createRng(3);
    const n = 50_000;
    const columns = {
      ages: Float64Array.from({ length: n }, () => 18 + Math.floor(rng() * 53)),
      sorted: Float64Array.from({ length: n }, (_, i) => i),
      reversed: Float64Array.from({ length: n }, (_, i) => n - i),
      constant: new Float64Array(n).fill(7),
      organPipe: Float64Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
    };
    for (const [name, values] of Object.entries(columns)) {
      const group = Int32Array.from({ length: n }, () => Math.floor(rng() * 5) - 1);
      assert.deepEqual(boxStatsByGroup(values, group, 4).boxes, expectedBoxes(values, group, 4), name);
      assert.deepEqual(boxStatsByGroup(values, null, 1).boxes[0], boxStats(values), `${name}, one group`);
    }
  });

  it('give empty groups no figures rather than zeros', () => {
    const [box] = boxStatsByGroup(Float64Array.of(1, 2, Number.NaN), Int32Array.of(-1, -1, 0), 2).boxes;
    assert.ok(Number.isNaN(box.median) && box.outliers === 0);
  });

  it('come out the same counted by code for columns of few values, with the same sums for whole numbers', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.integer({ min: -30, max: 30 }).map((v) => v / 4), fc.constant(Number.NaN)), { maxLength: 300 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer(),
      (raw, groups, seed) => {
        const values = Float64Array.from(raw);
        const group = Int32Array.from(raw, (_, i) => (((i * 13 + seed) % (groups + 1)) + groups + 1) % (groups + 1) - 1);
        const codes = valueCodes(values)!;
        const counted = boxStatsByCodes(codes, group, groups);
        const selected = boxStatsByGroup(values, group, groups);
        assert.deepEqual(counted.boxes, expectedBoxes(values, group, groups));
        assert.deepEqual(counted.counts, selected.counts);
        assert.deepEqual(counted.sums, selected.sums, 'quarters add up exactly either way');
      },
    ));
  });

  it('code only columns of few values', () => {
    assert.equal(valueCodes(Float64Array.from({ length: 5000 }, (_, i) => i)), undefined);
    assert.equal(valueCodes(Float64Array.from({ length: 5000 }, (_, i) => i / 3)), undefined);
    assert.deepEqual(Array.from(valueCodes(Float64Array.of(1e9, Number.NaN, -4, 1e9))!.distinct), [-4, 1e9], 'whole numbers of a wide span, through the map');
    assert.deepEqual(Array.from(valueCodes(Float64Array.of(Number.NaN))!.codes), [0xffff]);
    const prices = Float64Array.from({ length: 3000 }, (_, i) => [0.1, 0.7, 2.35, 19.99][i % 4]);
    const priceCodes = valueCodes(prices)!;
    assert.deepEqual(Array.from(priceCodes.distinct), [0.1, 0.7, 2.35, 19.99], 'hundredths, each the very value');
    assert.ok(Array.from(priceCodes.codes).every((c, i) => priceCodes.distinct[c] === prices[i]));
    const codes = valueCodes(Float64Array.of(3, Number.NaN, 1, 3, 2))!;
    assert.deepEqual(Array.from(codes.distinct), [1, 2, 3]);
    assert.deepEqual(Array.from(codes.codes), [2, 0xffff, 0, 2, 1]);
  });

  it('code values off every grid through the hash table, each code giving back its very value', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.integer({ min: -3000, max: 3000 }).map((v) => v / 7), fc.constant(-0), fc.constant(Number.NaN), fc.double({ noNaN: true })), { maxLength: 400 }),
      (raw) => {
        const values = Float64Array.from(raw);
        const codes = valueCodes(values)!;
        const expected = [...new Set(raw.filter((v) => !Number.isNaN(v)).map((v) => v + 0))].sort((a, b) => a - b);
        assert.deepEqual(Array.from(codes.distinct), expected);
        raw.forEach((v, i) => assert.ok(Number.isNaN(v) ? codes.codes[i] === 0xffff : codes.distinct[codes.codes[i]] === v));
      },
    ));
    const offGrid = (count: number) => Float64Array.from({ length: 2 * count }, (_, i) => ((i * 7919) % count) / 7 + 1e6);
    assert.equal(valueCodes(offGrid(4096))?.distinct.length, 4096, 'as many values as a code holds');
    assert.equal(valueCodes(offGrid(4097)), undefined, 'one more');
  });
});
