/**
 * Exact quantiles by selection: the same figures as quantileSorted over a sorted copy, with
 * only the order statistics they read put in place. A sort of a million values took about
 * 90 ms a column, on every fit (the outlier fences) and every save (the drift deciles).
 */
import { quantileAt, quantileRanks, quantileSorted, sortedCopy } from './stats.ts';

/** Below this many values a stretch is simply sorted. */
const SMALL = 32;

/** quantileSorted(sortedCopy(values), q) for each q. NaN sorts last, as a typed array's sort puts it. */
export function quantilesOf(values: Float64Array, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => Number.NaN);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) {
      const sorted = sortedCopy(values);
      return qs.map((q) => quantileSorted(sorted, q));
    }
  }
  const a = values.slice();
  const ranks = [...new Set(qs.flatMap((q) => quantileRanks(n, q).slice(0, 2)))].sort((x, y) => x - y);
  const found = new Map<number, number>();
  selectRanks(a, 0, n - 1, ranks, found);
  return qs.map((q) => quantileAt(n, q, (rank) => found.get(rank)!));
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
