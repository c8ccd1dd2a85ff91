/** A dataset's analysed columns load from the import's snapshot exactly as from its rows. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { importTransactionsFile } from '../../../server/ingest/stream-import.ts';
import { readColumnSnapshot } from '../../../server/store/column-snapshots.ts';
import { registerCustomers } from '../../../server/store/registered-customers.ts';
import { deleteDataset, getDataset, loadDataTable } from '../../../server/store/datasets.ts';
import { openDatabase, type Db } from '../../../server/store/db.ts';
import { importCsvText } from '../../support/import-text.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-snapshot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const snapshotRows = (db: Db, id: number) => db.prepare('SELECT COUNT(*) FROM column_snapshots WHERE dataset_id = ?').pluck().get(id) as number;

/** The same load with the snapshot out of the way: every row read from the row table. */
function loadFromRows(db: Db, id: number) {
  db.exec('SAVEPOINT without_snapshot');
  try {
    db.prepare('DELETE FROM column_snapshots WHERE dataset_id = ?').run(id);
    return loadDataTable(db, id, { analysisOnly: true });
  } finally {
    db.exec('ROLLBACK TO without_snapshot');
    db.exec('RELEASE without_snapshot');
  }
}

describe('column snapshots', () => {
  const db = openDatabase(join(dir, 'snap.db'));
  after(() => db.close());
  const csv = ['customer_id,age,city,joined,income,note'];
  for (let i = 0; i < 3000; i++) {
    csv.push([`C${i}`, i % 11 === 0 ? '' : String(18 + (i % 53)), ['Paris', 'Lyon', '', 'Nice'][i % 4], `2024-0${1 + (i % 9)}-1${i % 10}`, (i * 37.25) % 9001, `free text ${i}`].join(','));
  }

  it('are written by an import and load the same columns as the rows do, missing values and level strings included', async () => {
    const { id } = await importCsvText(db, `${csv.join('\n')}\n`, { name: 'Snap' });
    assert.equal(snapshotRows(db, id), 3, 'age, city and income: not the id, date or free text');
    assert.equal(readColumnSnapshot(db, id, [{ position: 1, kind: 'numeric' }, { position: 2, kind: 'categorical' }, { position: 4, kind: 'numeric' }], 0)?.rowCount, 3000);
    assert.equal(readColumnSnapshot(db, id, [{ position: 1, kind: 'categorical' }], 0), undefined, 'a kind other than the snapshot\'s');
    const fromSnapshot = loadDataTable(db, id, { analysisOnly: true });
    const fromRows = loadFromRows(db, id);
    assert.deepEqual(fromSnapshot, fromRows);
    assert.ok(fromSnapshot.columns.some((c) => c.kind === 'numeric' && c.values.some(Number.isNaN)), 'a missing age is NaN');
    assert.ok(fromSnapshot.columns.some((c) => c.kind === 'categorical' && c.values.includes(null)), 'a missing city is null');
  });

  it('are followed by the customers registered since, read from the rows', async () => {
    const { id } = getDataset(db, 1);
    const row = ['C-new', 44, 'Brest', '2025-01-01', 123.5, 'new'];
    await registerCustomers(db, id, 'test', [{ row, segment: 0, segmentName: 'A' }, { row: ['C-new2', null, null, null, null, null], segment: 0, segmentName: 'A' }]);
    const table = loadDataTable(db, id, { analysisOnly: true });
    assert.equal(table.rowCount, 3002);
    assert.deepEqual(table, loadFromRows(db, id));
    const city = table.columns.find((c) => c.name === 'city')!;
    assert.deepEqual(city.values.slice(-2), ['Brest', null]);
  });

  it('are written for a dataset derived from transactions too, and go with their dataset', async () => {
    const path = join(dir, 'tx.csv');
    const lines = ['invoice,customer,date,amount'];
    for (let i = 0; i < 400; i++) lines.push(`I${i},K${i % 40},2024-03-${String(1 + (i % 28)).padStart(2, '0')},${10 + (i % 17)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { dataset } = await importTransactionsFile(db, path, { name: 'RFM' });
    assert.ok(snapshotRows(db, dataset.id) > 0);
    assert.deepEqual(loadDataTable(db, dataset.id, { analysisOnly: true }), loadFromRows(db, dataset.id));
    await deleteDataset(db, dataset.id);
    assert.equal(snapshotRows(db, dataset.id), 0);
  });
});
