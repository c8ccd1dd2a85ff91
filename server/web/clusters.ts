/**
 * Clusters tab. A change renders first what the shown k needs (its fit, metrics, scatter,
 * sizes, profiles); the curves over k, the recommended k and the stability check fill the
 * #cluster-sweep region from a second request when they are not at hand yet. With no k in
 * the URL and no sweep yet, a provisional k is shown at once and replaced by the
 * recommended one when the sweep settles it.
 */
import { cacheKey } from '../cache-key.ts';
import { Router, type Request, type Response } from 'express';
import { ALGORITHMS } from '../analysis/cluster/types.ts';
import { MISSING_STRATEGIES, OUTLIER_RULES, SCALING_METHODS } from '../analysis/preprocess.ts';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { Engine } from '../engine/engine.ts';
import type { Db } from '../store/db.ts';
import { getDataset, listDatasets } from '../store/datasets.ts';
import { segmentColour } from './charts.ts';
import { fitChartsOf, sweepRegionOf } from './cluster-view.ts';
import { parseInput } from './inputs.ts';
import { parseSegmentationParams, toQueryString } from './params.ts';
import { isHtmx, RenderedRegions, renderPageOrPartial } from './render.ts';
import { runContext } from './run-context.ts';
import { z } from 'zod';

export const CONTROL_CHOICES = {
  algorithms: ALGORITHMS.map((value) => ({
    value,
    label: {
      kmeans: 'k-means',
      minibatch: 'Mini-batch k-means',
      agglomerative: 'Agglomerative (Ward)',
      dbscan: 'DBSCAN (density)',
      gmm: 'Gaussian mixture (soft, diagonal covariance)',
    }[value],
  })),
  scalings: SCALING_METHODS.map((value) => ({
    value,
    label: { standard: 'Standard (z-score)', minmax: 'Min-max (0 to 1)', robust: 'Robust (median / IQR)', none: 'None' }[value],
  })),
  missing: MISSING_STRATEGIES.map((value) => ({
    value,
    label: { drop: 'Drop incomplete rows', mean: 'Fill with mean', median: 'Fill with median', mode: 'Fill with most frequent' }[value],
  })),
  outliers: OUTLIER_RULES.map((value) => ({
    value,
    label: {
      none: 'Keep all',
      'iqr-clip': 'IQR 1.5× — clip',
      'iqr-exclude': 'IQR 1.5× — exclude from fit',
      'zscore-clip': '|z| > 3 — clip',
      'zscore-exclude': '|z| > 3 — exclude from fit',
    }[value],
  })),
};

/** The k a sweep region was asked about: the one the fit region shows. */
const SHOWN_ERROR = 'shown must be a whole number (the k the page shows), given once.';
const shownK = z
  .string({ error: SHOWN_ERROR })
  .regex(/^\d{1,2}$/, { error: SHOWN_ERROR })
  .transform(Number)
  .optional();

/** The downloads of the fit shown: a saved segmentation's by its id (its names, playbooks and assignment), else by the parameters. */
function exportQuery(result: SegmentationResult, query: string): string {
  return result.savedModel ? `model=${result.savedModel.id}` : query;
}

export function clustersRouter(db: Db, engine: Engine): Router {
  const router = Router();
  // The fit region of a cached result, by query: an unchanged view is not rendered again.
  const rendered = new RenderedRegions();

  router.get('/clusters', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const context = runContext(req, res, params.datasetId);
    const datasets = listDatasets(db);
    const dataset = datasets.find((d) => d.id === params.datasetId)!;
    const { k, provisional, sweep: known } = await engine.resolveK(params, { waitForSweep: false, context });
    const result = await engine.shown({ ...params, k }, context);
    engine.startSweep({ ...params, k: result.k });
    const stability = engine.cachedStability(params.datasetId, result);
    const sweepRegion = known ? sweepRegionOf(params, known, stability, result.k) : undefined;
    const query = toQueryString(params, dataset);
    const locals = {
      tab: 'clusters',
      params,
      dataset,
      datasets,
      result,
      charts: fitChartsOf(result, dataset),
      sweepRegion,
      provisional,
      choices: CONTROL_CHOICES,
      segmentColour,
      query,
      exportQuery: exportQuery(result, query),
    };
    if (!isHtmx(req)) {
      renderPageOrPartial(req, res, 'clusters', 'partials/cluster-results', locals);
      return;
    }
    // A region still waiting for its sweep or stability renders differently: they are in the key.
    const key = cacheKey(dataset.name, query, k, provisional, sweepRegion !== undefined, stability !== undefined);
    const html = await rendered.render(res, result, key, 'partials/cluster-results', locals);
    res.vary('HX-Request').vary('HX-History-Restore-Request').type('html').send(html);
  });

  // The curves over k, the recommended k and stability, for the k the fit region shows.
  router.get('/clusters/sweep', async (req: Request, res: Response) => {
    const params = parseSegmentationParams(req.query, db, ['shown']);
    const shown = parseInput(shownK, req.query.shown, { field: 'shown' });
    const context = runContext(req, res, params.datasetId);
    const sweep = await engine.sweep(params, context);
    // The recommended k's fit, so that the fit region it may reload is answered from cache.
    const result = await engine.segment(params, context);
    const stability = await engine.stability(params.datasetId, result, context);
    const region = sweepRegionOf(params, sweep, stability, shown ?? result.k);
    const dataset = getDataset(db, params.datasetId);
    res.render('partials/cluster-sweep', { sweepRegion: region, result, params, query: toQueryString(params, dataset) });
  });
  return router;
}
