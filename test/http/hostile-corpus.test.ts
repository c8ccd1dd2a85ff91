/**
 * A corpus of hostile requests, generated from tables: every query parameter with values of
 * the wrong type, out of range or repeated, on every route that reads them; path ids that
 * are no ids; JSON bodies of the wrong shape; uploads that are no CSV; headers that lie.
 * Each answer is a 4xx (never a 5xx) with a message that names what to fix, and what is
 * stored (datasets, row counts, versions, models, customers) is as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { Db } from '../../server/store/db.ts';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
let modelId = 0;
/** The kept model as its export gives it: import cases change one thing in a copy. */
let exported: Record<string, unknown> = {};
before(async () => {
  t = await createTestApp();
  modelId = (await request(t.app).post('/api/models?dataset=1&k=3&name=Kept').expect(201)).body.id;
  exported = JSON.parse((await request(t.app).get(`/api/models/${modelId}/export`).expect(200)).text);
});
after(() => t.close());

function storedState(db: Db): string {
  const datasets = db.prepare('SELECT id, name, row_count, version FROM datasets ORDER BY id').all();
  const models = db.prepare('SELECT id, name, active, pipeline FROM saved_models ORDER BY id').all();
  const customers = db.prepare('SELECT COUNT(*) AS n FROM customer_segments').get();
  return JSON.stringify({ datasets, models, customers });
}

interface Case {
  what: string;
  send: () => request.Test;
  /** The expected status: one number, or any 4xx. */
  status: number | '4xx';
  /** What the message must say, so a person knows what to fix. */
  message: RegExp;
}

const cases: Case[] = [];
const add = (what: string, send: () => request.Test, status: Case['status'], message: RegExp) => cases.push({ what, send, status, message });

// Every segmentation parameter, wrong in each way it can be, on each route that reads it.
const BAD_VALUES: Record<string, [string, RegExp][]> = {
  dataset: [['abc', /dataset must be a number/], ['0', /dataset must be at least 1/], ['99999', /No dataset|not found|no dataset/i], ['1.5', /dataset must be a whole number/]],
  k: [['abc', /k must be a number/], ['1', /k must be at least 2/], ['21', /k must be at most 20/], ['2.5', /k must be a whole number/], ['1e400', /k must be/], ['-3', /k must be at least 2/]],
  features: [['nope', /nope/], ['age,"nope', /never closed/], [',,,', /features names no column/], ['customer_id', /identifier column and cannot be a feature/]],
  algorithm: [['svm', /algorithm must be one of/], ['KMEANS', /algorithm must be one of/]],
  scaling: [['log', /scaling must be one of/]],
  missing: [['guess', /missing must be one of/]],
  outliers: [['all', /outliers must be one of/]],
  seed: [['-1', /seed must be at least 0/], ['x', /seed must be a number/], ['4294967296', /seed must be at most/]],
  eps: [['0', /eps must be greater than 0/], ['1001', /eps must be at most 1000/], ['NaN', /eps must be a number/]],
  minPts: [['0', /minPts must be at least 1/], ['5000', /minPts must be at most 1000/]],
  nInit: [['0', /nInit must be at least 1/], ['51', /nInit must be at most 50/]],
  batchSize: [['8', /batchSize must be at least 16/], ['100001', /batchSize must be at most 100000/]],
  iterations: [['0', /iterations must be at least 1/], ['10001', /iterations must be at most 10000/]],
  kMin: [['1', /kMin must be at least 2/], ['30', /kMin must be at most 20/]],
  kMax: [['21', /kMax must be at most 20/], ['x', /kMax must be a number/]],
  minShare: [['0.9', /minShare must be at most 0.5/], ['-0.1', /minShare must be at least 0/], ['lots', /minShare must be a number/]],
};
const PARAM_ROUTES = ['/api/segments', '/api/sweep', '/clusters', '/export/customers.csv'];
for (const [name, values] of Object.entries(BAD_VALUES)) {
  values.forEach(([value, message], i) => {
    // Each value on one route in turn, so every route sees every parameter.
    const route = PARAM_ROUTES[(i + name.length) % PARAM_ROUTES.length];
    const status = name === 'dataset' && value === '99999' ? 404 : 400;
    add(`${route} with ${name}=${value}`, () => request(t.app).get(route).query({ [name]: value }), status, message);
  });
  add(`/api/segments with ${name} given twice`, () => request(t.app).get(`/api/segments?${name}=1&${name}=2`), 400, name === 'features' ? /feature|column/i : new RegExp(`"${name}" is given more than once`));
}
add('/api/segments with kMin above kMax', () => request(t.app).get('/api/segments?kMin=8&kMax=4'), 400, /kMin|kMax/);
add('/export/segments.xlsx with an unknown feature', () => request(t.app).get('/export/segments.xlsx?features=%3Cscript%3E'), 400, /&lt;script&gt;|<script>/);
add('/predict with k out of range', () => request(t.app).get('/predict?k=99'), 400, /k must be at most 20/);
add('/ with an unknown dataset', () => request(t.app).get('/?dataset=424242'), 404, /dataset/i);
add('/customers with a dataset of letters', () => request(t.app).get('/customers?dataset=abc'), 400, /dataset must be a number/);
add('DBSCAN with a k-means-only parameter out of range', () => request(t.app).get('/api/segments?algorithm=dbscan&eps=-1'), 400, /eps must be greater than 0/);

