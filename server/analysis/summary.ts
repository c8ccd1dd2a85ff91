/** Descriptive statistics for the Overview tab: per-column summaries, histograms, correlations. */
import { tukeyFences, withWhiskers, type BoxStats } from './box-stats.ts';
import { presentExtent, presentQuantiles, type PresentQuantiles } from './quantiles.ts';
import { mostFrequentText, presentMoments, quantileSorted } from './stats.ts';
import { correlationMatrix } from './correlation.ts';
import { getNamed, setNamed } from './named.ts';
import type { ColumnKind, DataTable, NumericColumn } from './table.ts';

export interface NumericSummary {
  name: string;
  kind: 'numeric';
  count: number;
  missing: number;
  mean: number;
  sd: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

export interface TextSummary {
  name: string;
  kind: Exclude<ColumnKind, 'numeric'>;
  count: number;
  missing: number;
  distinct: number;
  /** Most frequent levels, largest first. */
  top: { level: string; count: number }[];
}

export type ColumnSummary = NumericSummary | TextSummary;

/** What the summary, the outlier count and the box of a numeric column all read: its quartiles and moments. */
interface NumericFacts {
  /** Count, extremes, and the quartiles [q1, median, q3] of the present values. */
  quartiles: PresentQuantiles;
  mean: number;
  sd: number;
}

/**
 * Each numeric column's facts, computed on first asking: the Overview asked for a column's
 * quartiles three times and its moments twice (on a million customers, 0.4 s of selections).
 */
function numericFacts(): (column: NumericColumn) => NumericFacts {
  const known = new Map<NumericColumn, NumericFacts>();
  return (column) => {
    let facts = known.get(column);
    if (!facts) {
      const { mean, sd } = presentMoments(column.values);
      known.set(column, (facts = { quartiles: presentQuantiles(column.values, [0.25, 0.5, 0.75]), mean, sd }));
    }
    return facts;
  };
}

export function summariseColumns(table: DataTable, topLevels = 12, factsOf = numericFacts()): ColumnSummary[] {
  return table.columns.map((column): ColumnSummary => {
    if (column.kind === 'numeric') {
      const { quartiles, mean, sd } = factsOf(column);
      const { count, min, max } = quartiles;
      const [q1, median, q3] = quartiles.quantiles;
      return { name: column.name, kind: 'numeric', count, missing: column.values.length - count, mean, sd, min, q1, median, q3, max };
    }
    const counts = new Map<string, number>();
    let missing = 0;
    for (const v of column.values) {
      if (v === null) missing++;
      else counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const top = [...counts].map(([level, count]) => ({ level, count })).sort((a, b) => b.count - a.count || a.level.localeCompare(b.level));
    return {
      name: column.name,
      kind: column.kind,
      count: column.values.length - missing,
      missing,
      distinct: counts.size,
      top: top.slice(0, topLevels),
    };
  });
}

export interface Histogram {
  /** Lower edge of each bin, then the upper edge of the last. */
  edges: number[];
  counts: number[];
  /** Set when the last bin holds the long tail (from the 99th percentile to the maximum). */
  tail?: boolean;
  /** Whole-number values in whole-number bins: a bin is labelled by its first and last value. */
  integer?: boolean;
  /** Calendar years: labelled without thousands separators. */
  years?: boolean;
}

/** Values read to estimate a column's percentiles for its histogram. */
const PERCENTILE_SAMPLE = 100_000;

/** The 1st and 99th percentiles, from an evenly spread sample of the present values. */
function outerPercentiles(values: Float64Array, present: number): [number, number] {
  const stride = Math.max(1, Math.floor(present / PERCENTILE_SAMPLE));
  const sample: number[] = [];
  for (let i = 0, seen = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    if (seen++ % stride === 0) sample.push(values[i]);
  }
  const sorted = Float64Array.from(sample).sort();
  return [quantileSorted(sorted, 0.01), quantileSorted(sorted, 0.99)];
}

/** A bin width a person reads at a glance: 1, 2, 2.5 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  const nice = [1, 2, 2.5, 5, 10].find((m) => mantissa <= m * (1 + 1e-9))!;
  return nice * power;
}

/**
 * Bins over the present values (Sturges' rule for the count, at most 30) on round edges:
 * whole-number columns in whole-number bins (campaign 1–2, not 1–3.07), others in steps of
 * 1, 2, 2.5 or 5 times a power of ten.
 */
export function histogram(values: Float64Array, bins?: number, options: { years?: boolean } = {}): Histogram {
  const { count: present, min, max, integer } = presentExtent(values);
  if (present === 0) return { edges: [], counts: [] };
  const binCount = bins ?? Math.min(30, Math.max(5, Math.ceil(Math.log2(present) + 1)));
  // A long right tail (balances, purchases) would put nearly everyone in the first bin:
  // bins then span the bulk up to the 99th percentile, and one last bin holds the tail.
  const [p1, p99] = present >= 100 ? outerPercentiles(values, present) : [min, max];
  const tail = max - p99 > 3 * (p99 - p1) && p99 > min;
  const top = tail ? (integer ? Math.floor(p99) : p99) : max;
  const wanted = tail ? binCount - 1 : binCount;
  let start: number;
  let width: number;
  if (integer) {
    width = Math.max(1, niceStep((top - min + 1) / wanted));
    if (!Number.isInteger(width)) width = Math.ceil(width);
    start = Math.floor(min / width) * width;
  } else {
    width = top > min ? niceStep((top - min) / wanted) : 1;
    start = Math.floor(min / width) * width;
  }
  const bulkBins = Math.max(1, integer ? Math.floor((top - start) / width) + 1 : Math.ceil((top - start) / width) || 1);
  const counts = new Array<number>(bulkBins + (tail ? 1 : 0)).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    counts[tail && v > top ? bulkBins : Math.min(bulkBins - 1, Math.floor((v - start) / width))]++;
  }
  // Edges as decimal numbers, not their float sums (0.30000000000000004).
  const edges = Array.from({ length: bulkBins + 1 }, (_, i) => Number((start + i * width).toPrecision(12)));
  if (tail) edges.push(max);
  const shape = { edges, counts, ...(tail ? { tail } : {}), ...(integer ? { integer } : {}), ...(options.years ? { years: true } : {}) };
  return shape;
}

/** Customers flagged as outliers on any numeric column by the IQR or z-score rule. */
export function countOutlierRows(
  table: DataTable,
  rule: 'iqr' | 'zscore',
  factsOf = numericFacts(),
): { rows: number; perColumn: Record<string, number> } {
  const flagged = new Uint8Array(table.rowCount);
  const perColumn: Record<string, number> = {};
  for (const column of table.columns) {
    if (column.kind !== 'numeric') continue;
    let low: number;
    let high: number;
    const facts = factsOf(column);
    if (rule === 'iqr') {
      const [q1, , q3] = facts.quartiles.quantiles;
      [low, high] = tukeyFences(q1, q3);
    } else {
      low = facts.mean - 3 * facts.sd;
      high = facts.mean + 3 * facts.sd;
    }
    let count = 0;
    const values = column.values;
    for (let i = 0; i < values.length; i++) {
      if (values[i] < low || values[i] > high) {
        count++;
        flagged[i] = 1;
      }
    }
    setNamed(perColumn, column.name, count);
  }
  return { rows: flagged.reduce((a, b) => a + b, 0), perColumn };
}

export interface FeatureRange {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Numeric: the data's range and median, and whether every value is whole. */
  min?: number;
  max?: number;
  median?: number;
  integers?: boolean;
  /** Categorical: the levels, sorted, and the most frequent one. */
  levels?: string[];
  mode?: string | null;
}

/** What a form needs to offer one input per feature: bounds and a typical value. */
export function featureRanges(table: DataTable, names: string[]): FeatureRange[] {
  return names.flatMap((name): FeatureRange[] => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) return [];
    if (column.kind === 'numeric') {
      const values = column.values;
      const {
        count,
        min,
        max,
        quantiles: [median],
      } = presentQuantiles(values, [0.5]);
      let integers = true;
      for (let j = 0; j < values.length && integers; j++) integers = Number.isNaN(values[j]) || Number.isInteger(values[j]);
      // A column with no value at all has no bounds.
      return [{ name, kind: 'numeric', min: count ? min : undefined, max: count ? max : undefined, median, integers }];
    }
    // A loop, not filter(): that copy was 8 MB a column on a million customers.
    const seen = new Set<string>();
    for (const v of column.values) if (v !== null) seen.add(v);
    const levels = [...seen].sort();
    return [{ name, kind: 'categorical', levels, mode: mostFrequentText(column.values) }];
  });
}

