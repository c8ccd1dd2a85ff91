import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const htmx = { 'HX-Request': 'true' };

describe('pages', () => {
  it('serves the health check', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok', liveClients: 0 });
  });

  it('serves the Overview with row and column counts and a column summary', async () => {
    const res = await request(t.app).get('/').expect(200).expect('Content-Type', /html/);
    assert.match(res.text, /<html/);
    assert.match(res.text, /2,400<\/span><span class="kpi-label">Customers/);
    assert.match(res.text, /9<\/span><span class="kpi-label">Columns/);
    for (const column of ['annual_income', 'spending_score', 'preferred_category']) assert.match(res.text, new RegExp(`<th scope="row">${column}</th>`));
    assert.match(res.text, /data-chart=/);
  });

  it('answers an htmx request to the Overview with the partial only', async () => {
    const res = await request(t.app).get('/').set(htmx).expect(200);
    assert.doesNotMatch(res.text, /<html/);
    assert.match(res.text, /Customers/);
  });

  it('serves the Clusters tab with controls, scatter and sizes', async () => {
    const res = await request(t.app).get('/clusters').expect(200);
    assert.match(res.text, /<input type="range" id="k" name="k" min="2" max="20"/);
    assert.match(res.text, /id="cluster-scatter"/);
    assert.match(res.text, /id="cluster-sizes"/);
    for (const control of ['algorithm', 'scaling', 'missing', 'outliers', 'seed']) assert.match(res.text, new RegExp(`name="${control}"`));
    assert.match(res.text, /data-k="4"/, 'defaults to the recommended k (k = 5 splits off six bulk buyers, under the 2% smallest share)');
  });

  it('re-runs k-means for a new k through htmx and renders that many segments', async () => {
    const res = await request(t.app).get('/clusters?k=3').set(htmx).expect(200);
    assert.doesNotMatch(res.text, /<html/);
    assert.match(res.text, /data-k="3" data-segments="3"/);
    const chart = /id="cluster-scatter"[^]*?data-chart="([^"]+)"/.exec(res.text)![1];
    const config = JSON.parse(chart.replace(/&#34;/g, '"').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'"));
    // three segments plus the centre markers
    assert.equal(config.data.datasets.length, 4);
    assert.equal(config.type, 'scatter');
  });

  it('serves the Predict tab with one input per feature and a prediction', async () => {
    const res = await request(t.app).get('/predict?k=4').expect(200);
    for (const f of ['age', 'annual_income', 'spending_score', 'membership_years', 'purchase_frequency', 'last_purchase_amount']) {
      assert.match(res.text, new RegExp(`name="c:${f}"`));
    }
    assert.match(res.text, /id="predicted-segment"/);
  });

  it('predicts the customer typed into the form through htmx', async () => {
    const high = await request(t.app).get('/predict?k=4&c:age=40&c:annual_income=120000&c:spending_score=85&c:membership_years=6&c:purchase_frequency=9&c:last_purchase_amount=480').set(htmx).expect(200);
    assert.doesNotMatch(high.text, /<html/);
    assert.match(high.text, /id="predicted-segment">\d\. High income, big spenders/);
  });

  it('answers a bad parameter with 400 and a message that names it', async () => {
    const res = await request(t.app).get('/clusters?k=99').expect(400);
    assert.match(res.text, /k must be at most 20/);
    const partial = await request(t.app).get('/clusters?features=age,nope').set(htmx).expect(400);
    assert.match(partial.text, /Unknown feature &#34;nope&#34;|Unknown feature "nope"/);
    assert.doesNotMatch(partial.text, /<html/);
  });

  it('answers an unknown page with 404', async () => {
    await request(t.app).get('/nowhere').expect(404);
  });

  it('serves htmx and Chart.js from node_modules, not a CDN', async () => {
    await request(t.app).get('/vendor/htmx/htmx.min.js').expect(200).expect('Content-Type', /javascript/);
    await request(t.app).get('/vendor/chart.js/chart.umd.min.js').expect(200);
    await request(t.app).get('/static/app.js').expect(200);
    const page = await request(t.app).get('/clusters');
    assert.doesNotMatch(page.text, /cdn|unpkg|jsdelivr/i);
  });
});
