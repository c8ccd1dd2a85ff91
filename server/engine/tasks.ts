/**
 * The analysis work on a dataset, as one task type, run where the data is: in a worker
 * thread (worker.ts) or, without one, on the request thread by the engine. Whoever runs it
 * keeps the loaded tables and prepared matrices, so the request thread holds no table.
 */
import { cacheKey, keyStartsWith } from '../cache-key.ts';
import { preprocessKey, type SegmentationOptions } from '../segmentation/options.ts';
import { extendSegmentation } from '../segmentation/extend.ts';
import { segment, type SegmentationResult } from '../segmentation/pipeline.ts';
import { prepare, runSweep, scoreSweepFits, stabilityOf, type PreparedData } from '../segmentation/prepared.ts';
import { runTableTask, type TableTask } from '../segmentation/model-ops.ts';
import { datasetOverview, featureRanges, type ColumnSummary, type DatasetOverview } from '../analysis/summary.ts';
import type { Db } from '../store/db.ts';
import type { UnanalysedKind } from '../analysis/table.ts';
import { getDataset } from '../store/datasets.ts';
import { textColumnCounts } from '../store/column-counts.ts';
import { LruCache } from './lru.ts';
import { TABLE_CACHE_ROWS, TableCache, type TableSource } from './tables.ts';

export type AnalysisTask =
  | { kind: 'segment'; source: TableSource; options: SegmentationOptions & { k: number }; omitRowIndex?: boolean }
  | { kind: 'sweep'; source: TableSource; options: SegmentationOptions }
  | { kind: 'stability'; source: TableSource; options: SegmentationOptions & { k: number; eps: number } }
  | { kind: 'score-sweep'; source: TableSource; options: SegmentationOptions }
  | { kind: 'extend'; source: TableSource; previous: SegmentationResult }
  | { kind: 'table'; source: TableSource; task: TableTask }
  | { kind: 'overview'; source: TableSource; outlierRule: 'iqr' | 'zscore' }
  | { kind: 'ranges'; source: TableSource };

/** Most frequent levels listed per text column in the overview. */
const TOP_LEVELS = 12;

export class TaskRunner {
  private readonly tables = new TableCache();
  /** A prepared matrix is as big as its table: about one of them on a million customers. */
  private readonly prepared = new LruCache<PreparedData>(8, { maxWeight: TABLE_CACHE_ROWS, weigh: (p) => p.prep.matrix.rows });

  /** The newest version met per dataset identity. */
  private readonly newestVersion = new Map<string, { version: string; rowCount: number }>();

  /** `collectGarbage` frees what the runner lets go at once (the worker has one; without it V8 decides). */
  constructor(private readonly hooks: { collectGarbage?: () => void } = {}) {}

  run(db: Db, task: AnalysisTask): unknown {
    this.forgetOlderVersions(task.source);
    const table = this.tables.get(db, task.source);
    switch (task.kind) {
      case 'extend':
        return extendSegmentation(task.previous, table);
      case 'table':
        return runTableTask(table, task.task);
      case 'ranges':
        return featureRanges(
          table,
          table.columns.map((c) => c.name),
        );
      case 'overview':
        return withUnloadedColumns(db, task.source, datasetOverview(table, task.outlierRule));
      case 'segment':
      case 'sweep':
      case 'stability':
      case 'score-sweep': {
        const data = this.prepared.getOrCompute(
          cacheKey(task.source.version, preprocessKey(task.options)),
          () => prepare(table, task.options),
          table.rowCount,
        );
        if (task.kind === 'sweep') return runSweep(data, task.options);
        if (task.kind === 'stability') return stabilityOf(data, task.options);
        if (task.kind === 'score-sweep') return scoreSweepFits(data, task.options.seed);
        return segment(table, data, task.options, { withoutRowIndex: task.omitRowIndex });
      }
    }
  }

  /**
   * A newer version (customers registered since) makes the older versions' prepared
   * matrices dead weight: requests ask for the newest version, and on a million customers
   * the old matrix (50 MB and more) was still held while the registration's extended view
   * was built, the server's peak memory. A request for an old version prepares it again.
   */
  private forgetOlderVersions(source: TableSource): void {
    const newest = this.newestVersion.get(source.identity);
    if (newest && (newest.version === source.version || newest.rowCount > source.rowCount)) return;
    this.newestVersion.set(source.identity, { version: source.version, rowCount: source.rowCount });
    if (!newest) return;
    const held = this.prepared.size;
    this.prepared.deleteWhere((key) => keyStartsWith(key, newest.version));
    // Dropped is not freed: the matrices would wait for a collection while the new version loads.
    if (this.prepared.size < held) this.hooks.collectGarbage?.();
  }
}

/**
 * Identifier and date columns are not loaded: their counts come from SQLite, which sorts a
 * million distinct ids on disk rather than in a million-entry map. Summaries keep the
 * dataset's column order.
 */
function withUnloadedColumns(db: Db, source: TableSource, overview: DatasetOverview): DatasetOverview {
  const loaded = new Map(overview.summaries.map((s) => [s.name, s]));
  const summaries = getDataset(db, source.datasetId).columns.map((column, position): ColumnSummary => {
    const summary = loaded.get(column.name);
    if (summary) return summary;
    return {
      name: column.name,
      kind: column.kind as UnanalysedKind,
      ...textColumnCounts(db, source.datasetId, position, source.rowCount, TOP_LEVELS),
    };
  });
  return { ...overview, summaries };
}
