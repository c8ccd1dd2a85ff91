/** Everything that decides a segmentation, with the defaults DESIGN.md promises. */
import { cacheKey, type CacheKey } from '../cache-key.ts';
import { SEGMENTATION_DEFAULTS } from '../defaults.ts';
import type { Algorithm } from '../analysis/cluster/types.ts';
import type { MissingStrategy, OutlierRule, ScalingMethod } from '../analysis/preprocess.ts';

export interface SegmentationOptions {
  /** null: use the recommended k from the sweep. */
  k: number | null;
  features: string[];
  algorithm: Algorithm;
  scaling: ScalingMethod;
  missing: MissingStrategy;
  outliers: OutlierRule;
  seed: number;
  /** DBSCAN radius in the scaled space; null: suggested from the k-distance curve. */
  eps: number | null;
  minPts: number;
  nInit: number;
  batchSize: number;
  iterations: number;
  kMin: number;
  kMax: number;
  /** The smallest segment share (0–1) the recommended k may have. */
  minShare: number;
  agglomerativeMaxRows: number;
}

export const DEFAULT_OPTIONS: Omit<SegmentationOptions, 'features'> = SEGMENTATION_DEFAULTS;

/** The options that shape the transformed matrix, and so the sweep: a cache key for both. */
export function preprocessKey(o: Pick<SegmentationOptions, 'features' | 'scaling' | 'missing' | 'outliers'>): CacheKey {
  return cacheKey(o.features, o.scaling, o.missing, o.outliers);
}

export function sweepKey(o: SegmentationOptions): CacheKey {
  const algorithm = o.algorithm === 'dbscan' ? 'kmeans' : o.algorithm;
  return cacheKey(
    preprocessKey(o),
    algorithm,
    o.seed,
    o.nInit,
    o.batchSize,
    o.iterations,
    o.kMin,
    o.kMax,
    o.minShare,
    o.agglomerativeMaxRows,
  );
}

/** Every option, in one fixed order: a fit's key, and how a saved segmentation's options are matched. */
export const OPTION_FIELDS = [
  'k',
  'features',
  'algorithm',
  'scaling',
  'missing',
  'outliers',
  'seed',
  'eps',
  'minPts',
  'nInit',
  'batchSize',
  'iterations',
  'kMin',
  'kMax',
  'minShare',
  'agglomerativeMaxRows',
] as const satisfies readonly (keyof SegmentationOptions)[];
// A field added to SegmentationOptions and forgotten above is a type error here.
const everyField: Record<Exclude<keyof SegmentationOptions, (typeof OPTION_FIELDS)[number]>, never> = {};
void everyField;

export function optionsKey(o: Partial<SegmentationOptions>): CacheKey {
  return cacheKey(...OPTION_FIELDS.map((field) => o[field]));
}