// Path ids that are not ids of anything.
for (const id of ['abc', '0', '-1', '1.5', '99999', '1e3', '%00', "1'%20OR%20'1'='1"]) {
  const missing = /^(0|99999|1e3)$/.test(id);
  add(`GET /api/models/${id}`, () => request(t.app).get(`/api/models/${id}`), missing ? 404 : '4xx', /segmentation|id/i);
  add(`GET /api/models/${id}/export`, () => request(t.app).get(`/api/models/${id}/export`), missing ? 404 : '4xx', /segmentation|id/i);
  add(`DELETE /api/datasets/${id}`, () => request(t.app).delete(`/api/datasets/${id}`), missing ? 404 : '4xx', /dataset|id/i);
  add(`POST /datasets/${id}/rename`, () => request(t.app).post(`/datasets/${id}/rename`).type('form').send('name=x'), missing ? 404 : '4xx', /dataset|id/i);
}
add('GET /api/models/compare without b', () => request(t.app).get(`/api/models/compare?a=${modelId}`), 400, /b \(the id of a saved segmentation\) must be/);
add('GET /api/models/compare with a of letters', () => request(t.app).get('/api/models/compare?a=x&b=1'), 400, /a \(the id of a saved segmentation\) must be a positive whole number/);
add('GET /api/models/compare with an unknown model', () => request(t.app).get(`/api/models/compare?a=${modelId}&b=99999`), 404, /no saved segmentation with id 99999/);
add('POST /api/models/:id/activate of an unknown model', () => request(t.app).post('/api/models/99999/activate'), 404, /no saved segmentation with id 99999/);
add('GET /api/models/:id/drift of an unknown model', () => request(t.app).get('/api/models/99999/drift'), 404, /no saved segmentation with id 99999/);
add('POST /api/models/:id/retrain of an unknown model', () => request(t.app).post('/api/models/99999/retrain'), 404, /no saved segmentation with id 99999/);
add('POST /datasets/preview/:token with an unknown token', () => request(t.app).post('/datasets/preview/not-a-token').type('form').send('x=1'), '4xx', /upload|preview|again/i);
add('POST /datasets/import/:token with a path in the token', () => request(t.app).post('/datasets/import/..%2F..%2Fetc%2Fpasswd').type('form').send('name=x'), '4xx', /upload|preview|again/i);

