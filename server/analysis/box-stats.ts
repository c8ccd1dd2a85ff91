/** Tukey box statistics (quartiles, whiskers, outlier counts), for a column and per segment. */
import { quantileAt, quantileRanks, quantileSorted } from './stats.ts';

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
function withWhiskers(values: Float64Array, start: number, end: number, q1: number, median: number, q3: number): BoxStats {
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
function selectRank(a: Float64Array, left: number, right: number, rank: number): void {
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
class OrderStatistics {
  /** Ranks already in place, ascending. */
  private readonly placed: number[] = [];

  constructor(private readonly a: Float64Array, private readonly from: number, private readonly count: number) {}

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

/** A column's present values: how many, their extremes and the quantiles asked for. */
export interface PresentQuantiles {
  count: number;
  min: number;
  max: number;
  /** quantileSorted of the sorted present values, for each q asked, in the order asked. */
  quantiles: number[];
}

/**
 * Quantiles of a column's present values, selected in a transient copy: the same figures as
 * sorting it, no sort, and no sort order kept (a million rows' order is 4 MB a column, held
 * as long as the table; the copy is 8 MB, and goes at once). A caller doing this for column
 * after column passes one `scratch` for every copy: freed copies wait for a collection, and
 * on a million customers they added 40 MB to the Overview's peak.
 */
export function presentQuantiles(values: Float64Array, qs: readonly number[], scratch?: Float64Array): PresentQuantiles {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) count++;
  const present = scratch && scratch.length >= count ? scratch.subarray(0, count) : new Float64Array(count);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0, j = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    present[j++] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (count === 0) return { count, min: Number.NaN, max: Number.NaN, quantiles: qs.map(() => Number.NaN) };
  const stats = new OrderStatistics(present, 0, count);
  const quantiles = new Array<number>(qs.length);
  // The quantile nearest the median first: each selected rank halves the next selections.
  const byCentre = qs.map((q, i) => ({ q, i })).sort((a, b) => Math.abs(a.q - 0.5) - Math.abs(b.q - 0.5));
  for (const { q, i } of byCentre) quantiles[i] = quantileAt(count, q, (rank) => stats.at(rank));
  return { count, min, max, quantiles };
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
export function boxStatsByGroup(values: Float64Array, groupOfValue: Int32Array | null, groups: number, scratch?: Float64Array): GroupedBoxes {
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

/** A numeric column of few distinct values: those values ascending, and each row's index among them. */
export interface ValueCodes {
  distinct: Float64Array;
  /** MISSING_CODE where the value is missing. */
  codes: Uint16Array;
}

const MISSING_CODE = 0xffff;
/** Ages, scores, counts and ratings have far fewer values than this; amounts and incomes far more. */
export const MAX_CODED_VALUES = 4096;

/** The column's ValueCodes, or undefined as soon as it shows more than MAX_CODED_VALUES values. */
export function valueCodes(values: Float64Array, maxDistinct = MAX_CODED_VALUES): ValueCodes | undefined {
  for (const step of GRID_STEPS) {
    const codes = gridCodes(values, maxDistinct, step);
    if (codes === undefined) break; // on the grid but spread too wide for a table: a map may still do
    if (codes !== 'off grid') return codes;
  }
  return mappedCodes(values, maxDistinct);
}

/** Whole numbers, tenths and hundredths: what ages, scores, counts, ratings and prices are. */
const GRID_STEPS = [1, 10, 100];

/**
 * ValueCodes of a column whose values all lie on a grid of 1/perUnit (whole numbers,
 * tenths, hundredths) within a span of maxDistinct grid points: values index a table
 * directly, no map lookup per row (a tenth of the time). 'off grid' when a value is not on
 * the grid; undefined when the span is too wide for a column of few values.
 */
function gridCodes(values: Float64Array, maxDistinct: number, perUnit: number): ValueCodes | undefined | 'off grid' {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const q = Math.round(v * perUnit);
    // The grid point must give back the very value: then equal points are equal values.
    if (q / perUnit !== v) return 'off grid';
    if (q < min) min = q;
    if (q > max) max = q;
  }
  if (min > max) return { distinct: new Float64Array(0), codes: new Uint16Array(values.length).fill(MISSING_CODE) };
  if (!(max - min < maxDistinct)) return undefined;
  const span = max - min + 1;
  const present = new Uint8Array(span);
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present[Math.round(values[i] * perUnit) - min] = 1;
  const rankOf = new Uint16Array(span);
  let distinct = 0;
  for (let o = 0; o < span; o++) if (present[o]) rankOf[o] = distinct++;
  const out = new Float64Array(distinct);
  for (let o = 0; o < span; o++) if (present[o]) out[rankOf[o]] = (min + o) / perUnit;
  const codes = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = Number.isNaN(values[i]) ? MISSING_CODE : rankOf[Math.round(values[i] * perUnit) - min];
  return { distinct: out, codes };
}

/**
 * ValueCodes through a hash table of the values met, for columns of few values that are not
 * on a narrow grid (incomes in hundreds, prices). Open addressing over typed arrays, keyed
 * by the value's bits: a JavaScript Map took 30 ms on a million incomes, this takes a fifth.
 */
function mappedCodes(values: Float64Array, maxDistinct: number): ValueCodes | undefined {
  const slots = 1 << Math.ceil(Math.log2(2 * maxDistinct));
  const mask = slots - 1;
  const keys = new Float64Array(slots).fill(Number.NaN);
  const codeOfSlot = new Uint16Array(slots);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const firstSeen: number[] = [];
  const provisional = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    // + 0 turns -0 into 0: equal values, so one key (as a Map has them).
    const v = values[i] + 0;
    if (Number.isNaN(v)) {
      provisional[i] = MISSING_CODE;
      continue;
    }
    bits[0] = v;
    let slot = Math.imul(words[0] ^ Math.imul(words[1], 0x85ebca6b), 0x9e3779b1) >>> 0;
    slot = (slot ^ (slot >>> 15)) & mask;
    while (keys[slot] !== v) {
      if (Number.isNaN(keys[slot])) {
        if (firstSeen.length === maxDistinct) return undefined;
        keys[slot] = v;
        codeOfSlot[slot] = firstSeen.push(v) - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
    provisional[i] = codeOfSlot[slot];
  }
  const distinct = Float64Array.from(firstSeen).sort();
  const rankOf = new Uint16Array(firstSeen.length);
  firstSeen.forEach((v, code) => {
    let low = 0;
    let high = distinct.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (distinct[mid] < v) low = mid + 1;
      else high = mid;
    }
    rankOf[code] = low;
  });
  const codes = provisional;
  for (let i = 0; i < codes.length; i++) if (codes[i] !== MISSING_CODE) codes[i] = rankOf[codes[i]];
  return { distinct, codes };
}

/**
 * boxStatsByGroup for a coded column: one pass counting each group's rows per value, then
 * quartiles and whiskers read from the counts. The same figures (values at the same ranks);
 * sums are count × value per distinct value, exact for whole numbers.
 */
export function boxStatsByCodes({ distinct, codes }: ValueCodes, groupOfValue: Int32Array, groups: number): GroupedBoxes {
  const d = distinct.length;
  const table = countCells(codes, d, groupOfValue, groups);
  const counts = new Int32Array(groups);
  const sums = new Float64Array(groups);
  const boxes = Array.from({ length: groups }, (_, g) => {
    const row = table.subarray(g * d, (g + 1) * d);
    let count = 0;
    for (let c = 0; c < d; c++) {
      count += row[c];
      sums[g] += row[c] * distinct[c];
    }
    counts[g] = count;
    // A walk along the cumulative counts: a few thousand steps at most.
    const valueAt = (rank: number) => {
      let c = 0;
      for (let below = row[0]; below <= rank; below += row[++c]);
      return distinct[c];
    };
    const q1 = quantileAt(count, 0.25, valueAt);
    const median = quantileAt(count, 0.5, valueAt);
    const q3 = quantileAt(count, 0.75, valueAt);
    const [fenceLow, fenceHigh] = tukeyFences(q1, q3);
    let low = q1;
    let high = q3;
    let outliers = 0;
    for (let v = 0; v < d; v++) {
      if (row[v] === 0) continue;
      const value = distinct[v];
      if (value < fenceLow || value > fenceHigh) outliers += row[v];
      else {
        if (value < low) low = value;
        if (value > high) high = value;
      }
    }
    return { low, q1, median, q3, high, outliers };
  });
  return { boxes, counts, sums };
}

/**
 * A numeric column of many distinct values (amounts, balances) placed on a fine grid:
 * codes[i] is value i's cell (MISSING_CODE where missing), cells in value order, so the
 * values of cell c all lie below those of cell c + 1. Segments' quartiles are then found
 * by counting cells and selecting only within the cell a rank falls in (boxStatsByBuckets).
 */
export interface ValueBuckets {
  codes: Uint16Array;
  cells: number;
}

/**
 * Cells of the grid: few enough that a group's counts stay in cache while a million rows
 * are counted into them (with 65,535 cells that pass took three times as long), many
 * enough that a quartile's cell holds a few hundred of a million rows.
 */
const BUCKET_CELLS = 4096;
/** The grid spans the middle of the values, so that a few extreme ones do not squeeze the rest into a handful of cells. */
const BUCKET_SPAN_QUANTILES = [0.005, 0.995];
/** Every so many rows read to find that span. */
const BUCKET_SAMPLE_STRIDE = 97;

export function valueBuckets(values: Float64Array): ValueBuckets {
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += BUCKET_SAMPLE_STRIDE) if (!Number.isNaN(values[i])) sample.push(values[i]);
  const sorted = Float64Array.from(sample).sort();
  const [low, high] = sorted.length ? BUCKET_SPAN_QUANTILES.map((q) => quantileSorted(sorted, q)) : [0, 0];
  // Outside the span, values share the end cells: the grid stays in value order.
  const perUnit = high > low ? (BUCKET_CELLS - 1) / (high - low) : 0;
  const codes = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) codes[i] = MISSING_CODE;
    else {
      const cell = Math.floor((v - low) * perUnit);
      codes[i] = cell < 0 ? 0 : cell > BUCKET_CELLS - 1 ? BUCKET_CELLS - 1 : cell;
    }
  }
  return { codes, cells: BUCKET_CELLS };
}

