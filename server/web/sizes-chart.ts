/** A saved segmentation's segment sizes over time, from its change feed: one line per segment. */
import { formatDateTime } from '../format.ts';
import type { SizesOverTime } from '../store/segment-changes.ts';
import { axis, segmentColour, title, type ChartConfig } from './chart-style.ts';

export function sizesChart(history: SizesOverTime, names: readonly string[]): ChartConfig {
  return {
    type: 'line',
    data: {
      labels: history.at.map((at) => formatDateTime(at)),
      datasets: names.map((name, s) => ({
        label: `${s + 1}. ${name}`,
        data: history.sizes.map((sizes) => sizes[s] ?? 0),
        borderColor: segmentColour(s),
        backgroundColor: segmentColour(s),
        stepped: 'before',
        pointRadius: 3,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title('Segment sizes over time'), legend: { display: false } },
      scales: {
        x: axis('When the change feed recorded changes', { ticks: { maxRotation: 0, autoSkip: true } }),
        y: axis('Customers', { beginAtZero: true }),
      },
    },
  };
}
