import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

describe('JSON API', () => {
  it('lists datasets with their columns', async () => {
    const res = await request(t.app).get('/api/datasets').expect(200);
    assert.equal(res.body.length, 1);
    const [d] = res.body;
    assert.equal(d.rowCount, 2400);
    assert.equal(d.version, 1);
    assert.deepEqual(Object.keys(d.columns[0]).sort(), ['kind', 'missing', 'name', 'note', 'role', 'roleNote', 'sentinel', 'unusable']);
  });

  it('returns segments with metrics and centroids in original units', async () => {
    const res = await request(t.app).get('/api/segments?k=4').expect(200);
    assert.equal(res.body.params.k, 4);
    for (const key of ['inertia', 'silhouette', 'daviesBouldin', 'calinskiHarabasz']) assert.equal(typeof res.body.metrics[key], 'number');
    assert.equal(res.body.segments.length, 4);
    const sizes = res.body.segments.map((s: { size: number }) => s.size);
    assert.equal(sizes.reduce((a: number, b: number) => a + b), 2400);
    for (const s of res.body.segments) {
      assert.equal(typeof s.name, 'string');
      assert.ok(s.share > 0 && s.share <= 1);
      assert.equal(typeof s.centroid.age, 'number');
    }
  });

  it('honours every option and is reproducible for the same seed', async () => {
    const q = '/api/segments?k=3&features=age,spending_score,gender&algorithm=agglomerative&scaling=minmax&missing=median&outliers=iqr-clip&seed=7';
    const a = await request(t.app).get(q).expect(200);
    const b = await request(t.app).get(q).expect(200);
    assert.deepEqual(a.body, b.body);
    assert.equal(a.body.params.algorithm, 'agglomerative');
    assert.ok('gender=Female' in a.body.segments[0].centroid);
    const dbscan = await request(t.app).get('/api/segments?algorithm=dbscan&eps=0.8&minPts=8').expect(200);
    assert.equal(dbscan.body.params.eps, 0.8);
    assert.equal(typeof dbscan.body.noise, 'number');
  });

  it('returns the sweep over k with a recommended k and its rule', async () => {
    const res = await request(t.app).get('/api/sweep').expect(200);
    assert.deepEqual(res.body.rows.map((r: { k: number }) => r.k), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(res.body.recommendedK >= 2 && res.body.recommendedK <= 10);
    assert.match(res.body.rule, /silhouette/);
    const narrow = await request(t.app).get('/api/sweep?kMin=3&kMax=5').expect(200);
    assert.equal(narrow.body.rows.length, 3);
  });

  it('predicts a customer: segment, name and a distance per segment', async () => {
    const res = await request(t.app).post('/api/predict?k=4').send({ customer: { age: 24, annual_income: 40000, spending_score: 80, membership_years: 1, purchase_frequency: 12, last_purchase_amount: 110 } }).expect(200);
    assert.equal(typeof res.body.segment, 'number');
    assert.equal(typeof res.body.name, 'string');
    assert.equal(res.body.distances.length, 4);
  });

  const badRequests: [string, string, RegExp][] = [
    ['an unknown algorithm', '/api/segments?algorithm=magic', /algorithm must be one of kmeans, minibatch, agglomerative, dbscan/],
    ['k out of range', '/api/segments?k=1', /k must be at least 2/],
    ['a non-numeric k', '/api/segments?k=five', /k must be a number/],
    ['an unknown feature', '/api/segments?features=age,shoe_size', /Unknown feature "shoe_size"/],
    ['an identifier as a feature', '/api/segments?features=customer_id,age', /identifier/],
    ['eps <= 0', '/api/segments?algorithm=dbscan&eps=0', /eps must be greater than 0/],
    ['a repeated parameter', '/api/segments?k=3&k=4', /"k" is given more than once/],
    ['an unknown dataset', '/api/segments?dataset=999', /no dataset with id 999/],
    ['an inverted sweep range', '/api/sweep?kMin=6&kMax=3', /kMax \(3\) must not be below kMin \(6\)/],
  ];
  for (const [what, url, message] of badRequests) {
    it(`answers ${what} with a 4xx naming the problem`, async () => {
      const res = await request(t.app).get(url);
      assert.ok(res.status >= 400 && res.status < 500, String(res.status));
      assert.match(res.body.error, message);
    });
  }

  it('rejects a prediction with an unknown field, a wrong type or no customer', async () => {
    const unknown = await request(t.app).post('/api/predict').send({ customer: { age: 30, shoe_size: 44 } }).expect(400);
    assert.match(unknown.body.error, /Unknown field "shoe_size"/);
    const wrongType = await request(t.app).post('/api/predict').send({ customer: { age: 'old' } }).expect(400);
    assert.match(wrongType.body.error, /"age" must be a number/);
    const missing = await request(t.app).post('/api/predict').send({}).expect(400);
    assert.match(missing.body.error, /customer/);
    const malformed = await request(t.app).post('/api/predict').set('Content-Type', 'application/json').send('{"customer": ').expect(400);
    assert.match(malformed.body.error, /not valid JSON/);
  });
});
