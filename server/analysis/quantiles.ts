/**
 * Exact quantiles by selection: the same figures as quantileSorted over a sorted copy, with
 * only the order statistics they read put in place. A sort of a million values took about
 * 90 ms a column, on every fit (the outlier fences) and every save (the drift deciles).
 */
import { quantileAt, quantileRanks } from './stats.ts';

/** Below this many values a stretch is simply sorted. */
const SMALL = 32;

/** quantileSorted(sortedCopy(present), q) for each q, over the present (non-NaN) values. */
export function quantilesOf(values: Float64Array, qs: readonly number[]): number[] {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) n++;
  if (n === 0) return qs.map(() => Number.NaN);
  const ranks = [...new Set(qs.flatMap((q) => quantileRanks(n, q).slice(0, 2)))].sort((x, y) => x - y);
  const found = new Map<number, number>();
  if (!selectByBuckets(values, ranks, found)) {
    const present = n === values.length ? values.slice() : values.filter((v) => !Number.isNaN(v));
    selectRanks(present, 0, n - 1, ranks, found);
  }
  return qs.map((q) => quantileAt(n, q, (rank) => found.get(rank)!));
}

/** Buckets of equal width the values are counted in before any is moved. */
const BUCKETS = 4096;

/**
 * Finds the ranks in two passes without moving the column: values counted into buckets of
 * equal width (in value order), then only the buckets holding a wanted rank copied out and
 * selected in. False, with nothing found, when the values span no finite width.
 */
function selectByBuckets(values: Float64Array, ranks: readonly number[], found: Map<number, number>): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
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
    const local = wanted.get(w)!;
    const inBucket = new Map<number, number>();
    selectRanks(held[i], 0, counts[w] - 1, local, inBucket);
    for (const r of local) found.set(starts[w] + r, inBucket.get(r)!);
  });
  return true;
}

/**
 * Puts each of `ranks` (ascending, within lo..hi) in place, recording its value: three-way
 * partitions (values equal to the pivot settle at once: columns of few distinct values are
 * common), around the median of the stretch's first, middle and last values.
 */
function selectRanks(a: Float64Array, lo: number, hi: number, ranks: readonly number[], found: Map<number, number>): void {
  while (ranks.length > 0) {
    if (hi - lo < SMALL) {
      a.subarray(lo, hi + 1).sort();
      for (const r of ranks) found.set(r, a[r]);
      return;
    }
    const pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = a[i];
      if (v < pivot) {
        a[i++] = a[lt];
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt];
        a[gt--] = v;
      } else i++;
    }
    for (const r of ranks) if (r >= lt && r <= gt) found.set(r, pivot);
    selectRanks(
      a,
      lo,
      lt - 1,
      ranks.filter((r) => r < lt),
      found,
    );
    ranks = ranks.filter((r) => r > gt);
    lo = gt + 1;
  }
}

function medianOfThree(x: number, y: number, z: number): number {
  if (x < y) return y < z ? y : x < z ? z : x;
  return x < z ? x : y < z ? z : y;
}
