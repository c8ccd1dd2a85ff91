/**
 * Which segmentation assigns a customer: one answer for the Predict tab, the predict API
 * and registrations. A request that names segmentation parameters gets the segmentation
 * they describe; one that names none gets the dataset's active saved segmentation, and
 * without one the default segmentation.
 */
import type { CustomerInput } from '../analysis/transform.ts';
import { predictCustomer, type FittedPipeline, type Prediction } from '../segmentation/predict.ts';
import type { SavedModel } from '../store/saved-models.ts';
import type { Engine, SegmentationParams } from '../engine/engine.ts';
import type { ModelService } from './model-service.ts';
import type { RunContext } from '../engine/pool.ts';

export interface Assignment {
  pipeline: FittedPipeline;
  /** The saved segmentation that assigns, when it is one. */
  model: SavedModel | undefined;
}

/** `namesParameters`: the request gave segmentation parameters beyond the dataset. */
export async function assigningSegmentation(
  engine: Engine,
  models: ModelService,
  params: SegmentationParams,
  namesParameters: boolean,
  context?: RunContext,
): Promise<Assignment> {
  const model = namesParameters ? undefined : models.active(params.datasetId);
  return { pipeline: model?.pipeline ?? (await engine.shown(params, context)).pipeline, model };
}

/**
 * One customer's segment under the assigning segmentation. `datasetColumns`: a whole record
 * is welcome, its fields beyond the features ignored and listed.
 */
export async function assignCustomer(
  engine: Engine,
  models: ModelService,
  params: SegmentationParams,
  namesParameters: boolean,
  customer: CustomerInput,
  datasetColumns?: readonly string[],
  context?: RunContext,
): Promise<Assignment & { prediction: Prediction }> {
  const assignment = await assigningSegmentation(engine, models, params, namesParameters, context);
  return { ...assignment, prediction: predictCustomer(assignment.pipeline, customer, datasetColumns) };
}

/**
 * The Predict tab's answer: the segment from the assigning segmentation, placed on the map
 * of the segmentation shown (the active saved one may have other features than the map).
 */
export async function assignOnMap(
  engine: Engine,
  models: ModelService,
  params: SegmentationParams,
  namesParameters: boolean,
  customer: CustomerInput,
  context?: RunContext,
): Promise<Assignment & { prediction: Prediction }> {
  const { prediction: onMap } = await engine.predict(params, customer, context);
  const assigned = await assignCustomer(engine, models, params, namesParameters, customer, undefined, context);
  return { ...assigned, prediction: assigned.model ? { ...assigned.prediction, point: onMap.point } : onMap };
}
