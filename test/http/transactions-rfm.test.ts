/**
 * A transaction log as a marketer meets it: imported as lines, every tab says so and offers
 * one row per customer; made into RFM (from the file or from the stored lines), the default
 * features are the values, not their scores, segments are named by the RFM groups they
 * mostly are, and every segment shows its top and trending products.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * 120 customers over 120 days: loyal ones buy every week (tea, and lately more and more
 * "Gift box"), occasional ones now and then, lapsed ones only in the first month.
 */
function transactionLog(): string {
  const lines = ['InvoiceNo,InvoiceDate,CustomerID,Description,Quantity,UnitPrice'];
  let invoice = 1000;
  for (let c = 0; c < 120; c++) {
    const kind = c % 3;
    const days = kind === 0 ? Array.from({ length: 17 }, (_, w) => w * 7 + (c % 5)) : kind === 1 ? [3, 40, 77, 110 - (c % 9)] : [2 + (c % 20)];
    for (const day of days) {
      const when = START + day * DAY;
      const gift = kind === 0 && day >= 90 ? 'Gift box' : kind === 0 ? 'Green tea' : kind === 1 ? 'Mug' : 'Tea towel';
      lines.push(`${invoice++},${isoDay(when)},${5000 + c},${gift},${1 + (c % 7)},${(kind === 0 ? 12.5 : 4.25).toFixed(2)}`);
      if (kind === 0 && day >= 90) lines.push(`${invoice++},${isoDay(when)},${5000 + c},Green tea,1,3.00`);
    }
  }
  return lines.join('\n');
}

describe('transaction logs', () => {
  let linesId = 0;

  it('says on every tab that a log imported as lines holds purchases, not customers, and offers RFM', async () => {
    const res = await request(t.app).post('/api/datasets?name=Shop%20lines').set('Content-Type', 'text/csv').send(transactionLog()).expect(201);
    linesId = res.body.id;
    for (const path of ['/', '/clusters', '/predict']) {
      const html = (await request(t.app).get(`${path}?dataset=${linesId}&k=3`).expect(200)).text;
      assert.match(html, /Each row here is a purchase, not a customer/, path);
      assert.match(html, new RegExp(`action="/datasets/${linesId}/rfm"`), path);
    }
    const sample = (await request(t.app).get('/clusters?dataset=1&k=3').expect(200)).text;
    assert.doesNotMatch(sample, /Each row here is a purchase/);
  });

  it('makes one row per customer from the stored lines, with top and trending products per segment', async () => {
    const made = await request(t.app).post(`/api/datasets/${linesId}/rfm`).send({}).expect(201);
    assert.equal(made.body.name, 'Shop lines (RFM)');
    assert.equal(made.body.rowCount, 120);
    const roles = Object.fromEntries(made.body.columns.map((c: { name: string; role: string }) => [c.name, c.role]));
    assert.deepEqual([roles.recency_days, roles.frequency, roles.monetary, roles.r_score, roles.rfm_segment], ['recency', 'count', 'money', 'derived', 'derived']);
    const segments = (await request(t.app).get(`/api/segments?dataset=${made.body.id}&k=3`).expect(200)).body;
    assert.deepEqual(segments.params.features, ['recency_days', 'frequency', 'monetary', 'tenure_days', 'average_order_value'], 'the values, not their scores');
    const loyal = segments.segments.find((s: { products: { top: { product: string }[] } }) => s.products.top.some((p) => p.product === 'Gift box'));
    assert.ok(loyal, 'a segment buys gift boxes');
    assert.equal(loyal.products.trending[0].product, 'Gift box', 'gift boxes grew in the last 30 days');
    assert.ok(loyal.products.trending[0].growth > 0.2);
    const shares = loyal.products.top.map((p: { share: number }) => p.share);
    assert.ok(Math.abs(shares.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-9, 'two products make all its lines');
    const html = (await request(t.app).get(`/clusters?dataset=${made.body.id}&k=3`).expect(200)).text;
    assert.match(html, /<strong>Top products:<\/strong> [^<]*Green tea/);
    assert.match(html, /<strong>Trending:<\/strong> Gift box \(\+\d+\.\d pts\)/);
  });

  it('names RFM segments by the groups they mostly are', async () => {
    const res = await request(t.app).post('/api/datasets?name=Shop%20RFM&rfm=true').set('Content-Type', 'text/csv').send(transactionLog()).expect(201);
    const segments = (await request(t.app).get(`/api/segments?dataset=${res.body.id}&k=3`).expect(200)).body.segments as { name: string }[];
    const groups = /Champions|Loyal|At Risk|Hibernating|Can't Lose Them|About to Sleep|Need Attention|Promising|New Customers|Potential Loyalists/;
    assert.ok(segments.filter((s) => groups.test(s.name)).length >= 2, segments.map((s) => s.name).join(' | '));
  });

  it('refuses to make customers of a dataset that is no transaction log, and takes a name', async () => {
    const refused = await request(t.app).post('/api/datasets/1/rfm').send({}).expect(400);
    assert.match(refused.body.error, /does not look like a transaction log/);
    await request(t.app).post(`/api/datasets/${linesId}/rfm`).send({ nmae: 'x' }).expect(400);
    const named = await request(t.app).post(`/api/datasets/${linesId}/rfm`).send({ name: 'Customers of the shop' }).expect(201);
    assert.equal(named.body.name, 'Customers of the shop');
  });

  it('the notice\'s button makes the customers and opens their Clusters tab', async () => {
    const res = await request(t.app).post(`/datasets/${linesId}/rfm`).type('form').send({}).expect(303);
    assert.match(res.headers.location, /^\/clusters\?dataset=\d+$/);
  });
});
