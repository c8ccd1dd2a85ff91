/**
 * Runs the analysis for the web layer and caches by (dataset version, params). The data
 * itself lives where the work runs (a worker, or a TaskRunner here without one): this side
 * keeps results, the k sweeps and small per-version facts, never a table.
 */
import { cacheKey, type CacheKey } from '../cache-key.ts';
import { optionsKey, preprocessKey, sweepKey, type SegmentationOptions } from '../segmentation/options.ts';
import { lacksRowIndex, type SegmentationResult } from '../segmentation/pipeline.ts';
import { predictCustomer, type Prediction } from '../segmentation/predict.ts';
import type { CustomerInput } from '../analysis/transform.ts';
import type { DatasetOverview, FeatureRange } from '../analysis/summary.ts';
import type { StabilityResult } from '../analysis/stability.ts';
import type { SweepResult } from '../segmentation/sweep.ts';
import type { TableTask } from '../segmentation/model-ops.ts';
import type { Db } from '../store/db.ts';
import { datasetVersion } from '../store/datasets.ts';
import { VersionedCache } from './versioned-cache.ts';
import type { RunContext, WorkerPool } from './pool.ts';
import type { TableSource } from './tables.ts';
import { TaskRunner, type AnalysisTask } from './tasks.ts';
import { shownSegmentation } from './shown.ts';
import { kFrom, needsRecommendation, type ResolvedK } from './choose-k.ts';

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

/** One dataset version as cache keys and as a table source for the work. */
type DatasetKeys = TableSource;

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Every cache of the engine, each by (dataset version, what it was computed from) with a
 * typed key (versioned-cache.ts): the newest of any version serves registrations.
 */
class EngineCaches {
  readonly overviews = new VersionedCache<DatasetOverview>(8);
  /** Registrations check values against the newest ranges without waiting. */
  readonly ranges = new VersionedCache<FeatureRange[]>(8);
  readonly sweeps = new VersionedCache<SweepResult>(32);
  /** The newest fit per params whatever the version: registrations extend it. */
  readonly fits = new VersionedCache<SegmentationResult>(64, byRows);
  /**
   * One copy of what every k shares, the labelled rows, per dataset version and
   * preprocessing: results arriving from a worker are separate copies of it, or leave it out.
   */
  readonly rowIndexes = new VersionedCache<Int32Array>(8);
  readonly stabilities = new VersionedCache<StabilityResult>(64);
  /** Callers that shared one worker run get one result object. */
  readonly canonical = new WeakMap<SegmentationResult, SegmentationResult>();
}

export class Engine {
  private readonly caches = new EngineCaches();
  /** Without a worker pool (tests, WORKERS=0) the work runs here, on the request thread. */
  private readonly local: TaskRunner | undefined;

