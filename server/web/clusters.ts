/** Clusters tab: the controls and every result region, re-rendered through htmx on change. */
import { Router } from 'express';
import { ALGORITHMS } from '../analysis/cluster/types.ts';
import { MISSING_STRATEGIES, OUTLIER_RULES, SCALING_METHODS } from '../analysis/preprocess.ts';
import type { Engine } from '../engine/engine.ts';
import type { SegmentationResult } from '../analysis/pipeline.ts';
import type { SweepResult } from '../analysis/sweep.ts';
import type { Db } from '../store/db.ts';
import { listDatasets } from '../store/datasets.ts';
import { categoryMixChart, elbowChart, featureBoxChart, featureMeansChart, scatterChart, segmentColour, silhouetteChart, sizesChart } from './charts.ts';
import { parseSegmentationParams, toQueryString } from './params.ts';
import { isHtmx, renderPageOrPartial } from './render.ts';
import { runContext } from './run-context.ts';

export const CONTROL_CHOICES = {
  algorithms: ALGORITHMS.map((value) => ({ value, label: { kmeans: 'k-means', minibatch: 'Mini-batch k-means', agglomerative: 'Agglomerative (Ward)', dbscan: 'DBSCAN (density)' }[value] })),
  scalings: SCALING_METHODS.map((value) => ({ value, label: { standard: 'Standard (z-score)', minmax: 'Min-max (0 to 1)', robust: 'Robust (median / IQR)', none: 'None' }[value] })),
  missing: MISSING_STRATEGIES.map((value) => ({ value, label: { drop: 'Drop incomplete rows', mean: 'Fill with mean', median: 'Fill with median', mode: 'Fill with most frequent' }[value] })),
  outliers: OUTLIER_RULES.map((value) => ({ value, label: { none: 'Keep all', 'iqr-clip': 'IQR 1.5× — clip', 'iqr-exclude': 'IQR 1.5× — exclude from fit', 'zscore-clip': '|z| > 3 — clip', 'zscore-exclude': '|z| > 3 — exclude from fit' }[value] })),
};

type ClusterCharts = Record<string, unknown>;

export function clustersRouter(db: Db, engine: Engine): Router {
  const router = Router();
  // Chart configs follow from a (cached) result and its sweep: build them once per pair.
  const chartCache = new WeakMap<SegmentationResult, { sweep: SweepResult; charts: ClusterCharts }>();
  // The results partial of a cached result, by query: an unchanged view is not re-rendered.
  const partialCache = new WeakMap<SegmentationResult, { sweep: SweepResult; html: Map<string, string> }>();
  router.get('/clusters', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const context = runContext(req, res);
    const datasets = listDatasets(db);
    const dataset = datasets.find((d) => d.id === params.datasetId)!;
    const [result, sweep] = await Promise.all([engine.segment(params, context), engine.sweep(params, context)]);
    const hit = chartCache.get(result);
    const charts = hit?.sweep === sweep ? hit.charts : {
      boxes: result.featureNames.filter((f) => dataset.columns.some((c) => c.name === f && c.kind === 'numeric')).map((f) => ({ feature: f, config: featureBoxChart(result, f) })),
      mixes: dataset.columns.filter((c) => c.kind === 'categorical').map((c) => ({ feature: c.name, config: categoryMixChart(result, c.name) })),
      scatter: scatterChart(result),
      sizes: sizesChart(result),
      elbow: elbowChart(sweep, result.options.algorithm === 'dbscan' ? null : result.k),
      silhouette: silhouetteChart(sweep, result.options.algorithm === 'dbscan' ? null : result.k),
      featureMeans: featureMeansChart(result),
    };
    chartCache.set(result, { sweep, charts });
    const query = toQueryString(params, dataset);
    const locals = { tab: 'clusters', params, dataset, datasets, result, sweep, charts, choices: CONTROL_CHOICES, segmentColour, query };
    if (!isHtmx(req)) {
      renderPageOrPartial(req, res, 'clusters', 'partials/cluster-results', locals);
      return;
    }
    let rendered = partialCache.get(result);
    if (rendered?.sweep !== sweep) {
      rendered = { sweep, html: new Map() };
      partialCache.set(result, rendered);
    }
    const key = `${dataset.name}|${query}`;
    let html = rendered.html.get(key);
    if (html === undefined) {
      html = await new Promise<string>((resolve, reject) => res.render('partials/cluster-results', locals, (error, out) => (error ? reject(error) : resolve(out))));
      rendered.html.set(key, html);
    }
    res.vary('HX-Request').vary('HX-History-Restore-Request').type('html').send(html);
  });
  return router;
}
