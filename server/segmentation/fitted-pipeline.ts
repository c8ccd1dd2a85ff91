/**
 * The fitted pipeline's shape: everything needed to segment a new customer exactly as the
 * training rows were, as one plain object that survives JSON (predict.ts applies it).
 */
import type { GmmParameters } from '../analysis/cluster/gmm.ts';
import type { SegmentationOptions } from './options.ts';
import type { FittedPca } from '../analysis/pca.ts';
import type { FittedPreprocessor } from '../analysis/preprocess.ts';
import type { AssigningRules } from './rule-types.ts';

export const PIPELINE_FORMAT = 1;

export interface FittedPipeline {
  format: typeof PIPELINE_FORMAT;
  options: SegmentationOptions & { k: number };
  preprocessor: FittedPreprocessor;
  /** One row per segment in the transformed space. */
  centroids: number[][];
  segmentNames: string[];
  /** The marketing action for each segment, as its users wrote it ('' for none); absent in older exports. */
  segmentPlaybooks?: string[];
  dbscan?: { eps: number; corePoints: number[][]; coreLabels: number[] };
  /** A Gaussian mixture's weights and diagonal variances (centroids are its means). */
  gmm?: GmmParameters;
  pca: FittedPca;
  /** Rules adopted as the assignment ("use the rules"): then they, not the centres, place customers. */
  rules?: AssigningRules;
}

/** The features a pipeline segments on, numeric first, as its steps name them. */
export function pipelineFeatures(pipeline: Pick<FittedPipeline, 'preprocessor'>): string[] {
  return [...pipeline.preprocessor.numeric, ...pipeline.preprocessor.categorical].map((s) => s.name);
}
