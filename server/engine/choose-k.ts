/**
 * Which k a view shows: decided here once for the Clusters page, its regions and the API.
 * The k asked for; none for DBSCAN, which finds its own; otherwise the sweep's recommended
 * k, and until the sweep is known (a first view answers before it) a provisional one.
 */
import type { SegmentationOptions } from '../analysis/options.ts';

/** Before the sweep has settled the recommended k, a first view fits this one. */
export const PROVISIONAL_K = 4;

/**
 * DBSCAN's fit takes no k, but a fit's options carry one (the cache key and the saved
 * pipeline's options): this stands in for it.
 */
export const DBSCAN_OPTIONS_K = 2;

type KParams = Pick<SegmentationOptions, 'k' | 'algorithm' | 'kMin' | 'kMax'>;

/** Whether the k shown waits on the sweep's recommendation. */
export const needsRecommendation = (params: KParams): boolean => params.k === null && params.algorithm !== 'dbscan';

/** The k to show; `recommendedK` undefined while no sweep is at hand (then the provisional k). */
export function chooseK(params: KParams, recommendedK: number | undefined): number | null {
  if (params.algorithm === 'dbscan') return null;
  if (params.k !== null) return params.k;
  return recommendedK ?? Math.min(params.kMax, Math.max(params.kMin, PROVISIONAL_K));
}
