/** Counts of a stored text column, computed by SQLite over one version's rows. */
import type { Db } from './db.ts';
import { columnIdent, rowTable } from './datasets.ts';

export interface TextColumnCounts {
  count: number;
  missing: number;
  distinct: number;
  /** Most frequent values, largest first (ties in text order). */
  top: { level: string; count: number }[];
}

/** The column at `position` over the first `rowCount` rows (a version's rows). */
export function textColumnCounts(db: Db, datasetId: number, position: number, rowCount: number, topLevels: number): TextColumnCounts {
  const rows = `(SELECT ${columnIdent(position)} AS v FROM ${rowTable(datasetId)} ORDER BY row_id LIMIT ?)`;
  const totals = db.prepare(`SELECT COUNT(v) AS count, COUNT(DISTINCT v) AS distinct_count FROM ${rows}`).get(rowCount) as {
    count: number;
    distinct_count: number;
  };
  const top = db
    .prepare(
      `SELECT CAST(v AS TEXT) AS level, COUNT(*) AS count FROM ${rows} WHERE v IS NOT NULL GROUP BY v ORDER BY count DESC, v LIMIT ?`,
    )
    .all(rowCount, topLevels) as { level: string; count: number }[];
  return { count: totals.count, missing: rowCount - totals.count, distinct: totals.distinct_count, top };
}
