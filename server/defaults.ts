/**
 * Every default and limit more than one layer reads (config, analysis, engine, views), each
 * answered here once. A leaf: it imports nothing, so anything may import it.
 */

/** The seed of every seeded choice (k-means++ starts, samples), so that a view repeats. */
export const SEED = 42;
/** k-means and Gaussian-mixture restarts; the best by inertia (log-likelihood) is kept. */
export const N_INIT = 10;

/**
 * What decides a segmentation when the request leaves it out (DESIGN.md). `k: null` means the
 * recommended k; the smallest segment the recommendation may pick is `minShare` of the
 * customers: the silhouette rewards splitting off a handful of outliers, and nobody runs a
 * campaign for six people.
 */
export const SEGMENTATION_DEFAULTS = {
  k: null,
  algorithm: 'kmeans',
  scaling: 'standard',
  missing: 'mean',
  outliers: 'iqr-clip',
  seed: SEED,
  eps: null,
  minPts: 5,
  nInit: N_INIT,
  batchSize: 1024,
  iterations: 100,
  kMin: 2,
  kMax: 10,
  minShare: 0.02,
  agglomerativeMaxRows: 5000,
} as const;

/** Ward's memory is O(n²): no fit, sample or setting may ask for more rows than this. */
export const WARD_MAX_ROWS = 20_000;

/** Before the sweep has settled the recommended k, a first view fits this one. */
export const PROVISIONAL_K = 4;
/**
 * DBSCAN's fit takes no k, but a fit's options carry one (the cache key and the saved
 * pipeline's options): this stands in for it.
 */
export const DBSCAN_OPTIONS_K = 2;

/**
 * The longest one analysis may run (ANALYSIS_TIMEOUT_SECONDS). A million customers' first
 * sweep takes about a minute on two cores: the limit leaves room for it.
 */
export const TASK_TIMEOUT_MS = 120_000;
/** More analyses waiting than this are refused (503) rather than left to pile up. */
export const MAX_QUEUED_TASKS = 64;

/**
 * Rows of a warehouse source the dashboard works on (SOURCE_SAMPLE_ROWS): the engine draws
 * them, seeded; a million customers fit and sweep on two cores within the analysis timeout.
 */
export const SOURCE_SAMPLE_ROWS = 1_000_000;

/** The largest upload (MAX_UPLOAD_MB). */
export const MAX_UPLOAD_BYTES = 200_000_000;

/** When a saved segmentation is refitted on its own. */
export interface RetrainPolicy {
  /** Refit once this many customers arrived since the last fit. */
  afterCustomers: number;
  /** Or once this many minutes passed with new customers. */
  afterMinutes: number;
}

export const RETRAIN_POLICY: Readonly<RetrainPolicy> = { afterCustomers: 500, afterMinutes: 60 };
