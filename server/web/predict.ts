/** Predict tab: one input per feature, the predicted segment updating as values change. */
import { Router } from 'express';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { CustomerInput } from '../analysis/transform.ts';
import type { FeatureRange } from '../analysis/summary.ts';
import { assignOnMap } from '../models/assignment.ts';
import type { Engine, SegmentationParams } from '../engine/engine.ts';
import type { RunContext } from '../engine/pool.ts';
import type { ModelService } from '../models/model-service.ts';
import type { Db } from '../store/db.ts';
import { listDatasets, type DatasetInfo } from '../store/datasets.ts';
import { distanceChart, scatterChart, segmentColour } from './charts.ts';
import { namesSegmentation, parseSegmentationParams, toQueryString } from './params.ts';
import { renderPageOrPartial } from './render.ts';
import { runContext } from './run-context.ts';

/** Customer fields travel as c:<column> so they never collide with segmentation parameters. */
export const CUSTOMER_PREFIX = 'c:';

export interface FeatureInput {
  name: string;
  field: string;
  kind: 'numeric' | 'categorical';
  value: string;
  min?: number;
  max?: number;
  step?: number;
  levels?: string[];
}

/** Inputs for the segmentation's features, bounded by the data and prefilled with the median customer. */
export function featureInputs(ranges: FeatureRange[], result: SegmentationResult, query: Record<string, unknown>): FeatureInput[] {
  const byName = new Map(ranges.map((r) => [r.name, r]));
  return result.featureNames
    .flatMap((name) => byName.get(name) ?? [])
    .map((range): FeatureInput => {
      const field = CUSTOMER_PREFIX + range.name;
      const given = typeof query[field] === 'string' ? (query[field] as string) : undefined;
      if (range.kind === 'numeric') {
        const min = range.min!;
        const max = range.max!;
        const step = range.integers ? 1 : Number(((max - min) / 200).toPrecision(1)) || 0.01;
        const typical = range.integers ? Math.round(range.median!) : Number(range.median!.toPrecision(6));
        return { name: range.name, field, kind: 'numeric', value: given ?? String(typical), min, max, step };
      }
      return { name: range.name, field, kind: 'categorical', value: given ?? range.mode ?? '', levels: range.levels };
    });
}

/** One of the dataset's other columns, for registering the whole customer (not used for the segment). */
export interface RecordInput {
  name: string;
  field: string;
  kind: 'number' | 'select' | 'text';
  value: string;
  levels?: string[];
  /** The customer's own identifier column: optional, the store numbers customers anyway. */
  isId: boolean;
}

/** Inputs for every column the segmentation does not use: a registration stores the whole record. */
export function recordInputs(
  dataset: DatasetInfo,
  ranges: FeatureRange[],
  featureNames: readonly string[],
  query: Record<string, unknown>,
): RecordInput[] {
  const used = new Set(featureNames);
  return dataset.columns
    .filter((c) => !used.has(c.name))
    .map((c): RecordInput => {
      const field = CUSTOMER_PREFIX + c.name;
      const value = typeof query[field] === 'string' ? (query[field] as string) : '';
      const levels = ranges.find((r) => r.name === c.name)?.levels;
      if (c.kind === 'categorical' && levels) return { name: c.name, field, kind: 'select', value, levels, isId: false };
      return { name: c.name, field, kind: c.kind === 'numeric' ? 'number' : 'text', value, isId: c.kind === 'id' };
    });
}

export function predictRouter(db: Db, engine: Engine, models: ModelService): Router {
  const router = Router();
  router.get('/predict', async (req, res) => {
    const params = parseSegmentationParams(req.query, db, [`${CUSTOMER_PREFIX}*`]);
    const view = await predictView(db, engine, models, params, req.query, runContext(req, res));
    renderPageOrPartial(req, res, 'predict', 'partials/prediction-result', { tab: 'predict', ...view });
  });
  return router;
}

/**
 * The Predict tab: the map is the segmentation shown; the segment comes from the one that
 * also assigns this tab's registrations (the active saved segmentation unless the URL names one).
 */
async function predictView(
  db: Db,
  engine: Engine,
  models: ModelService,
  params: SegmentationParams,
  query: Record<string, unknown>,
  context: RunContext,
) {
  const datasets = listDatasets(db);
  const dataset = datasets.find((d) => d.id === params.datasetId)!;
  const result = await engine.shown(params, context);
  const ranges = await engine.columnRanges(dataset.id, { context });
  const inputs = featureInputs(ranges, result, query);
  const record = recordInputs(dataset, ranges, result.featureNames, query);
  const customer: CustomerInput = Object.fromEntries(inputs.map((f) => [f.name, f.value]));
  const { pipeline, model, prediction } = await assignOnMap(engine, models, params, namesSegmentation(query), customer, context);
  const segment = !model && prediction.segment >= 0 ? result.segments[prediction.segment] : undefined;
  return {
    params,
    dataset,
    datasets,
    result,
    inputs,
    record,
    prediction,
    segment,
    segmentColour,
    model,
    names: pipeline.segmentNames,
    charts: { distances: distanceChart(prediction, pipeline.segmentNames), scatter: scatterChart(result, prediction) },
    query: toQueryString(params, dataset),
  };
}
