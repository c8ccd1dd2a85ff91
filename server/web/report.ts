/**
 * A printable segment report: a summary page, then one page per segment a manager can take
 * into a meeting or save as PDF from the browser. The same parameters as the tabs, or
 * model=ID for a saved segmentation.
 */
import { pipelineFeatures } from '../segmentation/fitted-pipeline.ts';
import { formatDate } from '../format.ts';
import { Router } from 'express';
import type { Engine } from '../engine/engine.ts';
import type { Db } from '../store/db.ts';
import { getDataset } from '../store/datasets.ts';
import { segmentColour, sizesChart } from './charts.ts';
import { segmentIndexChart } from './segment-charts.ts';
import { segmentationOfQuery } from './query-segmentation.ts';

export function reportRouter(db: Db, engine: Engine): Router {
  const router = Router();
  router.get('/report', async (req, res) => {
    const { datasetId, source, model } = await segmentationOfQuery(db, engine, req.query);
    const dataset = getDataset(db, datasetId);
    res.render('report', {
      dataset,
      source,
      model,
      playbooks: source.pipeline.segmentPlaybooks ?? [],
      features: pipelineFeatures(source.pipeline),
      charts: { sizes: sizesChart(source), segments: source.segments.map(segmentIndexChart) },
      segmentColour,
      backHref:
        req.query.model !== undefined
          ? `/clusters?dataset=${datasetId}`
          : `/clusters?${new URLSearchParams(req.query as Record<string, string>).toString()}`,
      generatedAt: formatDate(Date.now()),
    });
  });
  return router;
}