export interface DatasetOverview {
  summaries: ColumnSummary[];
  histograms: { name: string; histogram: Histogram }[];
  correlation: { names: string[]; values: number[][] };
  outliers: { rule: 'iqr' | 'zscore'; rows: number; perColumn: Record<string, number> };
  /** Box statistics of every numeric column in SD units from its mean, to compare spreads. */
  standardisedBoxes: { name: string; stats: BoxStats }[];
}

/** Everything the Overview tab shows about a table, computed in one place. */
export function datasetOverview(table: DataTable, outlierRule: 'iqr' | 'zscore'): DatasetOverview {
  const factsOf = numericFacts();
  return {
    summaries: summariseColumns(table, 12, factsOf),
    histograms: table.columns.flatMap((c) =>
      c.kind === 'numeric'
        ? [
            {
              name: c.name,
              histogram: histogram(c.values, undefined, { years: (table.roles && getNamed(table.roles, c.name)) === 'birth-year' }),
            },
          ]
        : [],
    ),
    correlation: correlationMatrix(table),
    outliers: { rule: outlierRule, ...countOutlierRows(table, outlierRule, factsOf) },
    standardisedBoxes: table.columns.flatMap((c) => {
      if (c.kind !== 'numeric') return [];
      const { quartiles, mean: m, sd } = factsOf(c);
      const scale = sd || 1;
      // Standardising is increasing and linear: the box of the standardised values is the
      // standardised box, with the same outliers. Missing values fall outside no fence and
      // widen no whisker.
      const [q1, median, q3] = quartiles.quantiles;
      const raw = withWhiskers(c.values, 0, c.values.length, q1, median, q3);
      const z = (v: number) => (v - m) / scale;
      return [
        {
          name: c.name,
          stats: { low: z(raw.low), q1: z(raw.q1), median: z(raw.median), q3: z(raw.q3), high: z(raw.high), outliers: raw.outliers },
        },
      ];
    }),
  };
}
