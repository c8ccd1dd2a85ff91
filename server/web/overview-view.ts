/** What the Overview tab draws, built from a dataset version's overview (cached by the engine, so built once per overview). */
import { DerivedCache } from '../derived-cache.ts';
import type { DatasetOverview } from '../analysis/summary.ts';
import type { ChartConfig } from './chart-style.ts';
import { categoryChart, histogramChart, overviewBoxChart } from './overview-charts.ts';

export interface OverviewCharts {
  /** A histogram per numeric column, then a bar chart per categorical one. */
  distributions: { name: string; config: ChartConfig }[];
  /** Every numeric column's standardised box, side by side. */
  boxes: ChartConfig;
}

const built = new DerivedCache<DatasetOverview, OverviewCharts>();

export function overviewChartsOf(overview: DatasetOverview): OverviewCharts {
  return built.of(overview, () => {
    const categories = overview.summaries.flatMap((s) =>
      s.kind === 'categorical' ? [{ name: s.name, config: categoryChart(s.name, s.top, s.count, s.distinct) }] : [],
    );
    return {
      distributions: [...overview.histograms.map((h) => ({ name: h.name, config: histogramChart(h.name, h.histogram) })), ...categories],
      boxes: overviewBoxChart(overview.standardisedBoxes),
    };
  });
}
