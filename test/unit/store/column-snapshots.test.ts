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
import { ColumnFacts } from '../../../server/segmentation/segment-columns.ts';
import { type DataTable, type TextColumn } from '../../../server/analysis/table.ts';

/** Every category column's level codes over these rows, as the profiles get them. */
/** A table as loading its rows gives it: the snapshot's stored codes left out. */
const withoutStoredCodes = (table: DataTable): DataTable => ({ ...table, columns: table.columns.map((c) => (c.kind === 'numeric' ? c : { name: c.name, kind: c.kind, values: c.values })) });
const levelCodesOver = (table: DataTable, rowIndex: Int32Array) => {
  const facts = new ColumnFacts(rowIndex);
  return table.columns.filter((c): c is TextColumn => c.kind === 'categorical').map((c) => facts.levelCodes(c));
};
const everyRow = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const someRows = (n: number) => Int32Array.from({ length: Math.floor(n / 3) }, (_, i) => n - 1 - 3 * i);

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
    assert.deepEqual(withoutStoredCodes(fromSnapshot), fromRows);
    assert.ok(fromSnapshot.columns.some((c) => c.kind === 'numeric' && c.values.some(Number.isNaN)), 'a missing age is NaN');
    assert.ok(fromSnapshot.columns.some((c) => c.kind === 'categorical' && c.values.includes(null)), 'a missing city is null');
  });

  it('give the profiles the level codes the strings would, in the same order, from the stored codes', async () => {
    const fromSnapshot = loadDataTable(db, 1, { analysisOnly: true });
    const fromRows = loadFromRows(db, 1);
    const city = fromSnapshot.columns.find((c) => c.name === 'city') as TextColumn;
    assert.equal(city.stored?.codes.length, 3000, 'the snapshot\'s codes are kept with the column');
    assert.equal((fromRows.columns.find((c) => c.name === 'city') as TextColumn).stored, undefined);
    for (const rows of [everyRow(3000), someRows(3000)]) assert.deepEqual(levelCodesOver(fromSnapshot, rows), levelCodesOver(fromRows, rows));
    assert.deepEqual(levelCodesOver(fromSnapshot, everyRow(3000))[0].levels, ['Paris', 'Lyon', '(missing)', 'Nice']);
  });

  it('give the strings\' level codes when a level is spelled "(missing)"', async () => {
    const lines = ['x,tier'];
    for (let i = 0; i < 60; i++) lines.push(`${(i * 7) % 13},${['gold', '(missing)', '', 'silver'][i % 4]}`);
    const { id } = await importCsvText(db, `${lines.join('\n')}\n`, { name: 'Missing spelled out' });
    const table = loadDataTable(db, id, { analysisOnly: true });
    assert.deepEqual(levelCodesOver(table, everyRow(60)), levelCodesOver(loadFromRows(db, id), everyRow(60)));
    await deleteDataset(db, id);
  });

  it('are followed by the customers registered since, read from the rows', async () => {
    const { id } = getDataset(db, 1);
    const row = ['C-new', 44, 'Brest', '2025-01-01', 123.5, 'new'];
    await registerCustomers(db, id, 'test', [{ row, segment: 0, segmentName: 'A' }, { row: ['C-new2', null, null, null, null, null], segment: 0, segmentName: 'A' }]);
    const table = loadDataTable(db, id, { analysisOnly: true });
    assert.equal(table.rowCount, 3002);
    assert.deepEqual(withoutStoredCodes(table), loadFromRows(db, id));
    const city = table.columns.find((c) => c.name === 'city')!;
    assert.deepEqual(city.values.slice(-2), ['Brest', null]);
    for (const rows of [everyRow(3002), someRows(3002)]) assert.deepEqual(levelCodesOver(table, rows), levelCodesOver(loadFromRows(db, id), rows));
  });

  it('are written for a dataset derived from transactions too, and go with their dataset', async () => {
    const path = join(dir, 'tx.csv');
    const lines = ['invoice,customer,date,amount'];
    for (let i = 0; i < 400; i++) lines.push(`I${i},K${i % 40},2024-03-${String(1 + (i % 28)).padStart(2, '0')},${10 + (i % 17)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { dataset } = await importTransactionsFile(db, path, { name: 'RFM' });
    assert.ok(snapshotRows(db, dataset.id) > 0);
    assert.deepEqual(withoutStoredCodes(loadDataTable(db, dataset.id, { analysisOnly: true })), loadFromRows(db, dataset.id));
    await deleteDataset(db, dataset.id);
    assert.equal(snapshotRows(db, dataset.id), 0);
  });
});
