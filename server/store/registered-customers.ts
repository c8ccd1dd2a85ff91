/** Registered customers: appended to their dataset with their segment, in one transaction. */
import type { Db } from './db.ts';
import { columnIdent, getDataset, rowTable, type CellValue } from './datasets.ts';
import { writeGate } from './write-gate.ts';

export interface Registration {
  /** One value per dataset column, in column order. */
  row: CellValue[];
  segment: number;
  segmentName: string;
}

export interface RegisteredCustomer {
  id: number;
  segment: number;
  name: string;
  /** The segment's playbook in the saved segmentation that assigned it, when one was written. */
  playbook?: string;
}

/**
 * Appends the rows, records each one's segment under `model`, and bumps the dataset's
 * version and counts: all or nothing, in the database's write turn.
 */
export function registerCustomers(db: Db, datasetId: number, model: string, registrations: Registration[]): Promise<RegisteredCustomer[]> {
  const info = getDataset(db, datasetId);
  const idents = info.columns.map((_, i) => columnIdent(i));
  const insertRow = db.prepare(`INSERT INTO ${rowTable(datasetId)} (${idents.join(', ')}) VALUES (${idents.map(() => '?').join(', ')})`);
  const insertSegment = db.prepare(
    'INSERT INTO customer_segments (dataset_id, row_id, segment, segment_name, model) VALUES (?, ?, ?, ?, ?)',
  );
  const addMissing = db.prepare('UPDATE dataset_columns SET missing = missing + ? WHERE dataset_id = ? AND position = ?');
  return writeGate(db).run(
    db.transaction(() => {
      const missing = new Array<number>(info.columns.length).fill(0);
      const out = registrations.map((r) => {
        r.row.forEach((v, c) => v === null && missing[c]++);
        const rowId = Number(insertRow.run(r.row).lastInsertRowid);
        insertSegment.run(datasetId, rowId, r.segment, r.segmentName, model);
        return { id: rowId, segment: r.segment, name: r.segmentName };
      });
      missing.forEach((m, c) => m > 0 && addMissing.run(m, datasetId, c));
      db.prepare(
        "UPDATE datasets SET row_count = row_count + ?, version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') " +
          'WHERE id = ?',
      ).run(registrations.length, datasetId);
      return out;
    }),
  );
}
