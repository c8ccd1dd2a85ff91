/**
 * Writes a new dataset row by row inside one transaction on its own connection. Readers on
 * the main connection never see a half-written import (WAL isolates the open transaction),
 * and a failure or a killed process leaves the database exactly as before.
 */
import Database from 'better-sqlite3';
import type { ColumnKind } from '../analysis/table.ts';
import type { CellValue } from './datasets.ts';

export interface DatasetWriter {
  insert(row: CellValue[]): void;
  /** Commits and returns the new dataset's id. */
  commit(): number;
  rollback(): void;
}

export function openDatasetWriter(dbPath: string, name: string, columns: { name: string; kind: ColumnKind }[]): DatasetWriter {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  const missing = new Array<number>(columns.length).fill(0);
  let rowCount = 0;
  let open = true;
  db.exec('BEGIN IMMEDIATE');
  try {
    const datasetId = Number(db.prepare('INSERT INTO datasets (name) VALUES (?)').run(name).lastInsertRowid);
    const table = `ds_${Math.trunc(datasetId)}`;
    const defs = columns.map((c, i) => `c${i} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`).join(', ');
    db.exec(`CREATE TABLE ${table} (row_id INTEGER PRIMARY KEY, ${defs})`);
    const insert = db.prepare(`INSERT INTO ${table} (${columns.map((_, i) => `c${i}`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    const close = () => {
      open = false;
      db.close();
    };
    return {
      insert(row) {
        for (let c = 0; c < row.length; c++) if (row[c] === null) missing[c]++;
        insert.run(row);
        rowCount++;
      },
      commit() {
        const insertColumn = db.prepare('INSERT INTO dataset_columns (dataset_id, position, name, kind, missing) VALUES (?, ?, ?, ?, ?)');
        columns.forEach((c, i) => insertColumn.run(datasetId, i, c.name, c.kind, missing[i]));
        db.prepare('UPDATE datasets SET row_count = ? WHERE id = ?').run(rowCount, datasetId);
        db.exec('COMMIT');
        close();
        return datasetId;
      },
      rollback() {
        if (!open) return;
        if (db.inTransaction) db.exec('ROLLBACK');
        close();
      },
    };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    throw error;
  }
}
