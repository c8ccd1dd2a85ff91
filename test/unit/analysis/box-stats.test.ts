import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { boxStatsByGroup } from '../../../server/analysis/box-stats.ts';
import { boxStatsByBuckets, valueBuckets } from '../../../server/analysis/value-buckets.ts';
import { boxStatsByCodes, valueCodes } from '../../../server/analysis/value-codes.ts';
import { createRng } from '../../../server/analysis/random.ts';
import { ColumnFacts, numericBySegment } from '../../../server/segmentation/segment-columns.ts';
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

  it('come out the same from a grid of cells in value order, however the values crowd the cells', () => {
    /** Any coding that keeps value order: here a few cells of equal width, or values below a cut in one cell. */
    const coarse = (values: Float64Array, cells: number) => {
      const present = values.filter((v) => !Number.isNaN(v));
      const [min, max] = [Math.min(...present), Math.max(...present)];
      const codes = Uint16Array.from(values, (v) => (Number.isNaN(v) ? 0xffff : max > min ? Math.min(cells - 1, Math.floor(((v - min) / (max - min)) * cells)) : 0));
      return { codes, cells };
    };
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v + 0), fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN)), { maxLength: 300 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer(),
      (raw, groups, cells, seed) => {
        const values = Float64Array.from(raw);
        const group = Int32Array.from(raw, (_, i) => (((i * 11 + seed) % (groups + 1)) + groups + 1) % (groups + 1) - 1);
        const selected = boxStatsByGroup(values, group, groups);
        for (const buckets of [valueBuckets(values), coarse(values, cells)]) {
          const counted = boxStatsByBuckets(values, buckets, group, groups);
          assert.deepEqual(counted.boxes, selected.boxes);
          assert.deepEqual(counted.counts, selected.counts);
          assert.deepEqual(counted.sums, selected.sums, 'summed in row order either way');
        }
      },
    ));
  });

  it('spread a big column of many values over the grid, extremes in the end cells', () => {
    const rng = createRng(5);
    const n = 200_000;
    // Amounts: long-tailed, with a few absurd values and some missing.
    const amounts = Float64Array.from({ length: n }, (_, i) => (i % 50_000 === 0 ? 1e12 : i % 101 === 0 ? Number.NaN : Math.round(Math.exp(3 + 1.5 * rng()) * 100) / 100 + rng() / 1e6));
    const buckets = valueBuckets(amounts);
    const perCell = new Map<number, number>();
    amounts.forEach((v, i) => {
      if (Number.isNaN(v)) assert.equal(buckets.codes[i], 0xffff);
      else perCell.set(buckets.codes[i], (perCell.get(buckets.codes[i]) ?? 0) + 1);
    });
    assert.ok(Math.max(...perCell.values()) < n / 100, `no cell holds a big share of the rows (largest ${Math.max(...perCell.values())})`);
    const order = Array.from(amounts.keys()).filter((i) => !Number.isNaN(amounts[i])).sort((a, b) => amounts[a] - amounts[b]);
    for (let j = 1; j < order.length; j++) assert.ok(buckets.codes[order[j - 1]] <= buckets.codes[order[j]], 'cells in value order');
    const group = Int32Array.from({ length: n }, () => Math.floor(rng() * 6) - 1);
    assert.deepEqual(boxStatsByBuckets(amounts, buckets, group, 5), boxStatsByGroup(amounts, group, 5));
  });

  it('are counted by code, by grid cell on big columns of many values, or selected, with the same profile figures', () => {
    const rng = createRng(8);
    const make = (n: number) => ({
      amounts: Float64Array.from({ length: n }, () => Math.round(rng() * 1e6) / 100),
      ages: Float64Array.from({ length: n }, () => 18 + Math.floor(rng() * 60)),
    });
    for (const [n, amountsCounted] of [[60_000, 'cells'], [5_000, 'selected']] as const) {
      const { amounts, ages } = make(n);
      const facts = new ColumnFacts(Int32Array.from({ length: n }, (_, i) => i));
      const segmentOf = Int32Array.from({ length: n }, () => Math.floor(rng() * 5) - 1);
      const countable = facts.countable('amounts', amounts);
      assert.equal(countable === undefined ? 'selected' : 'cells' in countable ? 'cells' : 'codes', amountsCounted, `${n} rows of amounts`);
      assert.ok(facts.countable('ages', ages) && 'distinct' in facts.countable('ages', ages)!, 'ages by code');
      assert.equal(facts.countable('amounts', amounts), countable, 'kept for the next k');
      for (const values of [amounts, ages]) {
        const expected = boxStatsByGroup(values, segmentOf, 4);
        const got = numericBySegment(values, segmentOf, 4, facts.countable(values === amounts ? 'amounts' : 'ages', values));
        assert.deepEqual(got.boxes, expected.boxes);
        assert.deepEqual(Array.from(got.means), Array.from(expected.sums, (sum, g) => sum / expected.counts[g]));
      }
    }
  });
});