/**
 * boxStatsByGroup from a column's ValueBuckets, the same figures: one pass counts each
 * group's rows per cell; each quartile's rank is located in a cell by those counts, and
 * only that cell's values of the group are gathered (one more pass) and selected among;
 * whiskers, outliers and sums are a last pass. Three sequential passes instead of a grouped
 * copy and a selection over each group (a new k on a million customers: 35 → 10 ms a column).
 */
export function boxStatsByBuckets(values: Float64Array, { codes, cells }: ValueBuckets, groupOfValue: Int32Array, groups: number): GroupedBoxes {
  const table = countCells(codes, cells, groupOfValue, groups);
  // Where each group's quartile ranks fall: the cell, and the rank within the cell's values of the group.
  const counts = new Int32Array(groups);
  const slotOf = new Int32Array(groups * cells).fill(-1);
  let slots = 0;
  const located = Array.from({ length: groups }, (_, g) => {
    const row = table.subarray(g * cells, (g + 1) * cells);
    let count = 0;
    for (let c = 0; c < cells; c++) count += row[c];
    counts[g] = count;
    const ranks = count === 0 ? [] : [...new Set(QUARTILES.flatMap((q) => quantileRanks(count, q).slice(0, 2)))].sort((a, b) => a - b);
    const found = new Map<number, { slot: number; within: number }>();
    let c = 0;
    let below = 0;
    for (const rank of ranks) {
      while (below + row[c] <= rank) below += row[c++];
      if (slotOf[g * cells + c] < 0) slotOf[g * cells + c] = slots++;
      found.set(rank, { slot: slotOf[g * cells + c], within: rank - below });
    }
    return found;
  });
  // The located cells' values, each cell's contiguous in one buffer.
  const sizes = new Int32Array(slots + 1);
  for (let g = 0; g < groups; g++) for (let c = 0; c < cells; c++) if (slotOf[g * cells + c] >= 0) sizes[slotOf[g * cells + c] + 1] = table[g * cells + c];
  for (let s = 0; s < slots; s++) sizes[s + 1] += sizes[s];
  const gathered = gatherCells(values, codes, cells, groupOfValue, slotOf, sizes);
  const cellStatistics = Array.from({ length: slots }, (_, s) => new OrderStatistics(gathered, sizes[s], sizes[s + 1] - sizes[s]));
  const quartiles = located.map((found, g) => {
    const valueAt = (rank: number) => {
      const { slot, within } = found.get(rank)!;
      return cellStatistics[slot].at(within);
    };
    return QUARTILES.map((q) => quantileAt(counts[g], q, valueAt));
  });
  const low = Float64Array.from(quartiles, ([q1]) => q1);
  const high = Float64Array.from(quartiles, ([, , q3]) => q3);
  const outliers = new Int32Array(groups);
  const sums = new Float64Array(groups);
  whiskersOfGroups(values, groupOfValue, low, high, outliers, sums);
  const boxes = quartiles.map(([q1, median, q3], g) => ({ low: low[g], q1, median, q3, high: high[g], outliers: outliers[g] }));
  return { boxes, counts, sums };
}

