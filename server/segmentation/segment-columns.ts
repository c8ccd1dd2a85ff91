/**
 * Per-segment statistics of every column, in a few passes over each column and nothing
 * allocated per row. What depends only on the rows and not on the segments (overall
 * moments, the codes of few-valued columns and of category levels) is worked out once per
 * set of rows in a ColumnFacts and reused by every k: on a million customers it is most of
 * the cost of a profile.
 */
import { boxStatsByGroup, type BoxStats } from '../analysis/box-stats.ts';
import { boxStatsByBuckets, valueBuckets, type ValueBuckets } from '../analysis/value-buckets.ts';
import { boxStatsByCodes, valueCodes, type ValueCodes } from '../analysis/value-codes.ts';
import { groupOf, isEveryRow, presentMoments } from '../analysis/stats.ts';
import type { StoredLevelCodes, TextColumn } from '../analysis/table.ts';

/**
 * Facts about the columns over one set of rows (a prepared matrix's). Filled lazily, keyed
 * by column name; the rows must not change while it is in use (they never do: a new
 * version of a dataset gets new PreparedData and with it new facts).
 */
export class ColumnFacts {
  private readonly moments = new Map<string, { mean: number; sd: number }>();
  private readonly codes = new Map<string, ValueCodes | null>();
  private readonly buckets = new Map<string, ValueBuckets>();
  private readonly levels = new Map<string, LevelCodes>();

  /** True when the prepared rows are every table row in order: their columns are read directly. */
  private readonly everyRow: boolean;

  constructor(readonly rowIndex: Int32Array) {
    this.everyRow = isEveryRow(rowIndex);
  }

  overall(name: string, values: Float64Array): { mean: number; sd: number } {
    let m = this.moments.get(name);
    // The same sums either way; without the row index they read in order (60 ms less a fit at 1M).
    if (!m) {
      const direct = this.everyRow && values.length === this.rowIndex.length;
      m = presentMoments(values, direct ? undefined : this.rowIndex);
      this.moments.set(name, m);
    }
    return m;
  }

  /**
   * Each table row's segment (-1 where the row is not labelled) from the labels of these rows.
   * When they are every table row in order, that is the labels themselves: no copy (4 MB a k
   * on a million customers).
   */
  segmentOfRow(rowCount: number, labels: Int32Array): Int32Array {
    return this.everyRow && this.rowIndex.length === rowCount ? labels : groupOf(rowCount, this.rowIndex, labels);
  }

  /** Codes of a numeric column's few distinct values over all table rows, or null when it has many. */
  private valueCodes(name: string, values: Float64Array): ValueCodes | null {
    let c = this.codes.get(name);
    if (c === undefined) this.codes.set(name, (c = valueCodes(values) ?? null));
    return c;
  }

  /**
   * How a numeric column's values are counted per segment: by code when it has few values;
   * on a big table, by cells of a grid (2 bytes a row, kept for every k); else undefined,
   * and each segment's values are selected among.
   */
  countable(name: string, values: Float64Array): ValueCodes | ValueBuckets | undefined {
    const codes = this.valueCodes(name, values);
    if (codes) return codes;
    if (values.length < BUCKETED_ROWS) return undefined;
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = valueBuckets(values)));
    return b;
  }

  levelCodes(column: TextColumn): LevelCodes {
    const { name, values, stored } = column;
    let c = this.levels.get(name);
    if (!c) {
      // Rows appended since the snapshot have no stored code; a level spelled "(missing)" would need merging with the missing ones.
      const usable = stored && stored.codes.length === values.length && !stored.levels.includes(MISSING_LEVEL);
      this.levels.set(name, (c = usable ? levelCodesOfStored(stored, this.rowIndex) : levelCodesOf(values, this.rowIndex)));
    }
    return c;
  }
}

/** From this many rows a column of many values is counted on a grid: below, the grid's cells are as many as a tenth of the rows. */
const BUCKETED_ROWS = 50_000;

/** Each labelled row's level as a code into `levels` (missing as "(missing)"), levels in the order first met. */
export interface LevelCodes {
  levels: string[];
  /** A byte a row when there are few levels (there usually are): 1 MB, not 4, per million rows. */
  codes: Uint8Array | Int32Array;
}

const MISSING_LEVEL = '(missing)';

function levelCodesOf(values: readonly (string | null)[], rowIndex: Int32Array): LevelCodes {
  const byLevel = new Map<string, number>();
  const levels: string[] = [];
  const wide = new Int32Array(rowIndex.length);
  for (let i = 0; i < rowIndex.length; i++) {
    const level = values[rowIndex[i]] ?? MISSING_LEVEL;
    let code = byLevel.get(level);
    if (code === undefined) {
      code = levels.push(level) - 1;
      byLevel.set(level, code);
    }
    wide[i] = code;
  }
  return { levels, codes: levels.length <= 256 ? Uint8Array.from(wide) : wide };
}

/** levelCodesOf from the stored codes: the same levels in the same order, with a table lookup a row instead of a string's. */
function levelCodesOfStored(stored: StoredLevelCodes, rowIndex: Int32Array): LevelCodes {
  const codeOf = new Int32Array(stored.levels.length + 1).fill(-1);
  const levels: string[] = [];
  const wide = new Int32Array(rowIndex.length);
  const from = stored.codes;
  for (let i = 0; i < rowIndex.length; i++) {
    const s = from[rowIndex[i]];
    let code = codeOf[s];
    if (code < 0) code = codeOf[s] = levels.push(s === 0 ? MISSING_LEVEL : stored.levels[s - 1]) - 1;
    wide[i] = code;
  }
  return { levels, codes: levels.length <= 256 ? Uint8Array.from(wide) : wide };
}

/** How many of each segment's rows hold each level: counts[code * k + segment]. */
export function levelCountsBySegment(codes: LevelCodes, labels: Int32Array, k: number): Int32Array {
  const counts = new Int32Array(codes.levels.length * k);
  const c = codes.codes;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l >= 0) counts[c[i] * k + l]++;
  }
  return counts;
}

export interface NumericBySegment {
  /** Mean of each segment's present values (NaN for none). */
  means: Float64Array;
  /** Sum of each segment's present values: its share of a money column's total. */
  sums: ArrayLike<number>;
  boxes: BoxStats[];
}

/**
 * Means and box statistics of a numeric column per segment; segmentOfRow[r] is table row
 * r's segment (-1 for rows not segmented). Few-valued columns are counted by code, big
 * columns of many values by grid cell; others are copied grouped and their quartiles
 * selected (box-stats.ts).
 */
export function numericBySegment(
  values: Float64Array,
  segmentOfRow: Int32Array,
  k: number,
  countable: ValueCodes | ValueBuckets | undefined,
): NumericBySegment {
  const { boxes, counts, sums } = !countable
    ? boxStatsByGroup(values, segmentOfRow, k)
    : 'distinct' in countable
      ? boxStatsByCodes(countable, segmentOfRow, k)
      : boxStatsByBuckets(values, countable, segmentOfRow, k);
  return { boxes, sums, means: sums.map((s, g) => (counts[g] > 0 ? s / counts[g] : Number.NaN)) };
}
