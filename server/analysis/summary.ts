/** Descriptive statistics for the Overview tab: per-column summaries, histograms, correlations. */
import { mean, mostFrequentText, populationSd, presentValues, quantileSorted, sortedCopy } from './stats.ts';
import type { ColumnKind, DataTable } from './table.ts';

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

export function summariseColumns(table: DataTable, topLevels = 12): ColumnSummary[] {
  return table.columns.map((column): ColumnSummary => {
    if (column.kind === 'numeric') {
      const present = presentValues(column.values);
      const sorted = sortedCopy(present);
      const m = mean(present);
      return {
        name: column.name,
        kind: 'numeric',
        count: present.length,
        missing: column.values.length - present.length,
        mean: m,
        sd: populationSd(present, m),
        min: sorted[0] ?? Number.NaN,
        q1: quantileSorted(sorted, 0.25),
        median: quantileSorted(sorted, 0.5),
        q3: quantileSorted(sorted, 0.75),
        max: sorted[sorted.length - 1] ?? Number.NaN,
      };
    }
    const counts = new Map<string, number>();
    let missing = 0;
    for (const v of column.values) {
      if (v === null) missing++;
      else counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const top = [...counts].map(([level, count]) => ({ level, count })).sort((a, b) => b.count - a.count || a.level.localeCompare(b.level));
    return { name: column.name, kind: column.kind, count: column.values.length - missing, missing, distinct: counts.size, top: top.slice(0, topLevels) };
  });
}

export interface Histogram {
  /** Lower edge of each bin, then the upper edge of the last. */
  edges: number[];
  counts: number[];
}

/** Equal-width bins over the present values (Sturges' rule for the count, at most 30). */
export function histogram(values: Float64Array, bins?: number): Histogram {
  const present = presentValues(values);
  if (present.length === 0) return { edges: [], counts: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const v of present) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const binCount = bins ?? Math.min(30, Math.max(5, Math.ceil(Math.log2(present.length) + 1)));
  const width = max > min ? (max - min) / binCount : 1;
  const counts = new Array<number>(binCount).fill(0);
  for (const v of present) counts[Math.min(binCount - 1, Math.floor((v - min) / width))]++;
  const edges = Array.from({ length: binCount + 1 }, (_, i) => min + i * width);
  return { edges, counts };
}

/** Pearson correlation between numeric columns over rows where both are present. */
export function correlationMatrix(table: DataTable): { names: string[]; values: number[][] } {
  const numeric = table.columns.filter((c) => c.kind === 'numeric');
  const values = numeric.map((a) =>
    numeric.map((b) => {
      let n = 0;
      let sa = 0;
      let sb = 0;
      for (let i = 0; i < table.rowCount; i++) {
        const x = a.values[i] as number;
        const y = b.values[i] as number;
        if (Number.isNaN(x) || Number.isNaN(y)) continue;
        n++;
        sa += x;
        sb += y;
      }
      const ma = sa / n;
      const mb = sb / n;
      let cov = 0;
      let va = 0;
      let vb = 0;
      for (let i = 0; i < table.rowCount; i++) {
        const x = a.values[i] as number;
        const y = b.values[i] as number;
        if (Number.isNaN(x) || Number.isNaN(y)) continue;
        cov += (x - ma) * (y - mb);
        va += (x - ma) ** 2;
        vb += (y - mb) ** 2;
      }
      return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : Number.NaN;
    }),
  );
  return { names: numeric.map((c) => c.name), values };
}

export interface BoxStats {
  /** Lowest and highest values within 1.5 IQR of the quartiles (Tukey's whiskers). */
  low: number;
  q1: number;
  median: number;
  q3: number;
  high: number;
  outliers: number;
}

export function boxStats(values: ArrayLike<number>): BoxStats {
  return boxStatsOfSorted(sortedCopy(presentValues(Float64Array.from(values))));
}

/** Box statistics of values already sorted ascending, none missing. */
export function boxStatsOfSorted(sorted: Float64Array): BoxStats {
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const fenceLow = q1 - 1.5 * (q3 - q1);
  const fenceHigh = q3 + 1.5 * (q3 - q1);
  let low = q1;
  let high = q3;
  let outliers = 0;
  for (const v of sorted) {
    if (v < fenceLow || v > fenceHigh) outliers++;
    else {
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  return { low, q1, median: quantileSorted(sorted, 0.5), q3, high, outliers };
}

/** Customers flagged as outliers on any numeric column by the IQR or z-score rule. */
export function countOutlierRows(table: DataTable, rule: 'iqr' | 'zscore'): { rows: number; perColumn: Record<string, number> } {
  const flagged = new Uint8Array(table.rowCount);
  const perColumn: Record<string, number> = {};
  for (const column of table.columns) {
    if (column.kind !== 'numeric') continue;
    const present = presentValues(column.values);
    let low: number;
    let high: number;
    if (rule === 'iqr') {
      const sorted = sortedCopy(present);
      const q1 = quantileSorted(sorted, 0.25);
      const q3 = quantileSorted(sorted, 0.75);
      low = q1 - 1.5 * (q3 - q1);
      high = q3 + 1.5 * (q3 - q1);
    } else {
      const m = mean(present);
      const sd = populationSd(present, m);
      low = m - 3 * sd;
      high = m + 3 * sd;
    }
    let count = 0;
    column.values.forEach((v, i) => {
      if (v < low || v > high) {
        count++;
        flagged[i] = 1;
      }
    });
    perColumn[column.name] = count;
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
      const sorted = sortedCopy(presentValues(column.values));
      return [{ name, kind: 'numeric', min: sorted[0], max: sorted[sorted.length - 1], median: quantileSorted(sorted, 0.5), integers: sorted.every((v) => Number.isInteger(v)) }];
    }
    const levels = [...new Set(column.values.filter((v): v is string => v !== null))].sort();
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
  return {
    summaries: summariseColumns(table),
    histograms: table.columns.flatMap((c) => (c.kind === 'numeric' ? [{ name: c.name, histogram: histogram(c.values) }] : [])),
    correlation: correlationMatrix(table),
    outliers: { rule: outlierRule, ...countOutlierRows(table, outlierRule) },
    standardisedBoxes: table.columns.flatMap((c) => {
      if (c.kind !== 'numeric') return [];
      const present = presentValues(c.values);
      const m = mean(present);
      const sd = populationSd(present, m) || 1;
      return [{ name: c.name, stats: boxStats(Float64Array.from(present, (v) => (v - m) / sd)) }];
    }),
  };
}
