/** Box plots as Chart.js draws them, from floating bars, with a value axis that fits the boxes. */

import { type BoxStats } from '../analysis/box-stats.ts';

import { axis, round, title, type ChartConfig } from './chart-style.ts';

/**
 * Box plots from floating bars (Chart.js has no box type): a thin bar for the whiskers,
 * a wide one for the quartiles, and a line marker for the median.
 */
export function boxPlotChart(
  chartTitle: string,
  yTitle: string,
  labels: (string | string[])[],
  stats: BoxStats[],
  colours: string[],
  years = false,
): ChartConfig {
  // Chart.js writes ticks with thousands separators: a year axis would read 1,960.
  const ticks = years ? { ticks: { format: { useGrouping: false } } } : {};
  return {
    // Bars start at zero unless told otherwise: Year_Birth 1940–2000 was a sliver at the top.
    // The axis spans the whiskers with a little room, and stops at zero for data that does.
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: 'Whiskers (within 1.5 IQR)',
          data: stats.map((s) => [round(s.low, 5), round(s.high, 5)]),
          backgroundColor: '#555555',
          barPercentage: 0.06,
          grouped: false,
          order: 2,
        },
        {
          label: 'Middle half (Q1 to Q3)',
          data: stats.map((s) => [round(s.q1, 5), round(s.q3, 5)]),
          backgroundColor: colours,
          barPercentage: 0.55,
          grouped: false,
          order: 1,
        },
        {
          type: 'line',
          label: 'Median',
          data: stats.map((s) => round(s.median, 5)),
          showLine: false,
          pointStyle: 'line',
          pointRadius: 12,
          borderWidth: 3,
          borderColor: '#111111',
          order: 0,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(chartTitle), legend: { display: false } },
      scales: { x: axis(''), y: axis(yTitle, { ...valueRange(stats), ...ticks }) },
    },
  };
}

/** The value axis of box plots: the whiskers' span and 5% on each side, not below zero for data that is not. */
export function valueRange(stats: BoxStats[]): { min?: number; max?: number; beginAtZero: false } {
  const lows = stats.map((s) => s.low).filter(Number.isFinite);
  const highs = stats.map((s) => s.high).filter(Number.isFinite);
  if (lows.length === 0) return { beginAtZero: false };
  const low = Math.min(...lows);
  const high = Math.max(...highs);
  const pad = (high - low) * 0.05 || Math.abs(high) * 0.05 || 1;
  return { min: round(low >= 0 && low - pad < 0 ? 0 : low - pad, 6), max: round(high + pad, 6), beginAtZero: false };
}