// The passes over every row, each a function of typed arrays alone: they are optimised once
// and stay so, where loops in boxStatsByBuckets itself were deoptimised by its maps and
// closures and ran interpreted again (12 ms a pass became 30 to 50).

/** Each group's rows per cell: counts[g * cells + c]. */
function countCells(codes: Uint16Array, cells: number, groupOfValue: Int32Array, groups: number): Int32Array {
  const table = new Int32Array(groups * cells);
  for (let i = 0; i < codes.length; i++) {
    const g = groupOfValue[i];
    const c = codes[i];
    if (g >= 0 && c !== MISSING_CODE) table[g * cells + c]++;
  }
  return table;
}

/** The values of the (group, cell) pairs given a slot, slot s's from sizes[s] on. */
function gatherCells(values: Float64Array, codes: Uint16Array, cells: number, groupOfValue: Int32Array, slotOf: Int32Array, sizes: Int32Array): Float64Array {
  const slots = sizes.length - 1;
  const gathered = new Float64Array(sizes[slots]);
  const fill = sizes.slice(0, slots);
  for (let i = 0; i < codes.length; i++) {
    const g = groupOfValue[i];
    const c = codes[i];
    if (g < 0 || c === MISSING_CODE) continue;
    const slot = slotOf[g * cells + c];
    if (slot >= 0) gathered[fill[slot]++] = values[i];
  }
  return gathered;
}

/**
 * Tukey's whiskers from the quartiles (low and high come in as q1 and q3 and leave as the
 * whiskers), outliers and sums per group, in row order (the same sums as boxStatsByGroup's).
 */
function whiskersOfGroups(values: Float64Array, groupOfValue: Int32Array, low: Float64Array, high: Float64Array, outliers: Int32Array, sums: Float64Array): void {
  const fenceLow = low.map((q1, g) => tukeyFences(q1, high[g])[0]);
  const fenceHigh = high.map((q3, g) => tukeyFences(low[g], q3)[1]);
  for (let i = 0; i < values.length; i++) {
    const g = groupOfValue[i];
    const v = values[i];
    if (g < 0 || Number.isNaN(v)) continue;
    sums[g] += v;
    if (v < fenceLow[g] || v > fenceHigh[g]) outliers[g]++;
    else {
      if (v < low[g]) low[g] = v;
      if (v > high[g]) high[g] = v;
    }
  }
}

const QUARTILES = [0.25, 0.5, 0.75];
