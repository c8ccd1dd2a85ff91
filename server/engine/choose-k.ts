/**
 * Which k a view shows, the one answer the engine's `resolveK` gives the Clusters page, its
 * regions and the API: the k asked for; for DBSCAN, which finds its own, a stand-in the fit's
 * options carry; otherwise the sweep's recommended k, and until the sweep is known (a first
 * view answers before it) a provisional one.
 */
import type { SegmentationOptions } from '../segmentation/options.ts';
import { DBSCAN_OPTIONS_K, PROVISIONAL_K } from '../defaults.ts';

type KParams = Pick<SegmentationOptions, 'k' | 'algorithm' | 'kMin' | 'kMax'>;

export interface ResolvedK {
  k: number;
  /** The sweep has not settled the recommended k yet: this k will be replaced. */
  provisional: boolean;
}

/** Whether the k shown waits on the sweep's recommendation. */
export const needsRecommendation = (params: KParams): boolean => params.k === null && params.algorithm !== 'dbscan';

/** The k to show; `recommendedK` undefined while no sweep is at hand (then the provisional k). */
export function kFrom(params: KParams, recommendedK: number | undefined): ResolvedK {
  if (params.algorithm === 'dbscan') return { k: DBSCAN_OPTIONS_K, provisional: false };
  if (params.k !== null) return { k: params.k, provisional: false };
  if (recommendedK !== undefined) return { k: recommendedK, provisional: false };
  return { k: Math.min(params.kMax, Math.max(params.kMin, PROVISIONAL_K)), provisional: true };
}
