import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_DATASET_PATH } from '../../../server/config.ts';
import { InputError } from '../../../server/errors.ts';
import { detectDelimiter } from '../../../server/ingest/delimiter.ts';
import { importCsvFile } from '../../../server/ingest/stream-import.ts';
import { importCsvText } from '../../support/import-text.ts';
import { parseNumber } from '../../../server/ingest/values.ts';
import { openDatabase } from '../../../server/store/db.ts';
import { listDatasets, loadDataTable } from '../../../server/store/datasets.ts';
import { SHARED_DIR } from '../reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshDb = () => openDatabase(join(dir, `t${counter++}.db`));

describe('CSV import', () => {
  it('round-trips the bundled sample: rows, column kinds and missing counts', async () => {
    const db = freshDb();
    const info = await importCsvFile(db, DEFAULT_DATASET_PATH, { name: 'Sample' });
    const lines = readFileSync(DEFAULT_DATASET_PATH, 'utf8').trim().split('\n');
    assert.equal(info.rowCount, lines.length - 1);
    assert.ok(info.rowCount >= 2000);
    const kinds = Object.fromEntries(info.columns.map((c) => [c.name, c.kind]));
    assert.deepEqual(kinds, {
      customer_id: 'id', age: 'numeric', gender: 'categorical', annual_income: 'numeric', spending_score: 'numeric',
      membership_years: 'numeric', purchase_frequency: 'numeric', last_purchase_amount: 'numeric', preferred_category: 'categorical',
    });
    // Missing counts match the empty cells in the file.
    const header = lines[0].split(',');
    header.forEach((name, c) => {
      const empty = lines.slice(1).filter((l) => l.split(',')[c] === '').length;
      assert.equal(info.columns.find((col) => col.name === name)!.missing, empty, name);
    });
    const totalMissing = info.columns.reduce((s, c) => s + c.missing, 0);
    assert.ok(totalMissing > 0.01 * info.rowCount * 6 && totalMissing < 0.03 * info.rowCount * 6);
    const table = loadDataTable(db, info.id);
    assert.equal(table.rowCount, info.rowCount);
    db.close();
  });

  it('imports Mall_Customers.csv keeping its header names and the kinds SOURCES.md gives', async () => {
    const db = freshDb();
    const info = await importCsvFile(db, `${SHARED_DIR}datasets/Mall_Customers.csv`, { name: 'Mall' });
    assert.equal(info.rowCount, 200);
    assert.deepEqual(info.columns.map((c) => [c.name, c.kind]), [
      ['CustomerID', 'id'], ['Gender', 'categorical'], ['Age', 'numeric'], ['Annual Income (k$)', 'numeric'], ['Spending Score (1-100)', 'numeric'],
    ]);
    const income = loadDataTable(db, info.id).columns[3].values as Float64Array;
    assert.equal(income.reduce((a, b) => a + b) / 200, 60.56);
    db.close();
  });

  it('imports the semicolon-separated Wholesale file with Channel and Region as categories', async () => {
    const db = freshDb();
    const info = await importCsvFile(db, `${SHARED_DIR}datasets/Wholesale customers data.csv`, { name: 'Wholesale' });
    assert.equal(info.rowCount, 440);
    const kinds = Object.fromEntries(info.columns.map((c) => [c.name, c.kind]));
    assert.equal(kinds.Channel, 'categorical');
    assert.equal(kinds.Region, 'categorical');
    for (const name of ['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen']) assert.equal(kinds[name], 'numeric');
    db.close();
  });

  it('reads numbers with thousands separators, currency and NA markers', async () => {
    assert.equal(parseNumber('1,234.5'), 1234.5);
    assert.equal(parseNumber('$1,234'), 1234);
    assert.equal(parseNumber('€ 12'), 12);
    assert.equal(parseNumber('(12)'), -12);
    assert.ok(Number.isNaN(parseNumber('12abc')));
    const db = freshDb();
    const info = await importCsvText(db, 'id,amount,city\n1,"$1,200",Paris\n2,NA,Lyon\n3,300,\n', { name: 'Decorated' });
    assert.deepEqual(info.columns.map((c) => [c.name, c.kind, c.missing]), [['id', 'id', 0], ['amount', 'numeric', 1], ['city', 'categorical', 1]]);
    db.close();
  });

  it('detects comma, semicolon and tab delimiters', () => {
    assert.equal(detectDelimiter('a,b,c\n'), ',');
    assert.equal(detectDelimiter('a;b;c\n'), ';');
    assert.equal(detectDelimiter('a\tb\tc\n'), '\t');
    assert.equal(detectDelimiter('"x;y",b,c\n'), ',');
  });

  const badFiles: [string, string, RegExp][] = [
    ['an empty file', '', /empty/],
    ['a header only', 'a,b\n', /no rows/],
    ['ragged rows', 'a,b\n1,2\n3\n', /Line 3 has a different number of fields/],
    ['a quoted field never closed', 'a,b\n1,"2\n', /quoted field is never closed/],
    ['duplicate header names', 'a,a\n1,2\n', /"a" twice/],
    ['an empty header name', 'a,\n1,2\n', /Column 2 has an empty header name/],
    ['no numeric column', 'a,b\nx,y\nz,w\n', /No column holds numbers/],
    ['binary content', 'a,b\n1,\u0000\n', /binary/],
  ];
  for (const [what, text, message] of badFiles) {
    it(`rejects ${what} and stores nothing`, async () => {
      const db = freshDb();
      await importCsvText(db, 'x,y\n1,2\n3,4\n', { name: 'Existing' });
      await assert.rejects(importCsvText(db, text, { name: 'Bad' }), (e: Error) => e instanceof InputError && message.test(e.message));
      assert.deepEqual(listDatasets(db).map((d) => d.name), ['Existing']);
      db.close();
    });
  }

  it('rejects a value that breaks a numeric column forced by the user, naming row and column', async () => {
    const db = freshDb();
    await assert.rejects(importCsvText(db, 'a,b\n1,2\nx,3\n', { name: 'Mixed', kinds: { a: 'numeric' } }), /Column "a" is numeric but row 3 holds "x"/);
    assert.equal(listDatasets(db).length, 0);
    db.close();
  });
});
