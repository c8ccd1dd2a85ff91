/** The dataset's stored customers as a warehouse table, and the dashboard's own assignment to check generated SQL against. */
import Database from 'better-sqlite3';
import type { Express } from 'express';
import request from 'supertest';
import { getDataset, rowPages } from '../../server/store/datasets.ts';
import type { Db } from '../../server/store/db.ts';

/** A table of the dataset's stored customers under its original column names, in a new SQLite database. */
export function storedAsWarehouse(db: Db, datasetId: number, table: string): Database.Database {
  const { columns, rowCount } = getDataset(db, datasetId);
  const warehouse = new Database(':memory:');
  const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
  warehouse.exec(`CREATE TABLE ${q(table)} (${columns.map((c) => `${q(c.name)} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`).join(', ')})`);
  const insert = warehouse.prepare(`INSERT INTO ${q(table)} VALUES (${columns.map(() => '?').join(', ')})`);
  warehouse.transaction(() => {
    for (const page of rowPages(db, datasetId, rowCount)) for (const row of page) insert.run(...row.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
  })();
  return warehouse;
}

/** The segment of every customer, in row order, as the dashboard's customers export gives it ('' when not segmented). */
export async function segmentsOnDashboard(app: Express, modelId: number): Promise<string[]> {
  return (await dashboardRows(app, modelId)).map(([, segment]) => segment);
}

/** [first column (the identifier), segment] of every customer of the customers export, in row order. */
export async function dashboardRows(app: Express, modelId: number): Promise<[string, string][]> {
  const csv = (await request(app).get(`/export/customers.csv?model=${modelId}`).expect(200)).text.trim().split('\n');
  const header = csv[0].split(',');
  const at = header.indexOf('segment');
  // The segment column follows the dataset's own columns, whose values may hold quoted commas.
  return csv.slice(1).map((line) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (const ch of line.replace(/\r$/, '')) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += ch;
    }
    cells.push(cell);
    return [cells[0], cells[at]] as [string, string];
  });
}
