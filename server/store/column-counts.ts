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

/**
 * The column at `position` over the first `rowCount` rows (a version's rows). One grouping
 * pass answers both the totals and the top values (a COUNT(DISTINCT) beside the GROUP BY
 * grouped every row twice: a second per million-row identifier column).
 */
export function textColumnCounts(db: Db, datasetId: number, position: number, rowCount: number, topLevels: number): TextColumnCounts {
  const rows = `(SELECT ${columnIdent(position)} AS v FROM ${rowTable(datasetId)} ORDER BY row_id LIMIT ?)`;
  const answer = db
    .prepare(
      `WITH levels AS MATERIALIZED (SELECT v, COUNT(*) AS count FROM ${rows} WHERE v IS NOT NULL GROUP BY v)
       SELECT NULL AS level, SUM(count) AS count, COUNT(*) AS distinct_count FROM levels
       UNION ALL
       SELECT * FROM (SELECT CAST(v AS TEXT), count, NULL FROM levels ORDER BY count DESC, v LIMIT ?)`,
    )
    .all(rowCount, topLevels) as { level: string | null; count: number | null; distinct_count: number | null }[];
  const [totals, ...top] = answer;
  const count = totals.count ?? 0;
  return {
    count,
    missing: rowCount - count,
    distinct: totals.distinct_count ?? 0,
    top: top.map((r) => ({ level: r.level!, count: r.count! })),
  };
}
