/**
 * Segment numbers stay put as k moves: a segment that survives from k to k + 1 (nearly the
 * same customers on both sides) keeps its number, and so its colour; a seed that finds the
 * same segments gives the same numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCustomers } from '../../../data/synthetic-customers.ts';
import { matchNumbers, numbersBySize } from '../../../server/analysis/lineage.ts';
import { fromRows } from '../../../server/analysis/matrix.ts';
import { DEFAULT_OPTIONS, type SegmentationOptions } from '../../../server/segmentation/options.ts';
import { segment, type SegmentationResult } from '../../../server/segmentation/pipeline.ts';
import { prepare } from '../../../server/segmentation/prepared.ts';
import type { DataTable, NumericColumn } from '../../../server/analysis/table.ts';

const NUMERIC = ['age', 'annual_income', 'spending_score', 'membership_years', 'purchase_frequency', 'last_purchase_amount'];

function sampleTable(count: number): DataTable {
  const customers = generateCustomers(count, 7);
  return {
    rowCount: count,
    columns: NUMERIC.map((name): NumericColumn => ({ name, kind: 'numeric', values: Float64Array.from(customers, (c) => (c[name as keyof typeof c] === null ? Number.NaN : Number(c[name as keyof typeof c]))) })),
  };
}

const table = sampleTable(2400);
const base: SegmentationOptions = { ...DEFAULT_OPTIONS, features: NUMERIC };

/** The fits of k = 3..10 under one seed, each on its own prepared table (no shared state between requests). */
function fitsFor(seed: number): Map<number, SegmentationResult> {
  const fits = new Map<number, SegmentationResult>();
  for (let k = 3; k <= 10; k++) {
    const options = { ...base, seed, k };
    fits.set(k, segment(table, prepare(table, options), options));
  }
  return fits;
}

/** Pairs (segment of a, segment of b) sharing at least `share` of the customers of each. */
function survivors(a: Int32Array, b: Int32Array, ka: number, kb: number, share: number): [number, number][] {
  const both = Array.from({ length: ka }, () => new Array<number>(kb).fill(0));
  const sizeA = new Array<number>(ka).fill(0);
  const sizeB = new Array<number>(kb).fill(0);
  for (let i = 0; i < a.length; i++) {
    both[a[i]][b[i]]++;
    sizeA[a[i]]++;
    sizeB[b[i]]++;
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < ka; i++) for (let j = 0; j < kb; j++) if (both[i][j] >= share * sizeA[i] && both[i][j] >= share * sizeB[j]) pairs.push([i, j]);
  return pairs;
}

/** Whether two labellings are the same partition, whatever their numbers. */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const map = new Map<number, number>();
  const back = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((map.get(a[i]) ?? b[i]) !== b[i] || (back.get(b[i]) ?? a[i]) !== a[i]) return false;
    map.set(a[i], b[i]);
    back.set(b[i], a[i]);
  }
  return true;
}

describe('segment numbers across k and seeds', () => {
  const seeds = [42, 7];
  const fits = new Map(seeds.map((seed) => [seed, fitsFor(seed)]));

  it('keeps the number of every segment that survives from k to k + 1, for k = 3..9 and two seeds', () => {
    let survived = 0;
    for (const seed of seeds) {
      for (let k = 3; k <= 9; k++) {
        const now = fits.get(seed)!.get(k)!;
        const next = fits.get(seed)!.get(k + 1)!;
        for (const [from, to] of survivors(now.labels, next.labels, k, k + 1, 0.9)) {
          survived++;
          assert.equal(to, from, `seed ${seed}, k ${k} -> ${k + 1}: the segment of 90% the same customers is numbered ${from + 1}, then ${to + 1}`);
        }
      }
    }
    // Not a vacuous check: most segments survive a step of k on this data.
    assert.ok(survived >= 20, `${survived} surviving segments checked`);
  });

  it('gives the same numbers when another seed finds the same segments (at this k and the ones below it, which the numbers follow)', () => {
    let same = 0;
    for (let k = 3; k <= 10; k++) {
      const a = fits.get(42)!.get(k)!.labels;
      const b = fits.get(7)!.get(k)!.labels;
      const below = Array.from({ length: k - 2 }, (_, i) => i + 3).every((j) => samePartition(fits.get(42)!.get(j)!.labels, fits.get(7)!.get(j)!.labels));
      if (!below) continue;
      same++;
      assert.deepEqual(Array.from(b), Array.from(a), `k = ${k}: the same segments under seeds 42 and 7 are numbered alike`);
    }
    assert.ok(same >= 3, `${same} values of k where both seeds found the same segments`);
  });

  it('numbers k = 2 by size and gives a new segment the next number', () => {
    assert.deepEqual(Array.from(numbersBySize(Int32Array.from([1, 1, 1, 0, 0]), 2)), [1, 0]);
    const numbered = fromRows([[0, 0], [10, 10]]);
    // The centre near (10, 10) keeps number 1, the one near (0, 0) number 0; the new one far off is 2.
    assert.deepEqual(Array.from(matchNumbers(numbered, fromRows([[9, 9], [50, -50], [1, 0]]))), [1, 2, 0]);
  });

  it('depends only on the data and k: a fit asked for alone is numbered as within a run of every k', () => {
    const options = { ...base, seed: 42, k: 6 };
    const alone = segment(table, prepare(table, options), options);
    assert.deepEqual(Array.from(alone.labels), Array.from(fits.get(42)!.get(6)!.labels));
  });
});
