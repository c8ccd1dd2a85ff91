/** One segment's customers in one download, identifier first, as a campaign tool imports them. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, downloadWorkbook, type TestApp } from './harness.ts';
import { segmentsOnDashboard } from '../support/warehouse.ts';

let t: TestApp;
let model: { id: number; segmentNames: string[] };
before(async () => {
  t = await createTestApp();
  model = (await request(t.app).post('/api/models?dataset=1&k=4&name=Audiences').expect(201)).body;
  await request(t.app).post(`/api/models/${model.id}/activate`).expect(200);
});
after(() => t.close());

const csvLines = (text: string) => text.trim().split('\n').map((l) => l.replace(/\r$/, ''));

describe('audiences', () => {
  it('downloads exactly the customers the segmentation puts in the segment, customer_id first', async () => {
    const expected = await segmentsOnDashboard(t.app, model.id);
    const ids = (await request(t.app).get(`/export/customers.csv?model=${model.id}`).expect(200)).text.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    for (const segment of [0, 3]) {
      const res = await request(t.app).get(`/api/models/${model.id}/segments/${segment}/members.csv`).expect(200).expect('Content-Type', /text\/csv/);
      assert.match(res.headers['content-disposition'], /-audience\.csv/);
      const [header, ...rows] = csvLines(res.text);
      assert.equal(header.split(',')[0], 'customer_id');
      assert.ok(header.endsWith('segment name,playbook'));
      const members = ids.filter((_, i) => expected[i] === String(segment + 1));
      assert.deepEqual(rows.map((r) => r.split(',')[0]), members);
      for (const row of rows) assert.ok(row.includes(model.segmentNames[segment]));
    }
  });

  it('follows registrations: a customer registered with its own id is in its segment\'s audience', async () => {
    const customer = { customer_id: 'NEW-0042', age: 29, gender: 'Female', annual_income: 142000, spending_score: 91, membership_years: 1, purchase_frequency: 14, last_purchase_amount: 510, preferred_category: 'Electronics' };
    const [registered] = (await request(t.app).post('/api/customers').send(customer).expect(201)).body.customers;
    const audience = (await request(t.app).get(`/api/models/${model.id}/segments/${registered.segment}/members.csv`).expect(200)).text;
    assert.match(audience, /^NEW-0042,/m);
  });

  it('downloads the same audience as a workbook', async () => {
    const csv = csvLines((await request(t.app).get(`/api/models/${model.id}/segments/1/members.csv`).expect(200)).text);
    const book = await downloadWorkbook(t.app, `/api/models/${model.id}/segments/1/members.xlsx`);
    const sheet = book.getWorksheet('Audience')!;
    assert.equal(sheet.rowCount, csv.length);
    assert.equal(String(sheet.getRow(2).getCell(1).value), csv[1].split(',')[0]);
  });

  it('answers a segment that does not exist with a 404 that says which do', async () => {
    const missing = await request(t.app).get(`/api/models/${model.id}/segments/9/members.csv`).expect(404);
    assert.match(missing.body.error, /segments 0 to 3; there is no segment 9/);
    await request(t.app).get(`/api/models/${model.id}/segments/first/members.csv`).expect(404);
    await request(t.app).get('/api/models/99999/segments/0/members.csv').expect(404);
  });
});
