/** Why this segment, as the API, the Predict tab and the customers export give it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const customer = { age: 41, annual_income: 115000, spending_score: 84, membership_years: 6, purchase_frequency: 9.5, last_purchase_amount: 480 };

describe('explanations', () => {
  it('POST /api/predict explains the segment: runner-up, margin, borderline and one share per feature adding up to the margin', async () => {
    const res = await request(t.app).post('/api/predict?k=4').send({ customer }).expect(200);
    const why = res.body.explanation;
    assert.ok(why.runnerUp >= 0 && why.runnerUp !== res.body.segment);
    const d = res.body.distances as number[];
    assert.ok(Math.abs(why.margin - (d[why.runnerUp] ** 2 - d[res.body.segment] ** 2)) < 1e-9);
    assert.deepEqual(why.contributions.map((c: { feature: string }) => c.feature).sort(), Object.keys(customer).sort());
    const sum = why.contributions.reduce((s: number, c: { contribution: number }) => s + c.contribution, 0);
    assert.ok(Math.abs(sum - why.margin) < 1e-9);
    assert.equal(typeof why.borderline, 'boolean');
    const score = why.contributions.find((c: { feature: string }) => c.feature === 'spending_score');
    assert.equal(score.value, 84);
  });

  it('the Predict tab shows it in business units', async () => {
    const qs = Object.entries(customer).map(([k, v]) => `c:${k}=${v}`).join('&');
    const page = await request(t.app).get(`/predict?k=4&${qs}`).set('HX-Request', 'true').expect(200);
    assert.match(page.text, /id="prediction-why"/);
    assert.match(page.text, /Why \d\. .+ and not \d\. /);
    assert.match(page.text, /<th scope="row">spending_score<\/th>\s*<td class="num">84<\/td><td class="num">average [\d.,]+<\/td><td class="num">[\d.,]+<\/td>/);
  });

  it('the customers export gives each customer its two main reasons', async () => {
    const csv = await request(t.app).get('/export/customers.csv?k=4').expect(200);
    const [header, first] = csv.text.split('\n');
    assert.match(header, /,segment,segment name,playbook,main reason,second reason\r?$/);
    assert.match(first, /,"?\w+ [\d.,]+ \(segment [\d.,]+, runner-up [\d.,]+\)"?/);
  });
});
