import type { Matrix } from '../matrix.ts';

export const ALGORITHMS = ['kmeans', 'minibatch', 'agglomerative', 'dbscan', 'gmm'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Label of DBSCAN noise points. */
export const NOISE = -1;

export interface ClusterFit {
  /** Segment per row, 0..k-1, or NOISE. */
  labels: Int32Array;
  /** One row per segment, in the transformed feature space. */
  centroids: Matrix;
  iterations?: number;
  /** Things the user should know about how this fit was made (sampling, noise...). */
  notes: string[];
}

export function assertUnreachable(value: never, what: string): never {
  throw new Error(`unknown ${what}: ${String(value)}`);
}
