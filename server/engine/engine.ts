/**
 * Runs the analysis for the web layer and caches by (dataset version, params): a dataset's
 * columns are loaded once per version, the matrix and the k sweep once per preprocessing,
 * and each full result once per parameter set.
 */
import { sweepKey, preprocessKey, type SegmentationOptions } from '../analysis/options.ts';
import { extendSegmentation, prepare, runSweep, segment, type PreparedData, type SegmentationResult } from '../analysis/pipeline.ts';
import { predictCustomer, type Prediction } from '../analysis/predict.ts';
import type { CustomerInput } from '../analysis/preprocess.ts';
import type { SweepResult } from '../analysis/sweep.ts';
import type { DataTable } from '../analysis/table.ts';
import { datasetOverview, type DatasetOverview } from '../analysis/summary.ts';
import type { Db } from '../store/db.ts';
import { datasetVersion, loadDataTable } from '../store/datasets.ts';
import { runTableTask, type TableTask } from '../analysis/model-ops.ts';
import { LruCache } from './lru.ts';
import type { RunContext, WorkerPool } from './pool.ts';

export interface SegmentationParams extends SegmentationOptions {
  datasetId: number;
}

export interface EngineSettings {
  /** Ward fits on a seeded sample above this many rows (its memory is O(n^2)). */
  agglomerativeMaxRows?: number;
  /** Run fits and sweeps in these worker threads instead of on the request thread. */
  pool?: WorkerPool;
}

/**
 * Cached results hold a label per customer: together at most this many labelled rows
 * (a handful of results on a million customers, hundreds on the sample).
 */
export const RESULT_CACHE_ROWS = 4_000_000;
const byRows = { maxWeight: RESULT_CACHE_ROWS, weigh: (r: SegmentationResult) => r.labels.length };

