/**
 * Loaded dataset versions, held by whoever runs the analysis (the worker, or the engine
 * itself without one). Only analysis columns are loaded; a new version after registrations
 * reads just the appended rows onto the last table.
 */
import { cacheKey } from '../cache-key.ts';
import { formatCount } from '../format.ts';
import { reportStep } from '../analysis/progress.ts';
import type { DataTable } from '../analysis/table.ts';
import type { Db } from '../store/db.ts';
import { loadDataTable } from '../store/datasets.ts';
import { LruCache } from './lru.ts';

/** Which rows of which dataset: enough for anyone with the database to load the same table. */
export interface TableSource {
  datasetId: number;
  /** The dataset across its versions (id and creation time: SQLite reuses deleted ids). */
  identity: string;
  /** identity@version: a table's cache key. */
  version: string;
  /** Rows in that version; later registrations are not part of it. */
  rowCount: number;
}

/**
 * About one and a half million rows of tables: on a million customers the new version
 * replaces the old one rather than the two being held together.
 */
export const TABLE_CACHE_ROWS = 1_500_000;

export class TableCache {
  private readonly tables = new LruCache<DataTable>(4, { maxWeight: TABLE_CACHE_ROWS, weigh: (t) => t.rowCount });
  /** The newest table per dataset, which the next version extends. */
  private readonly latest = new LruCache<{ identity: string; table: DataTable }>(4, {
    maxWeight: TABLE_CACHE_ROWS,
    weigh: (t) => t.table.rowCount,
  });

  get(db: Db, source: TableSource): DataTable {
    return this.tables.getOrCompute(cacheKey(source.version), () => {
      const key = cacheKey(source.datasetId);
      const last = this.latest.get(key);
      const previous = last?.identity === source.identity && last.table.rowCount <= source.rowCount ? last.table : undefined;
      reportStep({ step: `loading ${formatCount(source.rowCount - (previous?.rowCount ?? 0))} customers` });
      const table = loadDataTable(db, source.datasetId, { previous, rowCount: source.rowCount, analysisOnly: true });
      this.latest.set(key, { identity: source.identity, table });
      return table;
    });
  }
}
