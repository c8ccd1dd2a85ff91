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

interface DatasetKeys {
  datasetId: number;
  identity: string;
  version: string;
}

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

  /**
   * Cache keys of a dataset, read once per call: `identity` names the dataset across its
   * versions (with its creation time, because SQLite gives a new dataset the id of a deleted
   * one), `version` adds the version, so a changed dataset never reads stale results.
   */
  private keysOf(datasetId: number): DatasetKeys {
    const { version, createdAt } = datasetVersion(this.db, datasetId);
    const identity = `${datasetId}#${createdAt}`;
    return { datasetId, identity, version: `${identity}@${version}` };
  }

  table(datasetId: number): DataTable {
    return this.tableOf(this.keysOf(datasetId));
  }

  private tableOf(keys: DatasetKeys): DataTable {
    return this.tables.getOrCompute(keys.version, () => {
      // A new version after registrations: read only the appended rows onto the last table.
      const latest = this.latestTables.get(String(keys.datasetId));
      const table = loadDataTable(this.db, keys.datasetId, latest?.identity === keys.identity ? latest.table : undefined);
      this.latestTables.set(String(keys.datasetId), { identity: keys.identity, table });
      return table;
    });
  }

  /** The Overview tab's statistics, once per dataset version and outlier rule. */
  overview(datasetId: number, outlierRule: 'iqr' | 'zscore'): DatasetOverview {
    const keys = this.keysOf(datasetId);
    return this.overviews.getOrCompute(`${keys.version}|${outlierRule}`, () => datasetOverview(this.tableOf(keys), outlierRule));
  }

  private prepare(keys: DatasetKeys, params: SegmentationParams): PreparedData {
    return this.prepared.getOrCompute(`${keys.version}|${preprocessKey(params)}`, () => prepare(this.tableOf(keys), params));
  }

  async sweep(requested: SegmentationParams, context: RunContext = {}): Promise<SweepResult> {
    const params = this.withSettings(requested);
    const keys = this.keysOf(params.datasetId);
    const key = `${keys.version}|${sweepKey(params)}`;
    const cached = this.sweeps.get(key);
    if (cached) return cached;
    // Customers registered since the last sweep do not move the curves enough to wait for a
    // new sweep: the previous one serves until a refit.
    const latestKey = `${keys.identity}|${sweepKey(params)}`;
    const previous = this.latestSweeps.get(latestKey);
    if (previous) {
      this.sweeps.set(key, previous);
      return previous;
    }
    const pool = this.settings.pool;
    const sweep = pool
      ? await pool.run<SweepResult>({ kind: 'sweep', tableKey: keys.version, table: this.tableOf(keys), options: params }, key, context)
      : runSweep(this.prepare(keys, params), params);
    this.sweeps.set(key, sweep);
    this.latestSweeps.set(latestKey, sweep);
    return sweep;
  }

  async segment(requested: SegmentationParams, context: RunContext = {}): Promise<SegmentationResult> {
    const params = this.withSettings(requested);
    const k = params.k ?? (params.algorithm === 'dbscan' ? 2 : (await this.sweep(params, context)).recommendedK);
    const resolved = { ...params, k };
    const keys = this.keysOf(params.datasetId);
    const key = `${keys.version}|${JSON.stringify(resolved)}`;
    const cached = this.results.get(key);
    if (cached) return cached;
    const latestKey = `${keys.identity}|${JSON.stringify(resolved)}`;
    const table = this.tableOf(keys);
    const previous = this.latestFits.get(latestKey);
    const pool = this.settings.pool;
    let result: SegmentationResult;
    if (previous && previous.rowCount < table.rowCount) {
      // Rows are only ever appended (registrations): assign the new ones with the fit. On a
      // big dataset that is seconds of work, so it runs in the worker like a fit.
      result = pool
        ? await pool.run<SegmentationResult>({ kind: 'extend', tableKey: keys.version, table, previous }, key, context)
        : extendSegmentation(previous, table);
    } else {
      result = pool
        ? await pool.run<SegmentationResult>({ kind: 'segment', tableKey: keys.version, table, options: resolved }, key, context)
        : segment(table, this.prepare(keys, params), resolved);
    }
    result = this.shareParts(`${keys.version}|${preprocessKey(params)}`, result);
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
    const keys = this.keysOf(datasetId);
    const table = this.tableOf(keys);
    const pool = this.settings.pool;
    if (!pool) return runTableTask(table, task) as T;
    return pool.run<T>({ kind: 'table', tableKey: keys.version, table, task }, `table-task|${++this.tableTasks}`);
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
