/** The JSON API: datasets, segments, sweep, predict. Shapes as DESIGN.md fixes them. */
import { Router } from 'express';
import type { SegmentationResult } from '../analysis/pipeline.ts';
import type { Engine } from '../engine/engine.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { listDatasets } from '../store/datasets.ts';
import { parseSegmentationParams } from './params.ts';

const finite = (v: number) => (Number.isFinite(v) ? v : null);

export function segmentsBody(result: SegmentationResult) {
  return {
    params: result.options,
    metrics: {
      inertia: finite(result.metrics.inertia),
      silhouette: finite(result.metrics.silhouette),
      silhouetteSampled: result.metrics.silhouetteSampled,
      daviesBouldin: finite(result.metrics.daviesBouldin),
      calinskiHarabasz: finite(result.metrics.calinskiHarabasz),
      stability: finite(result.stability.meanAri),
    },
    segments: result.segments.map((s) => ({
      id: s.id,
      name: s.name,
      size: s.size,
      share: s.share,
      centroid: s.centroid,
      recommendation: s.recommendation,
      distinguishing: s.distinguishing,
    })),
    noise: result.noiseCount,
    preprocessing: result.report,
    pca: { explainedVarianceRatio: result.pca.explainedVarianceRatio.slice(0, 2), components: result.pca.components, features: result.outputNames },
    notes: result.notes,
  };
}

export function apiRouter(db: Db, engine: Engine): Router {
  const router = Router();

  router.get('/api/datasets', (_req, res) => {
    res.json(listDatasets(db).map(({ id, name, rowCount, version, columns }) => ({ id, name, rowCount, version, columns })));
  });

  router.get('/api/segments', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    res.json(segmentsBody(await engine.segment(params)));
  });

  router.get('/api/sweep', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const sweep = await engine.sweep(params);
    res.json({
      recommendedK: sweep.recommendedK,
      elbowK: sweep.elbowK,
      rule: sweep.rule,
      algorithm: sweep.algorithm,
      rows: sweep.rows.map((r) => ({ k: r.k, inertia: r.inertia, silhouette: finite(r.silhouette), daviesBouldin: finite(r.daviesBouldin), calinskiHarabasz: finite(r.calinskiHarabasz) })),
      notes: sweep.notes,
    });
  });

  router.post('/api/predict', async (req, res) => {
    const params = parseSegmentationParams(req.query, db);
    const customer = (req.body as { customer?: unknown } | undefined)?.customer;
    if (typeof customer !== 'object' || customer === null || Array.isArray(customer)) {
      throw new InputError('Send JSON like {"customer": {"age": 35, ...}} with one value per feature.', { field: 'customer' });
    }
    const { prediction } = await engine.predict(params, customer as Record<string, string | number | null>);
    res.json({ segment: prediction.segment, name: prediction.name, distances: prediction.distances, point: prediction.point });
  });

  return router;
}
