/** Tukey box statistics (quartiles, whiskers, outlier counts), for a column and per segment. */
import { quantileAt, quantileSorted } from './stats.ts';

export interface BoxStats {
  /** Lowest and highest values within 1.5 IQR of the quartiles (Tukey's whiskers). */
  low: number;
  q1: number;
  median: number;
  q3: number;
  high: number;
  outliers: number;
}

/** The definition, on values already sorted ascending, none missing; boxStatsByGroup is the fast way to the same figures. */
export function boxStatsOfSorted(sorted: Float64Array): BoxStats {
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  return withWhiskers(sorted, 0, sorted.length, q1, quantileSorted(sorted, 0.5), q3);
}

/** Tukey's fences: 1.5 IQR below the first quartile and above the third; values outside are outliers. */
export function tukeyFences(q1: number, q3: number): [low: number, high: number] {
  return [q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)];
}

/** Whiskers and outliers of values[start, end) around the given quartiles: one pass in any order. */
export function withWhiskers(values: Float64Array, start: number, end: number, q1: number, median: number, q3: number): BoxStats {
  const [fenceLow, fenceHigh] = tukeyFences(q1, q3);
  let low = q1;
  let high = q3;
  let outliers = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v < fenceLow || v > fenceHigh) outliers++;
    else {
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  return { low, q1, median, q3, high, outliers };
}

/**
 * Rearranges a[left..right] so that a[rank] holds the value sorted order puts there, smaller
 * or equal values before it and greater or equal after (Hoare's selection). Linear on
 * average; a range that keeps splitting badly is sorted instead, so it is never quadratic.
 */
export function selectRank(a: Float64Array, left: number, right: number, rank: number): void {
  let budget = 2 * Math.ceil(Math.log2(right - left + 2)) + 8;
  while (right > left) {
    if (budget-- === 0) {
      a.subarray(left, right + 1).sort();
      return;
    }
    const mid = (left + right) >>> 1;
    // Median of three as the pivot: sorted or constant runs split evenly.
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (rank <= j) right = j;
    else if (rank >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Order statistics of one range of values, selected in place on demand. Each selected rank
 * splits the range, so a later rank is selected only between its neighbours; the rank just
 * above a selected one is the minimum of what lies between them, one pass instead of a
 * selection. Asking for the median first halves the work of the quartiles after it.
 */
export class OrderStatistics {
  /** Ranks already in place, ascending. */
  private readonly placed: number[] = [];

  constructor(
    private readonly a: Float64Array,
    private readonly from: number,
    private readonly count: number,
  ) {}

  at(rank: number): number {
    const { a, from, placed } = this;
    let after = 0;
    while (after < placed.length && placed[after] < rank) after++;
    if (placed[after] !== rank) {
      const low = after > 0 ? placed[after - 1] + 1 : 0;
      const high = after < placed.length ? placed[after] - 1 : this.count - 1;
      if (low === rank && after > 0) {
        let min = from + low;
        for (let i = min + 1; i <= from + high; i++) if (a[i] < a[min]) min = i;
        swap(a, from + rank, min);
      } else {
        selectRank(a, from + low, from + high, from + rank);
      }
      placed.splice(after, 0, rank);
    }
    return a[from + rank];
  }
}

/** Box statistics per group, with each group's count and sum of present values (summed in row order). */
export interface GroupedBoxes {
  boxes: BoxStats[];
  counts: Int32Array;
  sums: Float64Array;
}

/**
 * boxStatsOfSorted of each group's present values (groupOfValue[i] is value i's group, -1
 * for none; null puts every value in group 0). Values are copied grouped (one sequential
 * pass), each group's quartile ranks are selected in place, and whiskers are one more pass:
 * no sort, and no reads in sorted order, which on a million customers miss the cache on
 * every value (that took 250 ms a column; this takes a fifth). The copy is made in
 * `scratch` when it is given and long enough (see presentQuantiles).
 */
export function boxStatsByGroup(
  values: Float64Array,
  groupOfValue: Int32Array | null,
  groups: number,
  scratch?: Float64Array,
): GroupedBoxes {
  const n = values.length;
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) {
    const g = groupOfValue ? groupOfValue[i] : 0;
    if (g >= 0 && !Number.isNaN(values[i])) start[g + 1]++;
  }
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const grouped = scratch && scratch.length >= start[groups] ? scratch.subarray(0, start[groups]) : new Float64Array(start[groups]);
  const fill = start.slice(0, groups);
  const sums = new Float64Array(groups);
  for (let i = 0; i < n; i++) {
    const g = groupOfValue ? groupOfValue[i] : 0;
    const v = values[i];
    if (g >= 0 && !Number.isNaN(v)) {
      grouped[fill[g]++] = v;
      sums[g] += v;
    }
  }
  const counts = new Int32Array(groups);
  const boxes = Array.from({ length: groups }, (_, g) => {
    const from = start[g];
    const count = (counts[g] = start[g + 1] - from);
    const statistics = new OrderStatistics(grouped, from, count);
    const valueAt = (rank: number) => statistics.at(rank);
    const median = quantileAt(count, 0.5, valueAt);
    const q1 = quantileAt(count, 0.25, valueAt);
    const q3 = quantileAt(count, 0.75, valueAt);
    return withWhiskers(grouped, from, from + count, q1, median, q3);
  });
  return { boxes, counts, sums };
}

/** The quartiles a box reads. */
export const QUARTILES = [0.25, 0.5, 0.75];
