/**
 * Every real file in ../shared/datasets, imported through the upload page's own path
 * (preview, then import), as a new user's first impression: the kinds a person would give
 * its columns, the default features, and a default view without a segment under 2 %.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SHARED_DIR } from '../unit/reference.ts';
import { createTestApp, type TestApp } from './harness.ts';

const DATASETS = join(SHARED_DIR, 'datasets');
const FILES = readdirSync(DATASETS).filter((f) => f.endsWith('.csv')).sort();

/** What a person would say of each known file's columns (SOURCES.md there). */
const EXPECTED: Record<string, { kinds: Record<string, string>; defaults: string[] }> = {
  'Mall_Customers.csv': {
    kinds: { CustomerID: 'id', Gender: 'categorical', Age: 'numeric', 'Annual Income (k$)': 'numeric', 'Spending Score (1-100)': 'numeric' },
    defaults: ['Age', 'Annual Income (k$)', 'Spending Score (1-100)'],
  },
  'Wholesale customers data.csv': {
    kinds: { Channel: 'categorical', Region: 'categorical', Fresh: 'numeric', Delicassen: 'numeric' },
    defaults: ['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'],
  },
  'Telco-Customer-Churn.csv': {
    kinds: { customerID: 'id', SeniorCitizen: 'categorical', Partner: 'categorical', tenure: 'numeric', TotalCharges: 'numeric', Churn: 'categorical' },
    defaults: ['tenure', 'MonthlyCharges', 'TotalCharges'],
  },
  'CC GENERAL.csv': {
    kinds: { CUST_ID: 'id', BALANCE: 'numeric', CREDIT_LIMIT: 'numeric', '#VALUE!': 'numeric' },
    defaults: ['BALANCE', 'BALANCE_FREQUENCY', 'PURCHASES', 'ONEOFF_PURCHASES', 'INSTALLMENTS_PURCHASES', 'CASH_ADVANCE', 'PURCHASES_FREQUENCY', 'ONEOFF_PURCHASES_FREQUENCY', 'PURCHASES_INSTALLMENTS_FREQUENCY', 'CASH_ADVANCE_FREQUENCY', 'CASH_ADVANCE_TRX', 'PURCHASES_TRX', 'CREDIT_LIMIT', 'PAYMENTS', 'MINIMUM_PAYMENTS', 'PRC_FULL_PAYMENT', 'TENURE'],
  },
};

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

interface ImportedColumn { name: string; kind: string; missing: number; note: string | null; unusable: string | null }

/** Upload, preview and import as the Datasets page does; returns the new dataset's id. */
async function importThroughUploadPage(file: string): Promise<{ id: number; preview: string }> {
  const preview = await request(t.app).post('/datasets/preview').set('HX-Request', 'true').attach('file', join(DATASETS, file)).expect(200);
  const token = /\/datasets\/import\/([a-f0-9]{32})/.exec(preview.text)?.[1];
  assert.ok(token, `the preview of ${file} offers an import`);
  await request(t.app).post(`/datasets/import/${token}`).set('HX-Request', 'true').type('form').send({ name: file }).expect(201);
  const dataset = (await request(t.app).get('/api/datasets').expect(200)).body.find((d: { name: string }) => d.name === file);
  return { id: dataset.id, preview: preview.text };
}

