/**
 * Customers followed from one segmentation to another, as a flow diagram (the Chart.js
 * sankey controller, public/app.js gives each node its segment's colour).
 */
import type { ModelComparison } from '../segmentation/model-ops.ts';
import { segmentColour, type ChartConfig } from './charts.ts';

/**
 * The order of the nodes in their columns, so that flows cross as little as they must: the
 * first segmentation's in its own order, each of the second's at the mean position of the
 * customers it takes (the barycentre heuristic). Identical segmentations draw straight bands.
 */
export function flowOrder(flows: readonly (readonly number[])[]): Record<string, number> {
  const order: Record<string, number> = {};
  flows.forEach((_, i) => (order[`a${i}`] = i));
  const columns = flows[0]?.length ?? 0;
  const centre = Array.from({ length: columns }, (_, j) => {
    let weight = 0;
    let sum = 0;
    flows.forEach((row, i) => {
      weight += row[j];
      sum += row[j] * i;
    });
    return weight > 0 ? sum / weight : flows.length + j;
  });
  Array.from({ length: columns }, (_, j) => j)
    .sort((p, q) => centre[p] - centre[q] || p - q)
    .forEach((j, rank) => (order[`b${j}`] = rank));
  return order;
}

/** Node keys: "a0" is segment 1 of the first segmentation, "b0" of the second. */
export function flowChart(comparison: ModelComparison, aNames: string[], bNames: string[]): ChartConfig {
  const data = comparison.flows.flatMap((row, i) => row.flatMap((flow, j) => (flow > 0 ? [{ from: `a${i}`, to: `b${j}`, flow }] : [])));
  const labels: Record<string, string> = {};
  const nodeColours: Record<string, string> = {};
  aNames.forEach((name, i) => {
    labels[`a${i}`] = `${i + 1}. ${name}`;
    nodeColours[`a${i}`] = segmentColour(i);
  });
  bNames.forEach((name, j) => {
    labels[`b${j}`] = `${j + 1}. ${name}`;
    nodeColours[`b${j}`] = segmentColour(j);
  });
  return {
    type: 'sankey',
    data: {
      datasets: [
        {
          label: 'Customers',
          data,
          labels,
          nodeColours,
          colorMode: 'gradient',
          alpha: 0.6,
          size: 'max',
          priority: flowOrder(comparison.flows),
          nodePadding: 24,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        title: {
          display: true,
          text: `Customers from “${comparison.a.name}” (left) to “${comparison.b.name}” (right)`,
          font: { size: 14, weight: 'bold' },
        },
        legend: { display: false },
      },
    },
  };
}
