/** The bad-input corpus in test/fixtures/bad: each file fails with its message and stores nothing. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError } from '../../../server/errors.ts';
import { importCsvFile } from '../../../server/ingest/stream-import.ts';
import { importCsvText } from '../../support/import-text.ts';
import { openDatabase } from '../../../server/store/db.ts';
import { listDatasets, loadDataTable } from '../../../server/store/datasets.ts';
import { BAD_DIR, EXPECTED } from '../../fixtures/bad-fixtures.ts';


const dir = mkdtempSync(join(tmpdir(), 'cs-bad-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input corpus', () => {
  const db = openDatabase(join(dir, 'bad.db'));
  after(() => db.close());

  for (const [file, message] of Object.entries(EXPECTED)) {
    it(`rejects ${file}: "${message}"`, async () => {
      if (listDatasets(db).length === 0) await importCsvText(db, 'x,y\n1,2\n3,4\n', { name: 'Existing' });
      const before = listDatasets(db);
      await assert.rejects(importCsvFile(db, join(BAD_DIR, file), { name: file }), (e: Error) => e instanceof InputError && e.message.includes(message));
      assert.deepEqual(listDatasets(db), before);
      assert.equal(loadDataTable(db, before[0].id).rowCount, 2);
      const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'ds_%'").pluck().get();
      assert.equal(tables, before.length, 'no half-created row table is left behind');
    });
  }

  it('rejects a file over the size limit with 413', async () => {
    await assert.rejects(importCsvText(db, 'a,b\n1,2\n3,4\n', { name: 'Big', maxBytes: 5 }), (e: Error) => e instanceof InputError && e.status === 413 && /the limit is/.test(e.message));
  });

  it('rejects a bad value far past the sample, naming its row, and stores nothing', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `${i},${i * 2}`);
    rows[5500] = '5500,lots';
    const before = listDatasets(db).length;
    await assert.rejects(importCsvText(db, `id,amount\n${rows.join('\n')}\n`, { name: 'Late' }), /row 5502 holds "lots"/);
    assert.equal(listDatasets(db).length, before);
  });
});

describe('column names as real exports have them', () => {
  const db = openDatabase(join(dir, 'names.db'));
  after(() => db.close());

  it('imports names that look like SQL, HTML, or hold commas, quotes, emoji and other scripts, as they are', async () => {
    const names = ['x; DROP TABLE datasets;--', '<script>alert(1)</script>', 'Spend <30d', 'Income > 50k', 'Region; Country', 'pre--post', 'Region, Country', 'say "hi"', 'Umsatz €', '売上', '🛒 basket'];
    const header = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(',');
    const rows = Array.from({ length: 60 }, (_, i) => names.map((_, c) => (c * 7 + i * 3) % 97).join(','));
    const info = await importCsvText(db, `${header}\n${rows.join('\n')}\n`, { name: 'Real headers' });
    assert.deepEqual(info.columns.map((c) => c.name), names);
    assert.ok(listDatasets(db).some((d) => d.name === 'Real headers'), 'the datasets table is intact');
    for (const file of ['sql-header.csv', 'html-header.csv']) {
      const imported = await importCsvFile(db, join(BAD_DIR, '..', file), { name: file });
      assert.equal(imported.rowCount, 1);
    }
  });

  it('still refuses control characters in a name', async () => {
    await assert.rejects(importCsvText(db, '"a\tb",c\n1,2\n', { name: 'tab' }), /control characters/);
  });
});
