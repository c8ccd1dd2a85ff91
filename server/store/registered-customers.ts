/** Registered customers: appended to their dataset with their segment, in one transaction. */
import type { Db } from './db.ts';
import { columnIdent, getDataset, rowTable, type CellValue } from './datasets.ts';
import { changeWriter } from './segment-changes.ts';
import { writeGate } from './write-gate.ts';

export interface Registration {
  /** One value per dataset column, in column order. */
  row: CellValue[];
  segment: number;
  segmentName: string;
  /** The segment the customer enters under each saved segmentation of the dataset (the change feed). */
  memberships?: { modelId: number; segment: number }[];
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
export function registerCustomers(
  db: Db,
  datasetId: number,
  model: string,
  registrations: Registration[],
  at = new Date().toISOString(),
): Promise<RegisteredCustomer[]> {
  const info = getDataset(db, datasetId);
  const writeChanges = changeWriter(db);
  const idAt = info.columns.findIndex((c) => c.kind === 'id');
  const idents = info.columns.map((_, i) => columnIdent(i));
  const insertRow = db.prepare(`INSERT INTO ${rowTable(datasetId)} (${idents.join(', ')}) VALUES (${idents.map(() => '?').join(', ')})`);
  const insertSegment = db.prepare(
    'INSERT INTO customer_segments (dataset_id, row_id, segment, segment_name, model) VALUES (?, ?, ?, ?, ?)',
  );
  const addMissing = db.prepare('UPDATE dataset_columns SET missing = missing + ? WHERE dataset_id = ? AND position = ?');
  return writeGate(db).run(
    db.transaction(() => {
      const missing = new Array<number>(info.columns.length).fill(0);
      const out = registrations.map((r, i) => {
        r.row.forEach((v, c) => v === null && missing[c]++);
        const rowId = Number(insertRow.run(r.row).lastInsertRowid);
        insertSegment.run(datasetId, rowId, r.segment, r.segmentName, model);
        // The customer's own identifier, else its row number: as the audiences and the feed name customers.
        const own = idAt >= 0 ? r.row[idAt] : null;
        const customerId = own === null || own === '' ? String(info.rowCount + i + 1) : String(own);
        for (const m of r.memberships ?? []) {
          if (m.segment >= 0) writeChanges(m.modelId, at, 'registration', [{ customerId, from: null, to: m.segment }]);
        }
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
