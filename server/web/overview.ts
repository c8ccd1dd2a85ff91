/** Overview tab: KPIs, column summaries, distributions. */
import { Router } from 'express';
import { histogram, summariseColumns } from '../analysis/summary.ts';
import type { Engine } from '../engine/engine.ts';
import type { Db } from '../store/db.ts';
import { listDatasets } from '../store/datasets.ts';
import { categoryChart, histogramChart } from './charts.ts';
import { parseSegmentationParams, toQueryString } from './params.ts';
import { renderPageOrPartial } from './render.ts';

export function overviewRouter(db: Db, engine: Engine): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const datasets = listDatasets(db);
    const dataset = datasets.find((d) => d.id === params.datasetId)!;
    const table = engine.table(dataset.id);
    const summaries = summariseColumns(table);
    const charts = table.columns.flatMap((column) => {
      if (column.kind === 'numeric') return [{ name: column.name, config: histogramChart(column.name, histogram(column.values)) }];
      const summary = summaries.find((s) => s.name === column.name);
      if (column.kind === 'categorical' && summary && summary.kind !== 'numeric') return [{ name: column.name, config: categoryChart(column.name, summary.top) }];
      return [];
    });
    const missingValues = dataset.columns.reduce((sum, c) => sum + c.missing, 0);
    renderPageOrPartial(req, res, 'overview', 'partials/overview-content', {
      tab: 'overview', params, dataset, datasets, summaries, charts, missingValues,
      query: toQueryString(params, dataset),
    });
  });
  return router;
}
