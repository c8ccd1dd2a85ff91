/**
 * A chart's data as a table a screen reader can reach (a canvas is only a picture): the
 * categories by the series for bars and lines, each series' size and centre for a scatter,
 * each flow for a flow diagram. Built once per chart config, as its escaped JSON is.
 */
import { DerivedCache } from '../derived-cache.ts';
import { formatNumber, formatYear } from '../format.ts';
import type { ChartConfig } from './charts.ts';

export interface ChartTable {
  columns: string[];
  rows: string[][];
}

/** Rows a table lists; a longer chart says how many more there are. */
const MAX_ROWS = 60;

interface Dataset {
  label?: string;
  data?: unknown[];
}

/** A value axis the chart writes without separators (years) is written so in its table too. */
function numberFormat(config: ChartConfig): (v: number) => string {
  const scales =
    (config.options as { scales?: Record<string, { ticks?: { format?: { useGrouping?: boolean } } }> } | undefined)?.scales ?? {};
  const bare = Object.values(scales).some((s) => s?.ticks?.format?.useGrouping === false);
  return bare ? formatYear : formatNumber;
}

const cellOf =
  (formatNumber: (v: number) => string) =>
  (v: unknown): string => {
    if (typeof v === 'number') return formatNumber(v);
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
      return `${formatNumber(v[0])} to ${formatNumber(v[1])}`;
    // An axis label wrapped onto lines.
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
    if (v && typeof v === 'object' && 'x' in v && 'y' in v)
      return `(${formatNumber(Number((v as { x: number }).x))}, ${formatNumber(Number((v as { y: number }).y))})`;
    return v === null || v === undefined ? '—' : String(v);
  };

function scatterTable(datasets: Dataset[]): ChartTable {
  const rows = datasets.map((d) => {
    const points = (d.data ?? []) as { x: number; y: number }[];
    const mean = (key: 'x' | 'y') => (points.length ? points.reduce((s, p) => s + p[key], 0) / points.length : Number.NaN);
    return [d.label ?? '', formatNumber(points.length), formatNumber(mean('x')), formatNumber(mean('y'))];
  });
  return { columns: ['Series', 'Points shown', 'Centre (x)', 'Centre (y)'], rows };
}

function flowTable(datasets: Dataset[]): ChartTable {
  const flows = (datasets[0]?.data ?? []) as { from: string; to: string; flow: number }[];
  return { columns: ['From', 'To', 'Customers'], rows: flows.map((f) => [f.from, f.to, formatNumber(f.flow)]) };
}

const built = new DerivedCache<ChartConfig, ChartTable | null>();

export function chartTable(config: ChartConfig): ChartTable | null {
  return built.of(config, () => tableOf(config));
}

function tableOf(config: ChartConfig): ChartTable | null {
  let table: ChartTable | null;
  const data = config.data as { labels?: unknown[]; datasets?: Dataset[] } | undefined;
  const datasets = data?.datasets ?? [];
  if (config.type === 'scatter') table = scatterTable(datasets);
  else if (config.type === 'sankey') table = flowTable(datasets);
  else if (data?.labels) {
    const labels = data.labels;
    const cell = cellOf(numberFormat(config));
    table = {
      columns: ['', ...datasets.map((d) => d.label ?? '')],
      rows: labels.map((label, i) => [cell(label), ...datasets.map((d) => cell(d.data?.[i]))]),
    };
  } else table = null;
  if (table && table.rows.length > MAX_ROWS) {
    const more = table.rows.length - MAX_ROWS;
    table = {
      columns: table.columns,
      rows: [...table.rows.slice(0, MAX_ROWS), [`… and ${formatNumber(more)} more`, ...table.columns.slice(1).map(() => '')]],
    };
  }
  return table;
}
