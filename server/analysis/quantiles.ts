/**
 * Exact quantiles of a whole column by selection: the same figures as quantileSorted over a
 * sorted copy of its present values, without sorting or copying the column. A sort of a
 * million values took about 130 ms a column, on every fit (the outlier fences), every save
 * (the drift deciles) and the Overview; selecting in place in a copy, 40 to 60 ms.
 */
import { OrderStatistics } from './box-stats.ts';
import { quantileAt, quantileRanks } from './stats.ts';

/** How many values are present (not NaN), their extremes, and whether all are whole numbers: one pass. */
export interface PresentExtent {
  count: number;
  min: number;
  max: number;
  integer: boolean;
}

export function presentExtent(values: Float64Array): PresentExtent {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let integer = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integer && !Number.isInteger(v)) integer = false;
  }
  return { count, min, max, integer };
}

/** quantileSorted(sortedCopy(present), q) for each q, over the present (non-NaN) values. */
export function quantilesOf(values: Float64Array, qs: readonly number[]): number[] {
  return quantilesWithin(values, presentExtent(values), qs);
}

function quantilesWithin(values: Float64Array, extent: PresentExtent, qs: readonly number[]): number[] {
  const n = extent.count;
  if (n === 0) return qs.map(() => Number.NaN);
  const ranks = [...new Set(qs.flatMap((q) => quantileRanks(n, q).slice(0, 2)))].sort((x, y) => x - y);
  const found = new Map<number, number>();
  if (!selectByBuckets(values, extent, ranks, found)) {
    const present = values.filter((v) => !Number.isNaN(v));
    const stats = new OrderStatistics(present, 0, n);
    for (const r of ranks) found.set(r, stats.at(r));
  }
  return qs.map((q) => quantileAt(n, q, (rank) => found.get(rank)!));
}

/** Buckets of equal width the values are counted in before any is moved. */
const BUCKETS = 4096;

/**
 * Finds the ranks in two passes without moving the column (its extent known): values counted into buckets of
 * equal width (in value order), then only the buckets holding a wanted rank copied out and
 * selected in. False, with nothing found, when the values span no finite width.
 */
function selectByBuckets(values: Float64Array, { min, max }: PresentExtent, ranks: readonly number[], found: Map<number, number>): boolean {
  if (min === max) {
    for (const r of ranks) found.set(r, min);
    return true;
  }
  const scale = BUCKETS / (max - min);
  if (!Number.isFinite(scale) || !(scale > 0)) return false;
  const bucketOf = (v: number) => Math.min(BUCKETS - 1, Math.floor((v - min) * scale));
  const counts = new Int32Array(BUCKETS);
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) counts[bucketOf(values[i])]++;
  // Each wanted rank's bucket, and its rank among that bucket's values.
  const starts = new Int32Array(BUCKETS);
  for (let b = 1; b < BUCKETS; b++) starts[b] = starts[b - 1] + counts[b - 1];
  const wanted = new Map<number, number[]>();
  let b = 0;
  for (const r of ranks) {
    while (starts[b] + counts[b] <= r) b++;
    wanted.set(b, [...(wanted.get(b) ?? []), r - starts[b]]);
  }
  const buckets = [...wanted.keys()];
  const slot = new Int32Array(BUCKETS).fill(-1);
  buckets.forEach((w, i) => (slot[w] = i));
  const held = buckets.map((w) => new Float64Array(counts[w]));
  const sizes = new Int32Array(buckets.length);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    const at = slot[bucketOf(values[i])];
    if (at >= 0) held[at][sizes[at]++] = values[i];
  }
  buckets.forEach((w, i) => {
    const stats = new OrderStatistics(held[i], 0, counts[w]);
    for (const r of wanted.get(w)!) found.set(starts[w] + r, stats.at(r));
  });
  return true;
}

/** A column's present values: how many, their extremes and the quantiles asked for. */
export interface PresentQuantiles extends Omit<PresentExtent, 'integer'> {
  /** quantileSorted of the sorted present values, for each q asked, in the order asked. */
  quantiles: number[];
}

/**
 * Quantiles of a column's present values (quantilesOf): the same figures
 * as sorting them, without a copy of the column.
 */
export function presentQuantiles(values: Float64Array, qs: readonly number[]): PresentQuantiles {
  const extent = presentExtent(values);
  const { count, min, max } = extent;
  if (count === 0) return { count, min: Number.NaN, max: Number.NaN, quantiles: qs.map(() => Number.NaN) };
  return { count, min, max, quantiles: quantilesWithin(values, extent, qs) };
}
