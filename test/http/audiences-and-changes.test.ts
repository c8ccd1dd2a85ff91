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

describe('the change feed', () => {
  it('lists every customer\'s entry on activation, then each registration, in order after ?since=', async () => {
    const feed = (await request(t.app).get(`/api/models/${model.id}/changes?limit=10000`).expect(200)).body.changes as {
      seq: number; at: string; customerId: string; from: number | null; fromName: string | null; to: number | null; toName: string | null; cause: string;
    }[];
    const entries = feed.filter((c) => c.cause === 'activation');
    const expected = (await segmentsOnDashboard(t.app, model.id)).filter((s) => s !== '').length;
    // The customer registered since entered by its registration, not the activation.
    assert.equal(entries.length, expected - 1, 'every customer the segmentation placed entered it on activation');
    assert.ok(entries.every((c) => c.from === null && c.to !== null && c.toName === model.segmentNames[c.to!]));
    const registration = feed.find((c) => c.customerId === 'NEW-0042');
    assert.ok(registration, 'the registered customer entered, by its own id');
    assert.equal(registration.cause, 'registration');
    assert.ok(feed.every((c, i) => i === 0 || c.seq > feed[i - 1].seq));
    const after = (await request(t.app).get(`/api/models/${model.id}/changes?since=${registration.seq - 1}`).expect(200)).body.changes;
    assert.equal(after[0].customerId, 'NEW-0042');
    const bad = await request(t.app).get(`/api/models/${model.id}/changes?since=-1`).expect(400);
    assert.match(bad.body.error, /since/);
  });

  it('records the customers a retrain moves, with the retrain as the cause', async () => {
    const lastSeq = async () => {
      const all = (await request(t.app).get(`/api/models/${model.id}/changes?limit=10000`).expect(200)).body.changes as { seq: number }[];
      return all.at(-1)!.seq;
    };
    const before = await lastSeq();
    const probes = Array.from({ length: 30 }, (_, i) => ({ customer_id: `R-${i}`, age: 20 + i, gender: 'Male', annual_income: 20000 + 4000 * i, spending_score: 90 - 2 * i, membership_years: i % 9, purchase_frequency: 3 + (i % 12), last_purchase_amount: 50 + 15 * i, preferred_category: 'Sports' }));
    await request(t.app).post('/api/customers').send(probes).expect(201);
    const answer = (await request(t.app).post(`/api/models/${model.id}/retrain`).expect(200)).body as { accepted: boolean };
    const after = (await request(t.app).get(`/api/models/${model.id}/changes?since=${before}&limit=10000`).expect(200)).body.changes as { cause: string; from: number | null; to: number | null }[];
    assert.equal(after.filter((c) => c.cause === 'registration').length, 30);
    const panel = (await request(t.app).get('/models?dataset=1').set('HX-Request', 'true').expect(200)).text;
    assert.match(panel, /aria-label="Segment sizes of “Audiences” over time, from its change feed"/, 'the sizes chart follows the feed');
    if (!answer.accepted) assert.match(panel, /was last fitted: <strong>31<\/strong> customers entered its segments/, 'NEW-0042 and the 30 since');
    else assert.doesNotMatch(panel, /was last fitted:/, 'the feed counts from the retrain');
    const moves = after.filter((c) => c.cause === 'retrain');
    if (!answer.accepted) assert.equal(moves.length, 0, 'a retrain that kept the fit moves nobody');
    for (const m of moves) assert.notEqual(m.from, m.to);
  });
});
