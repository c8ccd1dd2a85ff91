import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { importCsvText } from '../../support/import-text.ts';
import { importTransactionsFile } from '../../../server/ingest/stream-import.ts';
import { parseDate, quintileScores, rfmGroup } from '../../../server/ingest/transactions.ts';
import { writeFileSync } from 'node:fs';
import { openDatabase } from '../../../server/store/db.ts';
import { loadDataTable } from '../../../server/store/datasets.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-rfm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A small log in the UCI Online Retail layout (M/D/YYYY H:MM), computed by hand below.
const LOG = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom', // 15.30
  '536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom', // 20.34
  '536400,22752,SET 7 BABUSHKA,2,12/5/2010 10:00,7.65,17850,United Kingdom', // 15.30
  'C536401,22752,SET 7 BABUSHKA,-2,12/6/2010 10:00,7.65,17850,United Kingdom', // cancellation
  '536500,21730,GLASS STAR,10,12/3/2010 9:00,4.25,13047,United Kingdom', // 42.50
  '536600,22633,HAND WARMER,-3,12/9/2010 9:00,1.85,13047,United Kingdom', // negative quantity
  '536700,84879,BIRD ORNAMENT,4,12/9/2010 11:00,1.69,12583,France', // 6.76 (last date in the file)
  '536701,22745,POPPY,1,12/9/2010 11:30,2.10,,United Kingdom', // no customer
].join('\n');

describe('transaction logs to RFM', () => {
  it('derives recency, frequency, monetary, tenure and average order value per customer', async () => {
    const path = join(dir, 'log.csv');
    writeFileSync(path, LOG);
    const db = openDatabase(join(dir, 'rfm.db'));
    const { dataset, report } = await importTransactionsFile(db, path, { name: 'Retail RFM' });
    assert.deepEqual({ transactions: report.transactions, cancellations: report.cancellations, negative: report.negativeQuantities, noCustomer: report.missingCustomer, customers: report.customers },
      { transactions: 8, cancellations: 1, negative: 1, noCustomer: 1, customers: 3 });
    assert.equal(report.referenceDate, '2010-12-09');
    const table = loadDataTable(db, dataset.id);
    const byId = (id: string) => {
      const r = (table.columns[0].values as string[]).indexOf(id);
      return Object.fromEntries(table.columns.map((c) => [c.name, c.values[r]]));
    };
    const a = byId('17850');
    // last purchase 12/5 10:00, reference 12/9 11:00: 4 days; invoices 536365 and 536400.
    assert.equal(a.recency_days, 4);
    assert.equal(a.frequency, 2);
    assert.equal(a.monetary, 50.94);
    assert.equal(a.tenure_days, 4);
    assert.equal(a.average_order_value, 25.47);
    const b = byId('13047');
    assert.deepEqual([b.recency_days, b.frequency, b.monetary, b.tenure_days], [6, 1, 42.5, 0]);
    const c = byId('12583');
    assert.deepEqual([c.recency_days, c.frequency, c.monetary], [0, 1, 6.76]);
    assert.deepEqual(dataset.columns.map((col) => col.kind), ['id', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
    db.close();
  });

  it('scores quintiles 1-5 by rank, recency reversed', () => {
    assert.deepEqual(quintileScores([10, 20, 30, 40, 50], true), [1, 2, 3, 4, 5]);
    assert.deepEqual(quintileScores([10, 20, 30, 40, 50], false), [5, 4, 3, 2, 1]);
    assert.deepEqual(quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], true), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('names the classic RFM groups', () => {
    assert.equal(rfmGroup(5, 5), 'Champions');
    assert.equal(rfmGroup(4, 4), 'Loyal');
    assert.equal(rfmGroup(1, 5), "Can't Lose Them");
    assert.equal(rfmGroup(2, 3), 'At Risk');
    assert.equal(rfmGroup(1, 1), 'Hibernating');
    assert.equal(rfmGroup(5, 1), 'New Customers');
    assert.equal(rfmGroup(4, 2), 'Potential Loyalists');
  });

  it('parses ISO, day-first and month-first dates', () => {
    assert.equal(parseDate('2010-12-01', false), Date.UTC(2010, 11, 1));
    assert.equal(parseDate('12/1/2010 8:26', false), Date.UTC(2010, 11, 1, 8, 26));
    assert.equal(parseDate('13/1/2010', true), Date.UTC(2010, 0, 13));
    assert.ok(Number.isNaN(parseDate('soon', false)));
  });

  it('refuses RFM for a file that is not a transaction log', async () => {
    const db = openDatabase(join(dir, 'not.db'));
    const path = join(dir, 'plain.csv');
    writeFileSync(path, 'age,income\n30,100\n40,200\n');
    await assert.rejects(importTransactionsFile(db, path, { name: 'x' }), /does not look like a transaction log/);
    await importCsvText(db, 'age,income\n30,100\n40,200\n', { name: 'fine' });
    db.close();
  });
});
