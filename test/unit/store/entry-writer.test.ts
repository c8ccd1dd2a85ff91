/**
 * Every customer's entry into a segmentation: written by SQLite in one statement when no
 * webhook listens, one by one with deliveries when one does, and the feed reads the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase, type Db } from '../../../server/store/db.ts';
import { customerIds, entryWriter, listChanges } from '../../../server/store/segment-changes.ts';
import { addWebhook } from '../../../server/store/webhooks.ts';
import { importCsvText } from '../../support/import-text.ts';

const AT = '2026-12-06T10:00:00.000Z';
const dir = mkdtempSync(join(tmpdir(), 'cs-entries-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A dataset whose id column has a gap (row 3), and a saved model row to hang the feed on. */
async function datasetWithModel(db: Db, idColumn: boolean): Promise<{ datasetId: number; modelId: number }> {
  const header = idColumn ? 'customer_id,spend\n' : 'spend\n';
  const rows = ['C1,10', 'C2,20', ',30', 'C4,40', 'C5,50'].map((r) => (idColumn ? r : r.split(',')[1]));
  const dataset = await importCsvText(db, header + rows.join('\n') + '\n', { name: 'Entries' });
  db.pragma('foreign_keys = OFF');
  const modelId = Number(
    db
      .prepare("INSERT INTO saved_models (dataset_id, name, pipeline, baseline, source) VALUES (?, 'm', '{}', '{}', 'fitted')")
      .run(dataset.id).lastInsertRowid,
  );
  return { datasetId: dataset.id, modelId };
}

const feedOf = (db: Db, modelId: number) => listChanges(db, modelId, 0, 100).map(({ seq: _seq, ...c }) => c);
const deliveries = (db: Db) => db.prepare('SELECT COUNT(*) FROM webhook_deliveries').pluck().get() as number;

describe('entryWriter', () => {
  for (const idColumn of [true, false]) {
    it(`lists each assigned customer once, in row order, the same with and without a webhook (${idColumn ? 'id column' : 'row numbers'})`, async () => {
      const segments = Int32Array.from([1, -1, 0, 2, 1]);
      const bulk = openDatabase(join(dir, `bulk-${idColumn}.db`));
      const oneByOne = openDatabase(join(dir, `one-${idColumn}.db`));
      try {
        const a = await datasetWithModel(bulk, idColumn);
        const b = await datasetWithModel(oneByOne, idColumn);
        await addWebhook(oneByOne, { url: 'http://127.0.0.1:9/hook', secret: 's'.repeat(16), events: ['segment.entered'] }, AT);
        entryWriter(bulk)(a.modelId, AT, 'activation', a.datasetId, segments);
        entryWriter(oneByOne)(b.modelId, AT, 'activation', b.datasetId, segments);
        const ids = customerIds(bulk, a.datasetId);
        assert.deepEqual(ids, idColumn ? ['C1', 'C2', '3', 'C4', 'C5'] : ['1', '2', '3', '4', '5'], 'an empty id reads as the row number');
        const expected = [0, 2, 3, 4].map((row) => ({ at: AT, customerId: ids[row], from: null, to: segments[row], cause: 'activation' }));
        assert.deepEqual(feedOf(bulk, a.modelId), expected);
        assert.deepEqual(feedOf(oneByOne, b.modelId), expected);
        assert.equal(deliveries(bulk), 0);
        assert.equal(deliveries(oneByOne), 4, 'one delivery per entry to the subscribed webhook');
        // Written again (a second activation): the staging of the first is not carried over.
        entryWriter(bulk)(a.modelId, AT, 'activation', a.datasetId, Int32Array.from([0, 0]));
        assert.equal(feedOf(bulk, a.modelId).length, 6, 'only the rows the new segments cover');
      } finally {
        bulk.close();
        oneByOne.close();
      }
    });
  }
});
