/**
 * Runs the analysis for the web layer and caches by (dataset version, params): a dataset's
 * columns are loaded once per version, the matrix and the k sweep once per preprocessing,
 * and each full result once per parameter set.
 */
import { sweepKey, preprocessKey, type SegmentationOptions } from '../analysis/options.ts';
import { prepare, runSweep, segment, type PreparedData, type SegmentationResult } from '../analysis/pipeline.ts';
import { predictCustomer, type Prediction } from '../analysis/predict.ts';
import type { CustomerInput } from '../analysis/preprocess.ts';
import type { SweepResult } from '../analysis/sweep.ts';
import type { DataTable } from '../analysis/table.ts';
import type { Db } from '../store/db.ts';
import { getDataset, loadDataTable } from '../store/datasets.ts';
import { LruCache } from './lru.ts';

export interface SegmentationParams extends SegmentationOptions {
  datasetId: number;
}

export interface EngineSettings {
  /** Ward fits on a seeded sample above this many rows (its memory is O(n^2)). */
  agglomerativeMaxRows?: number;
}

export interface EngineStats {
  segmentRuns: number;
  sweepRuns: number;
}

export class Engine {
  private readonly tables = new LruCache<DataTable>(4);
  private readonly prepared = new LruCache<PreparedData>(16);
  private readonly sweeps = new LruCache<SweepResult>(32);
  private readonly results = new LruCache<SegmentationResult>(64);
  readonly stats: EngineStats = { segmentRuns: 0, sweepRuns: 0 };

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
    return `${datasetId}@${getDataset(this.db, datasetId).version}`;
  }

  table(datasetId: number): DataTable {
    return this.tables.getOrCompute(this.versionKey(datasetId), () => loadDataTable(this.db, datasetId));
  }

  private prepare(params: SegmentationParams): PreparedData {
    const key = `${this.versionKey(params.datasetId)}|${preprocessKey(params)}`;
    return this.prepared.getOrCompute(key, () => prepare(this.table(params.datasetId), params));
  }

  async sweep(requested: SegmentationParams): Promise<SweepResult> {
    const params = this.withSettings(requested);
    const key = `${this.versionKey(params.datasetId)}|${sweepKey(params)}`;
    return this.sweeps.getOrCompute(key, () => {
      this.stats.sweepRuns++;
      return runSweep(this.prepare(params), params);
    });
  }

  async segment(requested: SegmentationParams): Promise<SegmentationResult> {
    const params = this.withSettings(requested);
    const k = params.k ?? (params.algorithm === 'dbscan' ? 2 : (await this.sweep(params)).recommendedK);
    const resolved = { ...params, k };
    const key = `${this.versionKey(params.datasetId)}|${JSON.stringify(resolved)}`;
    return this.results.getOrCompute(key, () => {
      this.stats.segmentRuns++;
      return segment(this.table(params.datasetId), this.prepare(params), resolved);
    });
  }

  async predict(params: SegmentationParams, customer: CustomerInput): Promise<{ result: SegmentationResult; prediction: Prediction }> {
    const result = await this.segment(params);
    return { result, prediction: predictCustomer(result.pipeline, customer) };
  }
}
