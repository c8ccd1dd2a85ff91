/** Customers followed between two segmentations, and across a retrain. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
let three = 0;
let five = 0;
before(async () => {
  t = await createTestApp();
  three = (await request(t.app).post('/api/models?dataset=1&k=3&name=Three').expect(201)).body.id;
  five = (await request(t.app).post('/api/models?dataset=1&k=5&name=Five').expect(201)).body.id;
});
after(() => t.close());

describe('flows between segmentations', () => {
  it('GET /api/models/compare counts the common customers in each pair of segments', async () => {
    const res = await request(t.app).get(`/api/models/compare?a=${three}&b=${five}`).expect(200);
    const { flows, a, b, commonCustomers } = res.body as { flows: number[][]; a: { sizes: number[] }; b: { sizes: number[] }; commonCustomers: number };
    assert.equal(flows.length, 3);
    assert.ok(flows.every((row) => row.length === 5));
    assert.equal(flows.flat().reduce((s, v) => s + v, 0), commonCustomers);
    assert.deepEqual(flows.map((row) => row.reduce((s, v) => s + v, 0)), a.sizes, 'each of a\'s segments, all its customers');
    assert.deepEqual([0, 1, 2, 3, 4].map((j) => flows.reduce((s, row) => s + row[j], 0)), b.sizes);
  });

  it('the compare view draws them as a flow diagram and a matrix', async () => {
    const res = await request(t.app).get(`/models/compare?a=${three}&b=${five}`).set('HX-Request', 'true').expect(200);
    assert.match(res.text, /id="model-flows"/);
    const config = JSON.parse(/data-chart="([^"]*)"/.exec(res.text)![1].replaceAll('&#34;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'"));
    assert.equal(config.type, 'sankey');
    const total = config.data.datasets[0].data.reduce((s: number, f: { flow: number }) => s + f.flow, 0);
    assert.equal(total, (await request(t.app).get(`/api/models/compare?a=${three}&b=${five}`)).body.commonCustomers);
    assert.ok(config.data.datasets[0].data.every((f: { from: string; to: string }) => /^a\d$/.test(f.from) && /^b\d$/.test(f.to)));
    assert.match(res.text, /<table class="prep flows"/);
  });

  it('after a retrain the models panel shows who moved where', async () => {
    const before = await request(t.app).get('/models?dataset=1').set('HX-Request', 'true').expect(200);
    assert.doesNotMatch(before.text, /Who moved at the last retrain/);
    const retrained = await request(t.app).post(`/api/models/${three}/retrain`).expect(200);
    if (!retrained.body.accepted) return assert.fail(`the refit on unchanged data was not accepted: ${retrained.body.reason}`);
    const panel = await request(t.app).get('/models?dataset=1').set('HX-Request', 'true').expect(200);
    assert.match(panel.text, /Who moved at the last retrain of “Three”/);
    assert.match(panel.text, /id="model-flows"/);
  });
});