function sameRows(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Engine {
  /** Loaded tables by version, at most about three million rows of them. */
  private readonly tables = new LruCache<DataTable>(4, { maxWeight: 3_000_000, weigh: (t) => t.rowCount });
  /** The last table loaded per dataset, which the next version extends. */
  private readonly latestTables = new LruCache<{ identity: string; table: DataTable }>(8, { maxWeight: 3_000_000, weigh: (t) => t.table.rowCount });
  private readonly prepared = new LruCache<PreparedData>(16);
  private readonly overviews = new LruCache<DatasetOverview>(8);
  private readonly sweeps = new LruCache<SweepResult>(32);
  private readonly results = new LruCache<SegmentationResult>(64, byRows);
  /** The newest fit per (dataset, params) whatever the version: registrations extend it. */
  private readonly latestFits = new LruCache<SegmentationResult>(64, byRows);
  /**
   * One copy of what every k shares (the PCA projection, the labelled rows) per dataset
   * version and preprocessing: results arriving from a worker are separate copies of it.
   */
  private readonly sharedParts = new LruCache<Pick<SegmentationResult, 'pca' | 'rowIndex'>>(8);
  private readonly latestSweeps = new LruCache<SweepResult>(32);

  constructor(
    private readonly db: Db,
    private readonly settings: EngineSettings = {},
  ) {}

  /** Server-wide settings win over request params: they bound the work one request can ask for. */
  private withSettings(params: SegmentationParams): SegmentationParams {
    return this.settings.agglomerativeMaxRows ? { ...params, agglomerativeMaxRows: this.settings.agglomerativeMaxRows } : params;
  }

  /** The dataset's version is part of every key, so a changed dataset never reads stale results. */
  private versionKey(datasetId: number): string {
    const { version, createdAt } = datasetVersion(this.db, datasetId);
    return `${datasetId}#${createdAt}@${version}`;
  }

  /** The dataset across its versions (a re-created dataset with a reused id is another one). */
  private identityKey(datasetId: number): string {
    return `${datasetId}#${datasetVersion(this.db, datasetId).createdAt}`;
  }

  table(datasetId: number): DataTable {
    return this.tables.getOrCompute(this.versionKey(datasetId), () => {
      // A new version after registrations: read only the appended rows onto the last table.
      const identity = this.identityKey(datasetId);
      const latest = this.latestTables.get(String(datasetId));
      const table = loadDataTable(this.db, datasetId, latest?.identity === identity ? latest.table : undefined);
      this.latestTables.set(String(datasetId), { identity, table });
      return table;
    });
  }

  /** The Overview tab's statistics, once per dataset version and outlier rule. */
  overview(datasetId: number, outlierRule: 'iqr' | 'zscore'): DatasetOverview {
    return this.overviews.getOrCompute(`${this.versionKey(datasetId)}|${outlierRule}`, () => datasetOverview(this.table(datasetId), outlierRule));
  }

  private prepare(params: SegmentationParams): PreparedData {
    const key = `${this.versionKey(params.datasetId)}|${preprocessKey(params)}`;
    return this.prepared.getOrCompute(key, () => prepare(this.table(params.datasetId), params));
  }

  async sweep(requested: SegmentationParams, context: RunContext = {}): Promise<SweepResult> {
    const params = this.withSettings(requested);
    const key = `${this.versionKey(params.datasetId)}|${sweepKey(params)}`;
    const cached = this.sweeps.get(key);
    if (cached) return cached;
    // Customers registered since the last sweep do not move the curves enough to wait for a
    // new sweep: the previous one serves until a refit.
    const latestKey = `${this.identityKey(params.datasetId)}|${sweepKey(params)}`;
    const previous = this.latestSweeps.get(latestKey);
    if (previous) {
      this.sweeps.set(key, previous);
      return previous;
    }
    const pool = this.settings.pool;
    const tableKey = this.versionKey(params.datasetId);
    const sweep = pool
      ? await pool.run<SweepResult>({ kind: 'sweep', tableKey, table: this.table(params.datasetId), options: params }, key, context)
      : runSweep(this.prepare(params), params);
    this.sweeps.set(key, sweep);
    this.latestSweeps.set(latestKey, sweep);
    return sweep;
  }

  async segment(requested: SegmentationParams, context: RunContext = {}): Promise<SegmentationResult> {
    const params = this.withSettings(requested);
    const k = params.k ?? (params.algorithm === 'dbscan' ? 2 : (await this.sweep(params, context)).recommendedK);
    const resolved = { ...params, k };
    const key = `${this.versionKey(params.datasetId)}|${JSON.stringify(resolved)}`;
    const cached = this.results.get(key);
    if (cached) return cached;
    const latestKey = `${this.identityKey(params.datasetId)}|${JSON.stringify(resolved)}`;
    const table = this.table(params.datasetId);
    const previous = this.latestFits.get(latestKey);
    let result: SegmentationResult;
    if (previous && previous.rowCount < table.rowCount) {
      // Rows are only ever appended (registrations): assign the new ones with the fit. On a
      // big dataset that is seconds of work, so it runs in the worker like a fit.
      const pool = this.settings.pool;
      result = pool
        ? await pool.run<SegmentationResult>({ kind: 'extend', tableKey: this.versionKey(params.datasetId), table, previous }, key, context)
        : extendSegmentation(previous, table);
    } else {
      const pool = this.settings.pool;
      result = pool
        ? await pool.run<SegmentationResult>({ kind: 'segment', tableKey: this.versionKey(params.datasetId), table, options: resolved }, key, context)
        : segment(table, this.prepare(params), resolved);
    }
    result = this.shareParts(`${this.versionKey(params.datasetId)}|${preprocessKey(params)}`, result);
    this.results.set(key, result);
    this.latestFits.set(latestKey, result);
    return result;
  }

  /** Callers that shared one worker run get one result object. */
  private readonly canonical = new WeakMap<SegmentationResult, SegmentationResult>();

  private shareParts(key: string, result: SegmentationResult): SegmentationResult {
    const known = this.canonical.get(result);
    if (known) return known;
    let out = result;
    const shared = this.sharedParts.get(key);
    if (shared && shared.rowIndex.length === result.rowIndex.length && sameRows(shared.rowIndex, result.rowIndex)) {
      out = { ...result, pca: { ...result.pca, points: shared.pca.points }, rowIndex: shared.rowIndex };
    } else {
      this.sharedParts.set(key, { pca: result.pca, rowIndex: result.rowIndex });
    }
    this.canonical.set(result, out);
    return out;
  }

  private tableTasks = 0;

  /** Table-wide work for saved segmentations (see model-ops.ts), in the worker when there is one. */
  async onTable<T>(datasetId: number, task: TableTask): Promise<T> {
    const table = this.table(datasetId);
    const pool = this.settings.pool;
    if (!pool) return runTableTask(table, task) as T;
    return pool.run<T>({ kind: 'table', tableKey: this.versionKey(datasetId), table, task }, `table-task|${++this.tableTasks}`);
  }

  /** Drops cached fits (the sweep and matrices stay): benchmarks time honest re-runs with it. */
  clearResults(): void {
    this.results.clear();
    this.latestFits.clear();
  }

  async predict(params: SegmentationParams, customer: CustomerInput, context: RunContext = {}): Promise<{ result: SegmentationResult; prediction: Prediction }> {
    const result = await this.segment(params, context);
    return { result, prediction: predictCustomer(result.pipeline, customer) };
  }
}
