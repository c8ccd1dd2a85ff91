/** Soft segments: algorithm=gmm through the API, the Predict tab, the sweep and saved models. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const customer = { age: 41, annual_income: 115000, spending_score: 84, membership_years: 6, purchase_frequency: 9.5, last_purchase_amount: 480 };

describe('Gaussian mixture segments', () => {
  it('fits with algorithm=gmm and says what it fitted', async () => {
    const res = await request(t.app).get('/api/segments?algorithm=gmm&k=4&nInit=3').expect(200);
    assert.equal(res.body.segments.length, 4);
    assert.equal(res.body.params.algorithm, 'gmm');
    const sizes = res.body.segments.map((s: { size: number }) => s.size);
    assert.equal(sizes.reduce((a: number, b: number) => a + b, 0), 2400);
  });

  it('predicts a probability for each segment, the segment being the most probable, with no distance explanation', async () => {
    const res = await request(t.app).post('/api/predict?algorithm=gmm&k=4&nInit=3').send({ customer }).expect(200);
    const p = res.body.probabilities as number[];
    assert.equal(p.length, 4);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(res.body.segment, p.indexOf(Math.max(...p)));
    assert.equal(res.body.explanation, null);
    const qs = Object.entries(customer).map(([k, v]) => `c:${k}=${v}`).join('&');
    const page = await request(t.app).get(`/predict?algorithm=gmm&k=4&nInit=3&${qs}`).set('HX-Request', 'true').expect(200);
    assert.match(page.text, /id="prediction-probabilities"/);
    assert.match(page.text, /Probability of each segment/);
  });

  it('reports each k\'s BIC in the sweep', async () => {
    const res = await request(t.app).get('/api/sweep?algorithm=gmm&kMax=5&nInit=2').expect(200);
    assert.ok(res.body.rows.every((r: { bic?: number }) => Number.isFinite(r.bic)));
    assert.equal(res.body.rows.length, 4);
  });

  it('saves, exports and imports a mixture with its weights and variances, and assigns with it', async () => {
    const saved = await request(t.app).post('/api/models?algorithm=gmm&k=3&nInit=2&name=Soft').expect(201);
    const exported = JSON.parse((await request(t.app).get(`/api/models/${saved.body.id}/export`).expect(200)).text);
    assert.equal(exported.gmm.weights.length, 3);
    assert.ok(Math.abs(exported.gmm.weights.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-9);
    assert.equal(exported.gmm.variances[0].length, exported.centroids[0].length);
    await request(t.app).post('/api/models/import?dataset=1&name=Soft%20copy').set('Content-Type', 'application/json').send(JSON.stringify(exported)).expect(201);
    const broken = { ...exported, gmm: { ...exported.gmm, weights: [0.5, 0.5, 0.5] } };
    const refused = await request(t.app).post('/api/models/import?dataset=1&name=Broken').set('Content-Type', 'application/json').send(JSON.stringify(broken)).expect(400);
    assert.match(refused.body.error, /gmm\.weights must add up to 1/);
    // The first saved model is the active one: predictions without parameters use the mixture.
    const predicted = await request(t.app).post('/api/predict').send({ customer }).expect(200);
    assert.equal(predicted.body.model.name, 'Soft');
    assert.equal(predicted.body.probabilities.length, 3);
  });
});
