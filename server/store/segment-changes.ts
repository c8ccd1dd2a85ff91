/**
 * The change feed: every move of a customer between a saved segmentation's segments, with
 * its time and cause, in the order it happened (seq). A registration is an entry (from
 * null); a retrain, or a switch to or from assigning by rules, moves customers; an activation or an import lists every customer's entry,
 * so that a tool following the feed from the start holds the whole segmentation.
 */
import type { Db } from './db.ts';
import { columnIdent, getDataset, rowTable } from './datasets.ts';
import { outboxWriter, subscribedTo } from './webhook-outbox.ts';

/** `assignment`: the segmentation switched between assigning by its centres and by its rules. */
export type ChangeCause = 'registration' | 'retrain' | 'activation' | 'import' | 'assignment';

export interface SegmentChange {
  customerId: string;
  /** Segment indexes (0 for the first); null: the customer was not in the segmentation. */
  from: number | null;
  to: number | null;
}

export interface RecordedChange extends SegmentChange {
  seq: number;
  at: string;
  cause: ChangeCause;
}

/** The statements of one write of changes, and of the webhook deliveries announcing them, for a caller's own transaction. */
export function changeWriter(db: Db): (modelId: number, at: string, cause: ChangeCause, changes: readonly SegmentChange[]) => void {
  const insert = db.prepare(
    'INSERT INTO segment_changes (model_id, at, customer_id, from_segment, to_segment, cause) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const announce = outboxWriter(db);
  return (modelId, at, cause, changes) => {
    for (const c of changes) {
      if (c.from === c.to) continue;
      insert.run(modelId, at, c.customerId, c.from, c.to, cause);
      // A move is an exit and an entry: a receiving system keeps its segment lists by the two.
      if (c.from !== null) announce({ event: 'segment.left', model: modelId, customer: c.customerId, segment: c.from, at });
      if (c.to !== null) announce({ event: 'segment.entered', model: modelId, customer: c.customerId, segment: c.to, at });
    }
  };
}

/** Changes after `since`, oldest first, at most `limit`. */
export function listChanges(db: Db, modelId: number, since: number, limit: number): RecordedChange[] {
  const rows = db
    .prepare(
      'SELECT seq, at, customer_id, from_segment, to_segment, cause FROM segment_changes WHERE model_id = ? AND seq > ? ORDER BY seq ' +
        'LIMIT ?',
    )
    .all(modelId, since, limit) as {
    seq: number;
    at: string;
    customer_id: string;
    from_segment: number | null;
    to_segment: number | null;
    cause: ChangeCause;
  }[];
  return rows.map((r) => ({ seq: r.seq, at: r.at, customerId: r.customer_id, from: r.from_segment, to: r.to_segment, cause: r.cause }));
}

/**
 * Each stored customer's own identifier, as an SQL expression over a row of the dataset's
 * table: the id column, else (or where it is empty) the row's number from 1. Rows are only
 * ever appended, so `row_id` is that number, and `row_id - 1` the row's place in its segments.
 */
function customerIdSql(db: Db, datasetId: number, row: string): string {
  const idAt = getDataset(db, datasetId).columns.findIndex((c) => c.kind === 'id');
  const number = `CAST(${row}.row_id AS TEXT)`;
  return idAt < 0 ? number : `COALESCE(NULLIF(CAST(${row}.${columnIdent(idAt)} AS TEXT), ''), ${number})`;
}

/** Each stored customer's own identifier, in row order (customerIdSql). */
export function customerIds(db: Db, datasetId: number): string[] {
  return db
    .prepare(`SELECT ${customerIdSql(db, datasetId, 'r')} FROM ${rowTable(datasetId)} r ORDER BY r.row_id`)
    .pluck()
    .all() as string[];
}

/**
 * The statements that write every customer's entry into a segmentation (an activation or an
 * import lists them all), from each row's segment (-1 or below: left out), for the caller's
 * transaction. SQLite joins the segments to the customers itself: a million entries take
 * about a second, where a statement per entry took five. Only when a webhook subscribes to
 * entries do they go one by one, each with its delivery.
 */
export function entryWriter(db: Db): (modelId: number, at: string, cause: ChangeCause, datasetId: number, segments: Int32Array) => void {
  const oneByOne = changeWriter(db);
  return (modelId, at, cause, datasetId, segments) => {
    if (subscribedTo(db, 'segment.entered')) {
      const ids = customerIds(db, datasetId);
      const entries: SegmentChange[] = [];
      for (let row = 0; row < Math.min(segments.length, ids.length); row++) {
        if (segments[row] >= 0) entries.push({ customerId: ids[row], from: null, to: segments[row] });
      }
      oneByOne(modelId, at, cause, entries);
      return;
    }
    db.exec('CREATE TEMP TABLE IF NOT EXISTS entry_segments (position INTEGER PRIMARY KEY, segment INTEGER NOT NULL)');
    db.exec('DELETE FROM temp.entry_segments');
    try {
      db.prepare('INSERT INTO temp.entry_segments (position, segment) SELECT key, value FROM json_each(?) WHERE value >= 0').run(
        JSON.stringify(Array.from(segments)),
      );
      db.prepare(
        `INSERT INTO segment_changes (model_id, at, customer_id, from_segment, to_segment, cause)
         SELECT ?, ?, ${customerIdSql(db, datasetId, 'r')}, NULL, e.segment, ? FROM temp.entry_segments e
         JOIN ${rowTable(datasetId)} r ON r.row_id = e.position + 1 ORDER BY e.position`,
      ).run(modelId, at, cause);
    } finally {
      db.exec('DELETE FROM temp.entry_segments');
    }
  };
}

/** Registrations since the segmentation was last fitted (`fittedAt`, its retrain): customers who entered, left and moved. */
export function changesSinceFit(db: Db, modelId: number, fittedAt: string): { entered: number; left: number; moved: number } {
  return db
    .prepare(
      `SELECT COUNT(CASE WHEN from_segment IS NULL THEN 1 END) AS entered, COUNT(CASE WHEN to_segment IS NULL THEN 1 END) AS left,
         COUNT(CASE WHEN from_segment IS NOT NULL AND to_segment IS NOT NULL THEN 1 END) AS moved
       FROM segment_changes WHERE model_id = ? AND cause = 'registration' AND at > ?`,
    )
    .get(modelId, fittedAt) as { entered: number; left: number; moved: number };
}

/** A segmentation's segment sizes after each recorded change, oldest first. */
export interface SizesOverTime {
  at: string[];
  /** sizes[i][s]: customers in segment s after the change at `at[i]`. */
  sizes: number[][];
}

/**
 * Segment sizes after each time the feed recorded changes, the last `points` of them. An
 * activation or an import lists every customer again: the sizes start afresh there.
 */
export function sizesOverTime(db: Db, modelId: number, k: number, points = 60): SizesOverTime {
  const rows = db
    .prepare(
      `SELECT at, cause, segment, SUM(delta) AS delta FROM (
         SELECT seq, at, cause, to_segment AS segment, 1 AS delta FROM segment_changes WHERE model_id = ? AND to_segment IS NOT NULL
         UNION ALL
         SELECT seq, at, cause, from_segment, -1 FROM segment_changes WHERE model_id = ? AND from_segment IS NOT NULL)
       GROUP BY at, cause, segment ORDER BY min(seq)`,
    )
    .all(modelId, modelId) as { at: string; cause: ChangeCause; segment: number; delta: number }[];
  const out: SizesOverTime = { at: [], sizes: [] };
  let sizes = new Array<number>(k).fill(0);
  let current: string | undefined;
  for (const r of rows) {
    const key = `${r.at} ${r.cause}`;
    if (key !== current) {
      if (r.cause === 'activation' || r.cause === 'import') sizes = new Array<number>(k).fill(0);
      out.at.push(r.at);
      out.sizes.push(sizes);
      sizes = [...sizes];
      current = key;
    }
    if (r.segment < k) sizes[r.segment] += r.delta;
    out.sizes[out.sizes.length - 1] = [...sizes];
  }
  return { at: out.at.slice(-points), sizes: out.sizes.slice(-points) };
}
