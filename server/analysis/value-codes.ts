/** Per-segment box statistics of a column of few distinct values, counted by code. */
import { quantileAt } from './stats.ts';
import { tukeyFences, type GroupedBoxes } from './box-stats.ts';

/** A numeric column of few distinct values: those values ascending, and each row's index among them. */
export interface ValueCodes {
  distinct: Float64Array;
  /** MISSING_CODE where the value is missing. */
  codes: Uint16Array;
}

export const MISSING_CODE = 0xffff;
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

/** Each group's rows per cell: counts[g * cells + c]. */
export function countCells(codes: Uint16Array, cells: number, groupOfValue: Int32Array, groups: number): Int32Array {
  const table = new Int32Array(groups * cells);
  for (let i = 0; i < codes.length; i++) {
    const g = groupOfValue[i];
    const c = codes[i];
    if (g >= 0 && c !== MISSING_CODE) table[g * cells + c]++;
  }
  return table;
}
