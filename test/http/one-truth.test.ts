/**
 * One segmentation told one way: after a saved segmentation's segment is renamed, every
 * surface that shows that segmentation (the Clusters and Predict tabs with each chart's
 * config, the API, predictions, registrations and every export) reads the new name and playbook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, downloadWorkbook, type TestApp } from './harness.ts';

let t: TestApp;
let modelId = 0;
let oldName = '';
const NEW_NAME = 'Bargain hunters';
const PLAYBOOK = 'Weekly coupons on staples.';
const customer = { age: 41, annual_income: 115000, spending_score: 84, membership_years: 6, purchase_frequency: 9.5, last_purchase_amount: 480 };

before(async () => {
  t = await createTestApp();
  oldName = (await request(t.app).get('/api/segments?dataset=1&k=4').expect(200)).body.segments[0].name;
  modelId = (await request(t.app).post('/api/models?dataset=1&k=4&name=Autumn').expect(201)).body.id;
  await request(t.app).patch(`/api/models/${modelId}/segments/0`).send({ name: NEW_NAME, playbook: PLAYBOOK }).expect(200);
});
after(() => t.close());

/** Every chart config a page carries, parsed from its data-chart attributes. */
function chartConfigs(html: string): { data: { labels?: (string | string[])[]; datasets: { label?: string }[] } }[] {
  const decode = (s: string) => s.replaceAll('&#34;', '"').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
  return [...html.matchAll(/data-chart="([^"]*)"/g)].map((m) => JSON.parse(decode(m[1])));
}

/** Labels of a chart that name segments: its axis labels or its datasets' legend labels. */
function segmentLabels(config: ReturnType<typeof chartConfigs>[number]): string[] {
  // An axis label wrapped onto lines is an array of them.
  const labels = (config.data.labels ?? []).map((l) => (Array.isArray(l) ? l.join(' ') : l));
  return [...labels, ...config.data.datasets.map((d) => d.label ?? '')].filter((l) => /^\d+\. /.test(l));
}

describe('a renamed segment on every surface', () => {
  it('the Clusters tab: tables, cards and every chart say the new name, downloads name the saved segmentation', async () => {
    const html = (await request(t.app).get('/clusters?dataset=1&k=4').expect(200)).text;
    assert.ok(!html.includes(oldName), `"${oldName}" still appears on the Clusters tab`);
    assert.ok(html.includes(`1. ${NEW_NAME}`));
    assert.ok(html.includes(PLAYBOOK));
    const configs = chartConfigs(html);
    const naming = configs.filter((c) => segmentLabels(c).length > 0);
    assert.ok(naming.length >= 5, `${naming.length} charts name segments`);
    for (const config of naming) assert.ok(segmentLabels(config).includes(`1. ${NEW_NAME}`), `a chart labels segment 1 ${JSON.stringify(segmentLabels(config))}`);
    for (const file of ['segments.csv', 'segments.xlsx', 'customers.csv', 'customers.xlsx']) assert.ok(html.includes(`/export/${file}?model=${modelId}"`), `${file} link carries model=${modelId}`);
  });

  it('the Predict tab and its charts say the new name', async () => {
    const html = (await request(t.app).get('/predict?dataset=1&k=4').expect(200)).text;
    assert.ok(!html.includes(oldName), `"${oldName}" still appears on the Predict tab`);
    const configs = chartConfigs(html).filter((c) => segmentLabels(c).length > 0);
    assert.ok(configs.length >= 2);
    for (const config of configs) assert.ok(segmentLabels(config).includes(`1. ${NEW_NAME}`));
  });

  it('the API, predictions and registrations say the new name and playbook', async () => {
    const segments = (await request(t.app).get('/api/segments?dataset=1&k=4').expect(200)).body;
    assert.equal(segments.segments[0].name, NEW_NAME);
    assert.equal(segments.segments[0].playbook, PLAYBOOK);
    assert.deepEqual(segments.model, { id: modelId, name: 'Autumn' });
    const names = segments.segments.map((s: { name: string }) => s.name);
    const predicted = (await request(t.app).post('/api/predict?dataset=1&k=4').send({ customer }).expect(200)).body;
    assert.equal(predicted.name, names[predicted.segment]);
    const registered = (await request(t.app).post('/api/customers?dataset=1&k=4').send(customer).expect(201)).body.customers[0];
    assert.equal(registered.name, names[registered.segment]);
  });

  it('every export by parameters says the new name and playbook', async () => {
    const segmentsCsv = (await request(t.app).get('/export/segments.csv?dataset=1&k=4').expect(200)).text;
    assert.ok(segmentsCsv.split('\n')[1].startsWith(`1,${NEW_NAME},`));
    assert.ok(segmentsCsv.split('\n')[1].includes(PLAYBOOK));
    assert.ok(!segmentsCsv.includes(oldName));
    const customersCsv = (await request(t.app).get('/export/customers.csv?dataset=1&k=4').expect(200)).text;
    assert.ok(customersCsv.includes(`,1,${NEW_NAME},${PLAYBOOK},`));
    assert.ok(!customersCsv.includes(oldName));
    const book = await downloadWorkbook(t.app, '/export/segments.xlsx?dataset=1&k=4');
    const sheet = book.worksheets[0];
    assert.equal(sheet.getRow(2).getCell(2).value, NEW_NAME);
    const playbookColumn = (sheet.getRow(1).values as unknown[]).indexOf('playbook');
    assert.ok(playbookColumn > 0);
    assert.equal(sheet.getRow(2).getCell(playbookColumn).value, PLAYBOOK);
  });
});
