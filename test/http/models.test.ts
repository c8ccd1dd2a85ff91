import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { buildServices } from '../../server/services.ts';
import { generateCustomers } from '../../data/synthetic-customers.ts';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const probes = generateCustomers(40, 99).map(({ customer_id: _id, gender: _g, preferred_category: _c, ...numeric }) => numeric);

describe('saved segmentations', () => {
  let five: number;
  let four: number;

  it('saves the current segmentation; the first saved becomes active', async () => {
    const res = await request(t.app).post('/api/models?k=5&name=Five%20segments').expect(201);
    five = res.body.id;
    assert.equal(res.body.active, true);
    assert.equal(res.body.k, 5);
    const second = await request(t.app).post('/api/models?k=4&name=Four').expect(201);
    four = second.body.id;
    assert.equal(second.body.active, false);
    await request(t.app).post('/api/models?k=4&name=Four').expect(409);
    const list = await request(t.app).get('/api/models').expect(200);
    assert.deepEqual(list.body.map((m: { name: string }) => m.name), ['Five segments', 'Four']);
  });

  it('predicts with the active model when no segmentation is named, and registers with it', async () => {
    const viaActive = await request(t.app).post('/api/predict').send({ customer: probes[0] }).expect(200);
    assert.equal(viaActive.body.model.id, five);
    assert.equal(viaActive.body.distances.length, 5);
    const explicit = await request(t.app).post('/api/predict?k=4').send({ customer: probes[0] }).expect(200);
    assert.equal(explicit.body.model, null);
    const registered = await request(t.app).post('/api/customers').send(probes[1]).expect(201);
    const stored = t.db.prepare('SELECT model FROM customer_segments WHERE row_id = ?').pluck().get(registered.body.customers[0].id);
    assert.equal(stored, `saved:${five}`);
  });

  it('uses one segmentation for the Predict tab and its Register button, and names the saved one', async () => {
    const fields = { dataset: '1', 'c:age': '30', 'c:annual_income': '120000', 'c:spending_score': '85', 'c:membership_years': '3', 'c:purchase_frequency': '9', 'c:last_purchase_amount': '400' };
    const query = new URLSearchParams(fields).toString();
    const page = await request(t.app).get(`/predict?${query}`).set('HX-Request', 'true').expect(200);
    assert.match(page.text, /Assigned by the active saved segmentation “Five segments”/);
    const shown = /id="predicted-segment">(\d+)\. ([^<]+)</.exec(page.text)!;
    const registered = await request(t.app).post('/customers').set('HX-Request', 'true').type('form').send(fields).expect(201);
    assert.ok(registered.text.includes(`segment <strong>${shown[1]}. ${shown[2]}`), `registered as shown: ${registered.text}`);
    // Settings named in the URL: the tab and its button both use those.
    const explicitPage = await request(t.app).get(`/predict?${query}&k=4`).set('HX-Request', 'true').expect(200);
    assert.doesNotMatch(explicitPage.text, /Assigned by the active saved segmentation/);
    const explicitShown = /id="predicted-segment">(\d+)\. ([^<]+)</.exec(explicitPage.text)!;
    const explicitRegistered = await request(t.app).post('/customers').set('HX-Request', 'true').type('form').send({ ...fields, k: '4' }).expect(201);
    assert.ok(explicitRegistered.text.includes(`segment <strong>${explicitShown[1]}. ${explicitShown[2]}`), explicitRegistered.text);
  });

  it('takes a whole customer record, ignoring and listing the columns the segmentation does not use', async () => {
    const record = { customer_id: 'CRM-1', gender: 'Female', preferred_category: 'Books', ...probes[2] };
    const res = await request(t.app).post('/api/predict?k=4&features=age,annual_income').send({ customer: record }).expect(200);
    assert.deepEqual(res.body.ignored.sort(), ['customer_id', 'gender', 'last_purchase_amount', 'membership_years', 'preferred_category', 'purchase_frequency', 'spending_score']);
    const unknown = await request(t.app).post('/api/predict?k=4').send({ customer: { ...record, shoe_size: 42 } }).expect(400);
    assert.match(unknown.body.error, /Unknown field "shoe_size": the dataset's columns are "customer_id", "age"/);
  });

  it('exports to JSON and imports back with identical predictions', async () => {
    const exported = await request(t.app).get(`/api/models/${five}/export`).expect(200).expect('Content-Disposition', /attachment/);
    const imported = await request(t.app).post('/api/models/import?name=From%20the%20warehouse').set('Content-Type', 'application/json').send(exported.text).expect(201);
    assert.equal(imported.body.source, 'imported');
    await request(t.app).post(`/api/models/${imported.body.id}/activate`).expect(200);
    for (const customer of probes) {
      const a = await request(t.app).post('/api/predict').send({ customer }).expect(200);
      assert.equal(a.body.model.id, imported.body.id);
      await request(t.app).post(`/api/models/${five}/activate`).expect(200);
      const b = await request(t.app).post('/api/predict').send({ customer }).expect(200);
      await request(t.app).post(`/api/models/${imported.body.id}/activate`).expect(200);
      assert.deepEqual([a.body.segment, a.body.distances], [b.body.segment, b.body.distances]);
    }
    await request(t.app).post(`/api/models/${five}/activate`).expect(200);
  });

  it('rejects an import that is not a model or does not fit the dataset', async () => {
    const notJson = await request(t.app).post('/api/models/import?name=x').set('Content-Type', 'application/json').send('{oops').expect(400);
    assert.match(notJson.body.error, /not valid JSON/);
    const exported = JSON.parse((await request(t.app).get(`/api/models/${five}/export`)).text);
    exported.centroids[0] = [1, 2];
    const bad = await request(t.app).post('/api/models/import?name=y').set('Content-Type', 'application/json').send(JSON.stringify(exported)).expect(400);
    assert.match(bad.body.error, /centroids\[0\] must have 6 values, one per output column, not 2/);
    exported.centroids[0] = exported.centroids[1];
    // A model made on other columns, consistent in itself: its steps, options and output names agree.
    const renamed = exported.preprocessor.numeric[0].name;
    exported.preprocessor.numeric[0].name = 'shoe_size';
    exported.options.features = exported.options.features.map((f: string) => (f === renamed ? 'shoe_size' : f));
    exported.preprocessor.outputNames = exported.preprocessor.outputNames.map((f: string) => (f === renamed ? 'shoe_size' : f));
    const wrongColumn = await request(t.app).post('/api/models/import?name=z').set('Content-Type', 'application/json').send(JSON.stringify(exported)).expect(400);
    assert.match(wrongColumn.body.error, /"shoe_size", which this dataset does not have/);
  });

  it('compares two segmentations: sizes, centre shifts and adjusted Rand index', async () => {
    const res = await request(t.app).get(`/api/models/compare?a=${five}&b=${four}`).expect(200);
    assert.equal(res.body.a.sizes.length, 5);
    assert.equal(res.body.b.sizes.length, 4);
    assert.ok(res.body.adjustedRandIndex > 0.5 && res.body.adjustedRandIndex <= 1);
    assert.equal(res.body.centroidShifts.length, 4);
    const page = await request(t.app).get(`/models/compare?a=${five}&b=${four}`).set('HX-Request', 'true').expect(200);
    assert.match(page.text, /adjusted Rand index/);
    // Every segment of both in the table: the fifth, with no match in the four, on its own row.
    const table = /<table class="prep">([\s\S]*?)<\/table>/.exec(page.text)![1];
    for (let i = 1; i <= 5; i++) assert.match(table, new RegExp(`<th scope="row">${i}\\. `), `segment ${i} of five`);
    assert.match(table, /no match in/);
    assert.equal((table.match(/<tr>/g) ?? []).length, 1 + 5);
  });

  it('renames a segment from its profile card: a confirmation, and the Clusters view it came from reloaded', async () => {
    const res = await request(t.app).patch(`/models/${five}/segments/0/card`).set('HX-Request', 'true').set('HX-Current-URL', 'http://localhost/clusters?dataset=1&k=5')
      .type('form').send({ segmentName: 'Card name', playbook: 'Call them.' }).expect(200);
    assert.match(res.text, /Saved: segment 1 is now “Card name”/);
    assert.match(res.text, /hx-get="\/clusters\?dataset=1&amp;k=5"[^>]*hx-target="#cluster-results"/);
    assert.equal((await request(t.app).get(`/api/models/${five}`).expect(200)).body.segmentNames[0], 'Card name');
    const elsewhere = await request(t.app).patch(`/models/${five}/segments/0/card`).set('HX-Current-URL', 'http://evil.example/steal').type('form').send({ segmentName: 'Card name' }).expect(200);
    assert.doesNotMatch(elsewhere.text, /hx-get/, 'only a Clusters view of this dashboard is reloaded');
    await request(t.app).patch(`/models/${five}/segments/0/card`).type('form').send({ segmentName: 'a\u0007b' }).expect(400);
  });

  it('reports drift of customers registered since the fit', async () => {
    const res = await request(t.app).get(`/api/models/${five}/drift`).expect(200);
    assert.ok(res.body.newCustomers >= 1);
    assert.equal(res.body.features.length, 6);
    assert.equal(typeof res.body.retrainRecommended, 'boolean');
    const panel = await request(t.app).get('/models').set('HX-Request', 'true').expect(200);
    assert.match(panel.text, /Drift since the active model was fitted/);
    assert.match(panel.text, /Five segments/);
  });

  it('deletes a saved segmentation', async () => {
    await request(t.app).delete(`/api/models/${four}`).expect(204);
    await request(t.app).get(`/api/models/${four}`).expect(404);
  });
});

describe('background retraining', () => {
  it('refits the active model after N registrations, keeping segment numbers and names', async () => {
    const services = buildServices(t.db, { retrain: { afterCustomers: 20, afterMinutes: 1e9 } });
    const { models } = services;
    const app = createApp({ db: t.db, ...services });
    const before = (await request(app).get('/api/models').expect(200)).body.find((m: { active: boolean }) => m.active);
    const young = probes.slice(0, 25);
    await request(app).post('/api/customers').send(young).expect(201);
    await models.settled();
    const [retrain] = models.retrainsOf(before.datasetId);
    assert.ok(retrain && retrain.background && retrain.outcome !== 'failed', JSON.stringify(models.retrainsOf(before.datasetId)));
    const panel = await request(app).get('/models').set('HX-Request', 'true').expect(200);
    assert.match(panel.text, new RegExp(`Retrained in the background[^<]*: (refitted|kept the current fit)`), 'the panel lists it');
    const after = (await request(app).get(`/api/models/${before.id}`).expect(200)).body;
    if (retrain.outcome === 'refitted') {
      assert.equal(after.refits, before.refits + 1);
      assert.deepEqual(after.segmentNames, before.segmentNames);
    } else {
      assert.equal(after.refits, before.refits);
    }
    // Drift restarts from the refit when it was accepted.
    const drift = (await request(app).get(`/api/models/${before.id}/drift`)).body;
    assert.ok(drift.newCustomers <= 27);
  });
});

describe('the models service owns every change to a saved segmentation', () => {
  it('announces save, activate, rename, delete and import to open dashboards', async () => {
    const { ModelService } = await import('../../server/models/model-service.ts');
    const { parseSegmentationParams } = await import('../../server/web/params.ts');
    const announced: number[] = [];
    const models = new ModelService(t.db, t.engine, { afterCustomers: 1e9, afterMinutes: 1e9 }, (id) => announced.push(id));
    const params = parseSegmentationParams({ k: '3', seed: '31' }, t.db);
    const saved = await models.saveFit(params, 'Announced');
    assert.deepEqual(announced, [1], 'saving');
    await models.activate(saved.id);
    await models.labelSegment(saved.id, 0, { name: 'Told everyone' });
    const copy = await models.importModel(1, 'Imported copy', JSON.stringify(saved.pipeline));
    await models.delete(copy.id);
    assert.deepEqual(announced, [1, 1, 1, 1, 1], 'activating, renaming, importing and deleting');
  });

  it('records a background retrain that fails, and the models panel shows why', async () => {
    const services = buildServices(t.db, { retrain: { afterCustomers: 1, afterMinutes: 1e9 } });
    const app = createApp({ db: t.db, ...services });
    // The worker's table work fails (a full disk, say): the registration still succeeds.
    services.engine.onTable = async () => { throw new Error('the disk is full'); };
    await request(app).post('/api/customers').send(probes.slice(0, 2)).expect(201);
    await services.models.settled();
    const [failure] = services.models.retrainsOf(1);
    assert.equal(failure.outcome, 'failed');
    assert.equal(failure.reason, 'the disk is full');
    const panel = await request(createApp({ db: t.db, ...buildServices(t.db) })).get('/models').set('HX-Request', 'true').expect(200);
    assert.doesNotMatch(panel.text, /the disk is full/, 'another server process keeps its own record');
    services.engine.onTable = Object.getPrototypeOf(services.engine).onTable;
    const own = await request(app).get('/models').set('HX-Request', 'true').expect(200);
    assert.match(own.text, /Retrained in the background after new customers: failed \(the disk is full\)/);
  });

  it('stamps retrains with the clock it is given', async () => {
    const { ModelService } = await import('../../server/models/model-service.ts');
    const active = (await request(t.app).get('/api/models').expect(200)).body.find((m: { active: boolean }) => m.active);
    const models = new ModelService(t.db, t.engine, { afterCustomers: 1e9, afterMinutes: 1e9 }, () => {}, () => new Date('2031-02-03T04:05:00Z'));
    await models.retrain(active.id);
    assert.equal(models.retrainsOf(1)[0].at, '2031-02-03T04:05:00.000Z');
    assert.equal(models.retrainsOf(1)[0].background, false);
    await assert.rejects(models.retrain((await request(t.app).get('/api/models').expect(200)).body.find((m: { active: boolean }) => !m.active).id), /Only the active segmentation is retrained/);
  });
});
