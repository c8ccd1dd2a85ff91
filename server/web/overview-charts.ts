/** The Overview tab's charts: each column's distribution, and every numeric column's spread on one scale. */
import { formatCount, formatNumber, formatYear } from '../format.ts';
import { calendarOrder } from '../analysis/calendar.ts';
import type { Histogram } from '../analysis/summary.ts';
import type { BoxStats } from '../analysis/box-stats.ts';
import { axis, MAX_CHART_LEVELS, SEGMENT_COLOURS, shortLabel, title, type ChartConfig } from './chart-style.ts';
import { boxPlotChart } from './box-chart.ts';

/** A bin's label: "1–2" for whole numbers (its first and last value), "2.5–5" otherwise, years bare. */
export function histogramLabels(hist: Histogram): string[] {
  const fmt = (v: number) => (hist.years ? formatYear(v) : formatNumber(v, 4));
  const last = hist.counts.length - 1;
  return hist.counts.map((_, i) => {
    const low = hist.edges[i];
    if (hist.tail && i === last) return `${fmt(low)} and above`;
    if (!hist.integer) return `${fmt(low)}–${fmt(hist.edges[i + 1])}`;
    const high = hist.edges[i + 1] - 1;
    return high <= low ? fmt(low) : `${fmt(low)}–${fmt(high)}`;
  });
}

export function histogramChart(name: string, hist: Histogram): ChartConfig {
  return {
    type: 'bar',
    data: {
      labels: histogramLabels(hist),
      datasets: [{ label: 'Customers', data: hist.counts, backgroundColor: '#0072B2', barPercentage: 1, categoryPercentage: 1 }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        title: title(hist.tail ? `Distribution of ${name} (last bar: the top 1%)` : `Distribution of ${name}`),
        legend: { display: false },
      },
      scales: { x: axis(name), y: axis('Customers', { beginAtZero: true }) },
    },
  };
}

/**
 * Levels a category chart draws: the most common ones, the rest as one "Other" bar or
 * series. Thousands of legend entries froze the browser for a minute and helped nobody.
 */

/** `present`: customers with a value, so what the top levels leave out becomes "Other". */
export function categoryChart(name: string, top: { level: string; count: number }[], present = 0, distinct = top.length): ChartConfig {
  const kept = top.slice(0, distinct > MAX_CHART_LEVELS ? MAX_CHART_LEVELS - 1 : MAX_CHART_LEVELS);
  const calendar = calendarOrder(kept.map((l) => l.level));
  const shown = calendar ? calendar.map((level) => kept.find((l) => l.level === level)!) : kept;
  const rest = present - shown.reduce((s, l) => s + l.count, 0);
  const levels = rest > 0 ? [...shown, { level: `Other (${formatCount(distinct - shown.length)} more)`, count: rest }] : shown;
  return {
    type: 'bar',
    data: {
      labels: levels.map((l) => shortLabel(l.level, 24)),
      datasets: [
        {
          label: 'Customers',
          data: levels.map((l) => l.count),
          backgroundColor: levels.map((_, i) => SEGMENT_COLOURS[i % SEGMENT_COLOURS.length]),
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(`Customers by ${name}`), legend: { display: false } },
      scales: { x: axis(name), y: axis('Customers', { beginAtZero: true }) },
    },
  };
}

/** Every numeric column on one standardised axis, so their spreads and outliers compare. */
export function overviewBoxChart(boxes: { name: string; stats: BoxStats }[]): ChartConfig {
  return boxPlotChart(
    'Spread of each numeric column, on one scale',
    'Distance from the column average (in typical spreads)',
    boxes.map((b) => b.name),
    boxes.map((b) => b.stats),
    boxes.map(() => '#56B4E9'),
  );
}