// JSON bodies of the wrong shape.
const json = (path: string, body: string) => () => request(t.app).post(path).set('Content-Type', 'application/json').send(body);
const customer = { age: 41, annual_income: 115000, spending_score: 84, membership_years: 6, purchase_frequency: 9.5, last_purchase_amount: 480 };
const PREDICT_BODIES: [string, string, RegExp][] = [
  ['no body', '', /customer/],
  ['not JSON', '{"customer": ', /JSON/],
  ['a list', '[1,2,3]', /customer/],
  ['a customer that is a list', '{"customer": [41, 115000]}', /customer/],
  ['a customer that is text', '{"customer": "rich"}', /customer/],
  ['a customer with no features', '{"customer": {}}', /Give at least one of this segmentation's features/],
  ['an age of text', JSON.stringify({ customer: { ...customer, age: 'old' } }), /age/],
  ['an age that is an object', JSON.stringify({ customer: { ...customer, age: { $gt: 1 } } }), /must be a number, text or null/],
  ['an age past any number', JSON.stringify({ customer: { ...customer, age: '1e400' } }), /age/],
  ['a __proto__ key', '{"customer": {"__proto__": {"age": 1}}}', /__proto__|Give at least one/],
  ['a constructor key', JSON.stringify({ customer: { constructor: 5 } }), /Unknown field "constructor"/],
  ['JSON nested 10,000 deep', `{"customer": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, /customer|deep|nested/i],
  ['a null customer', '{"customer": null}', /customer/],
];
for (const [what, body, message] of PREDICT_BODIES) add(`POST /api/predict with ${what}`, json('/api/predict?k=4', body), 400, message);
add('POST /api/predict as text/plain', () => request(t.app).post('/api/predict').set('Content-Type', 'text/plain').send('age=41'), '4xx', /JSON|application\/json|customer/);
add('POST /api/predict with a 3 MB body', json('/api/predict', JSON.stringify({ customer, pad: 'x'.repeat(3_000_000) })), 413, /too large|limit/i);
add('POST /api/predict with an unknown k', json('/api/predict?k=abc', JSON.stringify({ customer })), 400, /k must be a number/);

const REGISTER_BODIES: [string, string, RegExp][] = [
  ['an empty object', '{}', /customer|value|column/i],
  ['an empty list', '[]', /customer/i],
  ['a list of numbers', '[1, 2]', /customer|object/i],
  ['text for a number', JSON.stringify({ ...customer, spending_score: 'high' }), /spending_score/],
  ['an unknown column', JSON.stringify({ ...customer, shoe_size: 44 }), /shoe_size/],
  ['a spending score of 1e308', JSON.stringify({ ...customer, spending_score: 1e308 }), /spending_score/],
  ['a value that is an object', JSON.stringify({ ...customer, age: { $ne: null } }), /age|number, text or null/],
  ['10,001 customers', JSON.stringify(Array.from({ length: 10_001 }, () => customer)), /at most|too many|too large/i],
  ['a good customer and a bad one (all or nothing)', JSON.stringify([customer, { ...customer, age: 'x' }]), /age/],
  ['a __proto__ field', '{"__proto__": {"age": 1}, "age": 30}', /__proto__|field|column/],
];
for (const [what, body, message] of REGISTER_BODIES) add(`POST /api/customers with ${what}`, json('/api/customers', body), '4xx', message);

const MODEL_BODIES: [string, string, RegExp][] = [
  ['no body', '', /model|JSON|format/i],
  ['a number', '42', /must be a JSON object or array/],
  ['a string', '"model"', /must be a JSON object or array/],
  ['a list', '[]', /model/],
  ['an unknown format', '{"format": "pmml"}', /format must be/],
];
for (const [what, body, message] of MODEL_BODIES) add(`POST /api/models/import with ${what}`, json('/api/models/import?dataset=1&name=X', body), 400, message);
add('POST /api/models without a name', () => request(t.app).post('/api/models?dataset=1&k=3'), 400, /Name the segmentation/);
add('POST /api/models with a 10,000-character name', () => request(t.app).post(`/api/models?dataset=1&k=3&name=${'n'.repeat(10_000)}`), 400, /1 to 80 characters/);
add('POST /api/models with k = 1', () => request(t.app).post('/api/models?dataset=1&k=1&name=One'), 400, /k must be at least 2/);
add('PATCH /api/datasets/:id with no name', () => request(t.app).patch('/api/datasets/1').set('Content-Type', 'application/json').send('{}'), 400, /name/);
add('PATCH /api/datasets/:id with a name of 10,000 characters', () => request(t.app).patch('/api/datasets/1').set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(10_000) })), 400, /name/);
add('PATCH /api/datasets/:id with a name that is a list', () => request(t.app).patch('/api/datasets/1').set('Content-Type', 'application/json').send('{"name": ["a"]}'), 400, /name/);

// Uploads that are no CSV a person meant.
const upload = (csv: string | Buffer, name = 'Upload') => () => request(t.app).post(`/api/datasets?name=${encodeURIComponent(name)}`).set('Content-Type', 'text/csv').send(csv);
const UPLOADS: [string, string | Buffer, RegExp][] = [
  ['an empty body', '', /empty|no rows|header/i],
  ['only a header', 'a,b\n', /no rows|at least|customers/i],
  ['one column of text', 'name\nann\nbob\ncy\n', /numeric|number|analys/i],
  ['an unclosed quote', 'a,b\n"1,2\n3,4\n', /quote/i],
  ['a duplicated header', 'a,a\n1,2\n3,4\n', /a.*twice|more than once|duplicate/i],
  ['an empty header name', 'a,\n1,2\n3,4\n', /name|header|empty/i],
  ['rows of the wrong length', 'a,b\n1,2,3\n4,5\n', /row 2|columns|fields/i],
  ['binary bytes', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe]), /CSV|text|UTF-8|binary/i],
  ['UTF-16 text', Buffer.from('\ufeffa,b\n1,2\n3,4\n', 'utf16le'), /UTF-16 text.*CSV UTF-8/],
  ['a NUL in a cell', 'a,b\n1,2\n3\u00004\n', /NUL|binary|character/i],
  ['10,001 columns', `${Array.from({ length: 10_001 }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(10_000)}1\n`, /imports at most 1,000/],
  ['a header named __proto__ and toString only', '__proto__,toString\nx,y\nz,w\n', /numeric|number|analys/i],
];
for (const [what, csv, message] of UPLOADS) add(`POST /api/datasets with ${what}`, upload(csv), 400, message);
add('POST /api/datasets without a name', () => request(t.app).post('/api/datasets').set('Content-Type', 'text/csv').send('a,b\n1,2\n3,4\n'), 400, /name/);
add('POST /api/datasets with a name of 1,000 characters', upload('a,b\n1,2\n3,4\n', 'x'.repeat(1000)), 400, /name/);
add('POST /api/datasets with a name of spaces', upload('a,b\n1,2\n3,4\n', '   '), 400, /name/);
add('POST /api/datasets with a kind override of an unknown kind', () => request(t.app).post('/api/datasets?name=K&kind:a=money').set('Content-Type', 'text/csv').send('a,b\n1,2\n3,4\n'), 400, /kind/);
add('POST /api/datasets with a kind override of an unknown column', () => request(t.app).post('/api/datasets?name=K&kind:zzz=numeric').set('Content-Type', 'text/csv').send('a,b\n1,2\n3,4\n'), 400, /zzz/);
add('POST /api/datasets with a kind override named toString', () => request(t.app).post('/api/datasets?name=K&kind:toString=id').set('Content-Type', 'text/csv').send('a,b\n1,2\n3,4\n'), 400, /toString/);
add('POST /api/datasets as JSON', () => request(t.app).post('/api/datasets?name=J').set('Content-Type', 'application/json').send('{"a": 1}'), '4xx', /CSV|text\/csv|multipart/i);
add('POST /api/datasets with a declared length it never sends', () => request(t.app).post('/api/datasets?name=L').set('Content-Type', 'text/csv').set('Content-Length', '0').send(''), 400, /empty|no rows|header/i);

// Forms and headers.
add('POST /datasets/:id/rename with an empty name', () => request(t.app).post('/datasets/1/rename').type('form').send('name='), 400, /name/);
add('POST /datasets/:id/rename with a name given twice', () => request(t.app).post('/datasets/1/rename').type('form').send('name=a&name=b'), 400, /name/);
add('POST /customers with a form of text for numbers', () => request(t.app).post('/customers?dataset=1').type('form').send('c:age=old&c:annual_income=x'), 400, /age(&#34;|")? must be a (finite )?number/);
add('POST /models with no name', () => request(t.app).post('/models?dataset=1&k=3').type('form').send('name='), 400, /name/);
add('POST /api/predict with a Content-Type of nonsense', () => request(t.app).post('/api/predict').set('Content-Type', 'application/x-nonsense').send('{}'), '4xx', /JSON|customer/);
add('POST /api/predict with Content-Encoding deflate over plain text', () => request(t.app).post('/api/predict').set('Content-Type', 'application/json').set('Content-Encoding', 'deflate').send('{"customer":{}}'), 400, /decompress/);
add('POST /api/predict with charset utf-16 over UTF-8 bytes', () => request(t.app).post('/api/predict').set('Content-Type', 'application/json; charset=utf-16').send('{}'), 400, /not valid JSON/);
add('POST /api/predict with charset shift_jis', () => request(t.app).post('/api/predict').set('Content-Type', 'application/json; charset=shift_jis').send('{}'), 415, /charset "shift_jis" is not supported/);

// Nothing given is ignored: unknown parameters and fields, blank numbers, numbers for
// categories, parameters the algorithm does not read, names with control characters, model
// imports with more than a model or options that disagree with their steps.
const predict = (query: string, body: unknown) => json(`/api/predict${query}`, JSON.stringify(body));
add('POST /api/predict with k in the body', predict('', { customer, k: 6 }), 400, /Unknown field "k"; the fields are customer/);
add('POST /api/predict with features and model in the body', predict('', { customer, features: ['age'], model: 1 }), 400, /Unknown fields "features", "model"/);
add('POST /api/predict with custmer beside customer', predict('', { customer, custmer: { age: 1 } }), 400, /Unknown field "custmer"/);
add('POST /api/predict?model=ID', () => predict(`?model=${modelId}`, { customer })(), 400, /Unknown parameter "model"; the parameters here are dataset, k,/);
add('POST /api/predict with a blank age', predict('?k=4', { customer: { ...customer, age: ' ' } }), 400, /"age" is blank/);
add('POST /api/predict with a number for a category', predict('?k=4&features=age,gender', { customer: { age: 40, gender: 5 } }), 400, /"gender" is a category .*got the number 5: send it as text/);
// Without clipping (the default clips it to the fence, and then places it).
add('POST /api/predict of a mixture for an age of 1e300', predict('?k=3&algorithm=gmm&nInit=2&outliers=none', { customer: { ...customer, age: 1e300 } }), 400, /"age" is too far outside/);
add('/api/segments with minShare of a space', () => request(t.app).get('/api/segments?minShare=%20'), 400, /minShare is blank/);
add('/api/segments with an unknown parameter', () => request(t.app).get('/api/segments?k=4&colour=red'), 400, /Unknown parameter "colour"/);
add('/clusters with a misspelt parameter', () => request(t.app).get('/clusters?k=4&sead=7'), 400, /Unknown parameter (&#34;|")sead/);
add('/api/segments with eps for a mixture', () => request(t.app).get('/api/segments?algorithm=gmm&k=3&eps=0.5'), 400, /eps does not apply to the gmm algorithm/);
add('/api/segments with batchSize for a mixture', () => request(t.app).get('/api/segments?algorithm=gmm&k=3&batchSize=256'), 400, /batchSize does not apply to the gmm algorithm/);
add('/api/segments with k for DBSCAN', () => request(t.app).get('/api/segments?algorithm=dbscan&k=3'), 400, /k does not apply to the dbscan algorithm/);
add('/api/segments with nInit for Ward', () => request(t.app).get('/api/segments?algorithm=agglomerative&k=3&nInit=5'), 400, /nInit does not apply/);
add('/api/segments of a mixture past the work bound', () => request(t.app).get('/api/segments?algorithm=gmm&k=20&nInit=50'), 400, /units of work; one request may ask for 10,000,000/);
add('/api/sweep of mixtures past the work bound', () => request(t.app).get('/api/sweep?algorithm=gmm&kMax=20&nInit=50'), 400, /units of work/);
add('/export/segments.csv with model= and other parameters', () => request(t.app).get(`/export/segments.csv?model=${modelId}&dataset=999999&algorithm=bogus`), 400, /leave out (&#34;|")dataset(&#34;|"), (&#34;|")algorithm/);
add('/export/customers.csv with model= and k', () => request(t.app).get(`/export/customers.csv?model=${modelId}&k=4`), 400, /leave out (&#34;|")k(&#34;|")/);
add('GET score.sql with tabel=', () => request(t.app).get(`/api/models/${modelId}/score.sql?tabel=x`), 400, /Unknown field "tabel"/);
add('GET score.sql with an empty schema', () => request(t.app).get(`/api/models/${modelId}/score.sql?table=.customers`), 400, /empty part/);
for (const [what, name] of [['a NUL', 'a\u0000b'], ['a BEL', 'ring\u0007'], ['a line break', 'two\nlines']] as const) {
  add(`PATCH a segment name with ${what}`, () => request(t.app).patch(`/api/models/${modelId}/segments/0`).send({ name }), 400, /must not hold control characters/);
  add(`POST /api/models with a name with ${what}`, () => request(t.app).post(`/api/models?dataset=1&k=3&name=${encodeURIComponent(name)}`), 400, /must not hold control characters/);
  add(`PATCH /api/datasets/:id with a name with ${what}`, () => request(t.app).patch('/api/datasets/1').send({ name }), 400, /must not hold control characters/);
}
add('PATCH /api/datasets/:id with an unknown field', () => request(t.app).patch('/api/datasets/1').send({ name: 'ok', colour: 'red' }), 400, /Unknown field "colour"/);
const importing = (what: string, change: (model: Record<string, any>) => void, message: RegExp) => add(`POST /api/models/import with ${what}`, () => {
  const model = structuredClone(exported) as Record<string, any>;
  change(model);
  return request(t.app).post('/api/models/import?dataset=1&name=Imported').set('Content-Type', 'application/json').send(JSON.stringify(model));
}, 400, message);
importing('an unknown field', (m) => (m.pad = 'x'.repeat(1000)), /Unrecognized key: "pad"|pad/);
importing('an unknown option', (m) => (m.options.notes = 'x'.repeat(1000)), /options.*notes|notes/);
importing('fewer features in its options than its steps', (m) => (m.options.features = m.options.features.slice(1)), /options.features must list the features the steps transform/);
importing('options.k = 7 with 3 centres', (m) => (m.options.k = 7), /options.k must be the number of centres, 3, not 7/);
importing('a scaling rule its steps do not have', (m) => (m.options.scaling = m.options.scaling === 'minmax' ? 'robust' : 'minmax'), /options.scaling must be the preprocessor's scaling rule/);
importing('a segment name of 81 characters', (m) => (m.segmentNames[0] = 'n'.repeat(81)), /1 to 80 characters/);
importing('an empty segment name', (m) => (m.segmentNames[0] = ''), /1 to 80 characters/);
importing('a segment name with a line break', (m) => (m.segmentNames[0] = 'a\nb'), /control characters/);
add('POST /models/import (the panel) with a 3 MB file', () => request(t.app).post('/models/import').field('dataset', '1').field('modelName', 'Big').attach('file', Buffer.from(JSON.stringify({ ...exported, pad: 'x'.repeat(3_000_000) })), 'model.json'), 413, /too large|limit|at most/i);

describe('a corpus of hostile requests', { timeout: 240_000 }, () => {
  before(async () => {
    // The dataset's own version must stay as it is: the registration cases would change it.
    await request(t.app).get('/api/segments?dataset=1&k=3').expect(200);
  });

  it(`has at least 150 cases (${cases.length})`, () => assert.ok(cases.length >= 150));

  for (const c of cases) {
    it(`${c.what} → ${c.status}`, async () => {
      const before = storedState(t.db);
      const res = await c.send();
      if (c.status === '4xx') assert.ok(res.status >= 400 && res.status < 500, `${c.what}: ${res.status} ${res.text.slice(0, 300)}`);
      else assert.equal(res.status, c.status, `${c.what}: ${res.text.slice(0, 300)}`);
      const message = typeof res.body?.error === 'string' ? res.body.error : res.text;
      assert.match(message, c.message, `${c.what}: the message does not say what to fix: ${message.slice(0, 300)}`);
      assert.equal(storedState(t.db), before, `${c.what} changed what is stored`);
    });
  }
});