describe('real customer files, as a new user meets them', { timeout: 240_000 }, () => {
  it('covers the sample too: its default view has no segment of a few outliers', async () => {
    const segments = (await request(t.app).get('/api/segments?dataset=1').expect(200)).body;
    const smallest = Math.min(...segments.segments.map((s: { share: number }) => s.share));
    assert.ok(smallest >= 0.02, `smallest segment ${(smallest * 100).toFixed(2)}%`);
  });

  for (const file of FILES) {
    it(`${file}: imports through the upload page with kinds a person would give, and a usable default view`, async () => {
      const { id, preview } = await importThroughUploadPage(file);
      assert.match(preview, /class="kind-reason/, 'the preview says why each column has its kind');
      const dataset = (await request(t.app).get('/api/datasets').expect(200)).body.find((d: { id: number }) => d.id === id);
      const kinds = Object.fromEntries((dataset.columns as ImportedColumn[]).map((c) => [c.name, c.kind]));
      const expected = EXPECTED[file];
      if (expected) for (const [name, kind] of Object.entries(expected.kinds)) assert.equal(kinds[name], kind, `${file}: ${name}`);
      const segments = (await request(t.app).get(`/api/segments?dataset=${id}`).expect(200)).body;
      if (expected) assert.deepEqual(segments.params.features, expected.defaults);
      for (const name of segments.params.features) assert.equal(kinds[name], 'numeric', `${name} is a measure`);
      const shares = segments.segments.map((s: { share: number }) => s.share);
      assert.ok(Math.min(...shares) >= 0.02, `${file}: smallest default segment ${(Math.min(...shares) * 100).toFixed(2)}% (k = ${segments.segments.length})`);
      console.log(`${file}: k = ${segments.segments.length}, shares ${shares.map((s: number) => `${(s * 100).toFixed(1)}%`).join(' ')}, features ${segments.params.features.length}`);
    });
  }

  it('says what the spreadsheet-error column of CC GENERAL holds and leaves it out of the defaults', async () => {
    const dataset = (await request(t.app).get('/api/datasets').expect(200)).body.find((d: { name: string }) => d.name === 'CC GENERAL.csv');
    const column = (dataset.columns as ImportedColumn[]).find((c) => c.name === '#VALUE!')!;
    assert.match(column.note ?? '', /spreadsheet error cells \(#DIV\/0!\) read as missing/);
    assert.ok(column.missing > dataset.rowCount / 2);
  });

  it('hints that a transactions file sent through the API could be one row per customer', async () => {
    const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
    for (let i = 0; i < 300; i++) lines.push(`${536365 + Math.floor(i / 3)},${85123 + (i % 40)}A,ITEM ${i % 120},${1 + (i % 6)},12/${1 + (i % 28)}/2010 8:26,${(2.55 + (i % 9)).toFixed(2)},${i % 7 === 0 ? '' : 17850 + (i % 50)},United Kingdom`);
    const res = await request(t.app).post('/api/datasets?name=Retail').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201);
    assert.match(res.body.hint, /transaction log.*rfm=true/);
    const kinds = Object.fromEntries((res.body.columns as ImportedColumn[]).map((c) => [c.name, c.kind]));
    assert.deepEqual([kinds.InvoiceNo, kinds.StockCode, kinds.CustomerID, kinds.Description, kinds.InvoiceDate], ['id', 'id', 'id', 'text', 'date']);
  });

  it('asks how dates are written when no value tells, and imports a transaction log either way', async () => {
    const lines = ['InvoiceNo,InvoiceDate,Quantity,UnitPrice,CustomerID'];
    for (let i = 0; i < 120; i++) lines.push(`${1000 + i},0${1 + (i % 9)}/0${1 + (i % 3)}/2024 10:00,${1 + (i % 12)},${(1.5 + (i % 7)).toFixed(2)},${500 + (i % 30)}`);
    const preview = await request(t.app).post('/datasets/preview').set('HX-Request', 'true').attach('file', Buffer.from(lines.join('\n')), 'retail.csv').expect(200);
    assert.match(preview.text, /The dates in InvoiceDate could be read either way/);
    const token = /\/datasets\/import\/([a-f0-9]{32})/.exec(preview.text)![1];
    const monthFirst = await request(t.app).post('/api/datasets?name=m&rfm=true&dayFirst=false').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201);
    const dayFirst = await request(t.app).post('/api/datasets?name=d&rfm=true&dayFirst=true').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201);
    assert.equal(monthFirst.body.transactions.referenceDate.slice(0, 10), '2024-09-03');
    assert.equal(dayFirst.body.transactions.referenceDate.slice(0, 10), '2024-03-09');
    await request(t.app).post(`/datasets/import/${token}`).set('HX-Request', 'true').type('form').send({ name: 'Retail log', rfm: 'true', dayFirst: 'true' }).expect(201);
  });
});
