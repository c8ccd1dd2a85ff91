/** Names and playbooks of a saved segmentation's segments: set, kept, carried and shown. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { renumber } from '../../server/segmentation/retrain.ts';
import type { SegmentationResult } from '../../server/segmentation/pipeline.ts';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
let id = 0;
before(async () => {
  t = await createTestApp();
  id = (await request(t.app).post('/api/models?dataset=1&k=3&name=Spring').expect(201)).body.id;
});
after(() => t.close());

const patch = (path: string, body: unknown) => request(t.app).patch(path).set('Content-Type', 'application/json').send(JSON.stringify(body));
const customer = { age: 41, annual_income: 115000, spending_score: 84, membership_years: 6, purchase_frequency: 9.5, last_purchase_amount: 480 };

describe('segment names and playbooks', () => {
  it('PATCH /api/models/:id/segments/:segment renames a segment and sets its playbook; GET shows both', async () => {
    const res = await patch(`/api/models/${id}/segments/1`, { name: 'Weekend big spenders', playbook: 'Early access to the spring collection; no discounts.' }).expect(200);
    assert.equal(res.body.segments[1].name, 'Weekend big spenders');
    assert.equal(res.body.segments[1].playbook, 'Early access to the spring collection; no discounts.');
    const got = (await request(t.app).get(`/api/models/${id}`).expect(200)).body;
    assert.deepEqual(got.segments.map((s: { index: number }) => s.index), [0, 1, 2]);
    assert.equal(got.segments[1].name, 'Weekend big spenders');
    assert.equal(got.segments[0].playbook, '');
    // Only the playbook: the name stays.
    const only = await patch(`/api/models/${id}/segments/1`, { playbook: 'Early access; invite to the launch evening.' }).expect(200);
    assert.equal(only.body.segments[1].name, 'Weekend big spenders');
    assert.equal(only.body.segments[1].playbook, 'Early access; invite to the launch evening.');
  });

  it('refuses a bad label with a message and changes nothing', async () => {
    const before = (await request(t.app).get(`/api/models/${id}`)).body.segments;
    const cases: [string, unknown, number, RegExp][] = [
      [`/api/models/${id}/segments/7`, { name: 'x' }, 404, /segments 0 to 2; there is no segment 7/],
      [`/api/models/${id}/segments/-1`, { name: 'x' }, 404, /segment index/],
      [`/api/models/${id}/segments/one`, { name: 'x' }, 404, /segment index/],
      ['/api/models/99999/segments/0', { name: 'x' }, 404, /no saved segmentation with id 99999/],
      [`/api/models/${id}/segments/0`, {}, 400, /a name, a playbook or both/],
      [`/api/models/${id}/segments/0`, { name: '' }, 400, /1 to 80 characters/],
      [`/api/models/${id}/segments/0`, { name: 'n'.repeat(81) }, 400, /1 to 80 characters/],
      [`/api/models/${id}/segments/0`, { playbook: 'p'.repeat(2001) }, 400, /at most 2,000 characters/],
      [`/api/models/${id}/segments/0`, { name: 5 }, 400, /name must be text/],
      [`/api/models/${id}/segments/0`, { name: 'x', colour: 'red' }, 400, /Unknown field "colour"; the fields are name, playbook/],
    ];
    for (const [path, body, status, message] of cases) {
      const res = await patch(path, body);
      assert.equal(res.status, status, `${path} ${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.body.error, message);
    }
    assert.deepEqual((await request(t.app).get(`/api/models/${id}`)).body.segments, before);
  });

  it('shows them in predictions, registrations and the models panel, and escapes them', async () => {
    await patch(`/api/models/${id}/segments/2`, { name: '<b>Bold</b> & co', playbook: 'Call <them>' }).expect(200);
    // The first model saved is the active one: predictions without parameters use it.
    const predicted = await request(t.app).post('/api/predict').send({ customer }).expect(200);
    const names = (await request(t.app).get(`/api/models/${id}`)).body.segmentNames;
    assert.equal(predicted.body.name, names[predicted.body.segment]);
    const registered = await request(t.app).post('/api/customers').send(customer).expect(201);
    const playbooks = (await request(t.app).get(`/api/models/${id}`)).body.segments.map((s: { playbook: string }) => s.playbook);
    const segment = registered.body.customers[0].segment;
    assert.equal(registered.body.customers[0].name, names[segment]);
    if (playbooks[segment]) assert.equal(registered.body.customers[0].playbook, playbooks[segment]);
    const panel = await request(t.app).get('/models?dataset=1').set('HX-Request', 'true').expect(200);
    assert.match(panel.text, /value="&lt;b&gt;Bold&lt;\/b&gt; &amp; co"/);
    assert.match(panel.text, /Call &lt;them&gt;<\/textarea>/);
    assert.doesNotMatch(panel.text, /<b>Bold/);
  });

  it('the panel\'s inline form renames through htmx and answers with the panel', async () => {
    const res = await request(t.app).patch(`/models/${id}/segments/0`).set('HX-Request', 'true').type('form').send('segmentName=Loyal+regulars&playbook=Thank-you+note').expect(200);
    assert.match(res.text, /Segment 1 of “Spring” is now “Loyal regulars”/);
    assert.equal((await request(t.app).get(`/api/models/${id}`)).body.segments[0].playbook, 'Thank-you note');
  });

  it('travel in the JSON export and back in through import', async () => {
    const exported = JSON.parse((await request(t.app).get(`/api/models/${id}/export`).expect(200)).text);
    assert.equal(exported.segmentNames[0], 'Loyal regulars');
    assert.equal(exported.segmentPlaybooks[0], 'Thank-you note');
    const imported = await request(t.app).post('/api/models/import?dataset=1&name=Copy').set('Content-Type', 'application/json').send(JSON.stringify(exported)).expect(201);
    const copy = (await request(t.app).get(`/api/models/${imported.body.id}`)).body;
    assert.deepEqual(copy.segments, (await request(t.app).get(`/api/models/${id}`)).body.segments);
    const wrong = { ...exported, segmentPlaybooks: ['only one'] };
    const refused = await request(t.app).post('/api/models/import?dataset=1&name=Wrong').set('Content-Type', 'application/json').send(JSON.stringify(wrong)).expect(400);
    assert.match(refused.body.error, /segmentPlaybooks must give one playbook/);
  });

  it('exports a saved segmentation with model=ID: its assignment, names and playbooks', async () => {
    const segments = await request(t.app).get(`/export/segments.csv?model=${id}`).expect(200);
    const [header, ...rows] = segments.text.trim().split('\n');
    assert.match(header, /^segment,name,customers,share,share of last_purchase_amount,recommendation,playbook,mean /);
    assert.equal(rows.length, 3);
    assert.match(rows[0], /^1,Loyal regulars,\d+,[\d.]+,[\d.]+,("[^"]*"|[^,]*),Thank-you note,/);
    const customers = await request(t.app).get(`/export/customers.csv?model=${id}`).expect(200);
    const lines = customers.text.trim().split('\n');
    assert.match(lines[0], /,segment,segment name,playbook,main reason,second reason\r?$/);
    const counted = new Map<string, number>();
    for (const line of lines.slice(1)) {
      const m = /,(\d+),(Loyal regulars|Weekend big spenders|"?<b>Bold<\/b> & co"?),/.exec(line);
      if (m) counted.set(m[1], (counted.get(m[1]) ?? 0) + 1);
    }
    const sizes = rows.map((r) => Number(r.split(',')[2]));
    assert.deepEqual([1, 2, 3].map((s) => counted.get(String(s)) ?? 0), sizes, 'the customers export agrees with the segments export');
    await request(t.app).get('/export/segments.csv?model=abc').expect(400);
    await request(t.app).get('/export/segments.csv?model=99999').expect(404);
  });

  it('survive retraining: renumbered segments keep their names and playbooks', () => {
    const result = {
      labels: Int32Array.from([0, 1, 2, 2]),
      segments: [0, 1, 2].map((id) => ({ id, name: `auto ${id}` })),
      pipeline: { centroids: [[0], [1], [2]], segmentNames: ['auto 0', 'auto 1', 'auto 2'] },
    } as unknown as SegmentationResult;
    // The refit's segment 0 matched old segment 2, 1 matched 0, 2 matched 1.
    const renumbered = renumber(result, [2, 0, 1], ['Loyal', 'Big spenders', 'New'], ['Thank them', 'Early access', 'Welcome']);
    assert.deepEqual(renumbered.pipeline.segmentNames, ['Loyal', 'Big spenders', 'New']);
    assert.deepEqual(renumbered.pipeline.segmentPlaybooks, ['Thank them', 'Early access', 'Welcome']);
    assert.deepEqual(renumbered.pipeline.centroids, [[1], [2], [0]]);
    assert.deepEqual(Array.from(renumbered.labels), [2, 0, 1, 1]);
  });
});

describe('the Clusters tab shows a saved segmentation\'s names and playbooks', () => {
  it('when the fit shown is that segmentation', async () => {
    const saved = await request(t.app).post('/api/models?dataset=1&k=4&seed=77&name=Shown').expect(201);
    await request(t.app).patch(`/api/models/${saved.body.id}/segments/0`).set('Content-Type', 'application/json').send(JSON.stringify({ name: 'Our regulars', playbook: 'Birthday voucher' })).expect(200);
    const page = await request(t.app).get('/clusters?k=4&seed=77').set('HX-Request', 'true').expect(200);
    assert.match(page.text, /<h3>1\. Our regulars<\/h3>/);
    assert.match(page.text, /Playbook:<\/strong> Birthday voucher/);
    assert.match(page.text, /saved segmentation “Shown”/);
    const other = await request(t.app).get('/clusters?k=4&seed=78').set('HX-Request', 'true').expect(200);
    assert.doesNotMatch(other.text, /Our regulars/);
  });
});