  constructor(
    private readonly db: Db,
    private readonly settings: EngineSettings = {},
  ) {
    // Workers open the database file themselves: an in-memory database has none to open.
    if (settings.pool && db.memory)
      throw new Error('Analysis workers read the database file: open a file database, or run without a worker pool.');
    this.local = settings.pool ? undefined : new TaskRunner();
  }

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
    const { version, createdAt, rowCount } = datasetVersion(this.db, datasetId);
    const identity = `${datasetId}#${createdAt}`;
    return { datasetId, identity, version: `${identity}@${version}`, rowCount };
  }

  /** Runs a task in the pool, or here without one. Tasks with the same key share one run. */
  private async run<T>(task: AnalysisTask, key: string, context: RunContext = {}): Promise<T> {
    const pool = this.settings.pool;
    // The curves over k and the stability check fill their own region: a fit waits for neither.
    if (pool)
      return pool.run<T>(
        { ...task, dbPath: this.db.name },
        key,
        context,
        task.kind === 'sweep' || task.kind === 'stability' || task.kind === 'score-sweep',
      );
    return this.local!.run(this.db, task) as T;
  }

  /**
   * Work nobody waits for. In a worker it queues behind everything asked for; without one it
   * runs after the current request has been answered (on this thread it still holds up the
   * next request until it ends: tests and WORKERS=0 only).
   */
  private runUnawaited(task: AnalysisTask, key: string): void {
    if (this.settings.pool) {
      this.run<unknown>(task, key).catch(() => {});
      return;
    }
    setImmediate(() => {
      try {
        this.local!.run(this.db, task);
      } catch {
        // Only a head start for later requests: they do the work themselves if it failed.
      }
    });
  }

  /** The Overview tab's statistics, once per dataset version and outlier rule. */
  async overview(datasetId: number, outlierRule: 'iqr' | 'zscore', context: RunContext = {}): Promise<DatasetOverview> {
    const source = this.keysOf(datasetId);
    const cached = this.caches.overviews.get(source, outlierRule);
    if (cached) return cached;
    const key = this.caches.overviews.key(source, 'overview', outlierRule);
    const overview = await this.run<DatasetOverview>({ kind: 'overview', source, outlierRule }, key, context);
    this.caches.overviews.set(source, [outlierRule], overview);
    return overview;
  }

  /**
   * Range, median and levels of every analysis column, once per version. `latest` accepts
   * those of an earlier version of the same dataset: registrations only need plausible
   * bounds, and each registration makes a new version.
   */
  async columnRanges(datasetId: number, options: { latest?: boolean; context?: RunContext } = {}): Promise<FeatureRange[]> {
    const source = this.keysOf(datasetId);
    const cached = options.latest ? this.caches.ranges.newest(source) : this.caches.ranges.get(source);
    if (cached) return cached;
    const ranges = await this.run<FeatureRange[]>({ kind: 'ranges', source }, this.caches.ranges.key(source, 'ranges'), options.context);
    this.caches.ranges.set(source, [], ranges);
    return ranges;
  }

  /** The sweep for these params if one is at hand (this version's, or the last one's), without waiting. */
  cachedSweep(requested: SegmentationParams): SweepResult | undefined {
    const params = this.withSettings(requested);
    return this.caches.sweeps.newest(this.keysOf(params.datasetId), sweepKey(params));
  }

  async sweep(requested: SegmentationParams, context: RunContext = {}): Promise<SweepResult> {
    const params = this.withSettings(requested);
    const keys = this.keysOf(params.datasetId);
    // Customers registered since the last sweep do not move the curves enough to wait for a
    // new sweep: the previous one serves until a refit.
    const cached = this.caches.sweeps.newest(keys, sweepKey(params));
    if (cached) return cached;
    const key = this.caches.sweeps.key(keys, 'sweep', sweepKey(params));
    const sweep = await this.run<SweepResult>({ kind: 'sweep', source: keys, options: params }, key, context);
    this.caches.sweeps.set(keys, [sweepKey(params)], sweep);
    // Nobody waits for this: the exact scores of every swept k, for later moves of the slider.
    this.runUnawaited(
      { kind: 'score-sweep', source: keys, options: params },
      this.caches.sweeps.key(keys, 'score-sweep', sweepKey(params)),
    );
    return sweep;
  }

  /**
   * Starts the curves for these params (k: the one shown) when a worker runs them and none are
   * at hand, without waiting: a page showing a fit asks for them next, and the sweep scores the
   * shown k's neighbours first, what the slider is moved to. Started now rather than when that
   * request arrives (a round trip later, tens of ms on a million customers), the request then
   * shares this run. Without a worker the work would hold up the request thread: not started.
   */
  startSweep(params: SegmentationParams & { k: number }): void {
    if (this.settings.pool) this.sweep(params).catch(() => {});
  }

  /**
   * The k these params show, decided here for the page, its regions and the API (choose-k.ts),
   * with the sweep at hand. `waitForSweep: false`: a first page answers with a provisional k
   * rather than wait for the curves, and with the sweep only if one is cached.
   */
  async resolveK(
    requested: SegmentationParams,
    options: { waitForSweep: boolean; context?: RunContext },
  ): Promise<ResolvedK & { sweep?: SweepResult }> {
    const params = this.withSettings(requested);
    const wait = options.waitForSweep && needsRecommendation(params);
    const sweep = wait ? await this.sweep(params, options.context) : this.cachedSweep(params);
    return { ...kFrom(params, sweep?.recommendedK), sweep };
  }

  async segment(requested: SegmentationParams, context: RunContext = {}): Promise<SegmentationResult> {
    const params = this.withSettings(requested);
    const { k } = await this.resolveK(params, { waitForSweep: true, context });
    const resolved = { ...params, k };
    const keys = this.keysOf(params.datasetId);
    const fitKey = optionsKey(resolved);
    const cached = this.caches.fits.get(keys, params.datasetId, fitKey);
    if (cached) return cached;
    const key = this.caches.fits.key(keys, 'segment', params.datasetId, fitKey);
    const previous = this.caches.fits.newest(keys, params.datasetId, fitKey);
    // Rows are only ever appended (registrations): the new ones are assigned with the fit,
    // which on a big dataset is seconds of work, so it runs where fits run.
    const rowIndexKey = preprocessKey(params);
    let result: SegmentationResult;
    if (previous && previous.rowCount < keys.rowCount) {
      result = await this.run<SegmentationResult>({ kind: 'extend', source: keys, previous }, key, context);
    } else {
      // A worker leaves out what this side already holds for the preprocessing: the
      // labelled rows, 4 MB a message on a million customers.
      const omitRowIndex = this.settings.pool !== undefined && this.caches.rowIndexes.get(keys, rowIndexKey) !== undefined;
      result = await this.run<SegmentationResult>({ kind: 'segment', source: keys, options: resolved, omitRowIndex }, key, context);
      if (lacksRowIndex(result) && !this.caches.rowIndexes.get(keys, rowIndexKey)) {
        // Evicted while the fit ran: ask for the whole result.
        result = await this.run<SegmentationResult>({ kind: 'segment', source: keys, options: resolved }, cacheKey(key, 'whole'), context);
      }
    }
    result = this.withKnownRowIndex(keys, rowIndexKey, result);
    this.caches.fits.set(keys, [params.datasetId, fitKey], result);
    return result;
  }

  /**
   * The segmentation these params describe as every surface shows it: the fit, with the
   * names and playbooks of the saved segmentation made with the same options (engine/shown.ts).
   */
  async shown(params: SegmentationParams, context: RunContext = {}): Promise<SegmentationResult> {
    return shownSegmentation(this.db, params.datasetId, await this.segment(params, context));
  }

  /**
   * Bootstrap stability of a result's fit: asked for on its own, after the fit, because it
   * costs several refits and no chart of the first view waits for it.
   */
  async stability(datasetId: number, result: SegmentationResult, context: RunContext = {}): Promise<StabilityResult> {
    const keys = this.keysOf(datasetId);
    const cached = this.cachedStability(datasetId, result);
    if (cached) return cached;
    const options = optionsKey(result.options);
    const stability = await this.run<StabilityResult>(
      { kind: 'stability', source: keys, options: result.options },
      this.caches.stabilities.key(keys, 'stability', options),
      context,
    );
    this.caches.stabilities.set(keys, [options], stability);
    return stability;
  }

  /**
   * A result's stability if already known, without waiting. Customers registered since the
   * last check do not move it enough to refit on resamples again: that one serves until a refit.
   */
  cachedStability(datasetId: number, result: SegmentationResult): StabilityResult | undefined {
    return this.caches.stabilities.newest(this.keysOf(datasetId), optionsKey(result.options));
  }

  private withKnownRowIndex(keys: DatasetKeys, rowIndexKey: CacheKey, result: SegmentationResult): SegmentationResult {
    const canonical = this.caches.canonical.get(result);
    if (canonical) return canonical;
    let out = result;
    const known = this.caches.rowIndexes.get(keys, rowIndexKey);
    if (known && (lacksRowIndex(result) || sameRows(known, result.rowIndex))) {
      out = { ...result, rowIndex: known };
    } else {
      this.caches.rowIndexes.set(keys, [rowIndexKey], result.rowIndex);
    }
    this.caches.canonical.set(result, out);
    return out;
  }

  private tableTasks = 0;

  /** Table-wide work for saved segmentations (see model-ops.ts), where the data is. */
  async onTable<T>(datasetId: number, task: TableTask): Promise<T> {
    return this.run<T>({ kind: 'table', source: this.keysOf(datasetId), task }, cacheKey('table-task', ++this.tableTasks));
  }

  /** Drops cached fits (the sweep and matrices stay): benchmarks time honest re-runs with it. */
  clearResults(): void {
    this.caches.fits.clear();
  }

  /** `datasetColumns`: a whole record is welcome, its fields beyond the features ignored. */
  async predict(
    params: SegmentationParams,
    customer: CustomerInput,
    context: RunContext = {},
    datasetColumns?: readonly string[],
  ): Promise<{ result: SegmentationResult; prediction: Prediction }> {
    const result = await this.shown(params, context);
    return { result, prediction: predictCustomer(result.pipeline, customer, datasetColumns) };
  }
}
