/**
 * Requests as an attacker sends them: each gets a 4xx with a message a person can act on,
 * never a 500, and changes nothing that is stored.
 */
import { ManualClock } from '../support/manual-clock.ts';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { Db } from '../../server/store/db.ts';
import { excelText, EXCEL_MAX_CELL } from '../../server/web/export-format.ts';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

/** What a bad request must leave as it was. */
function storedState(db: Db): string {
  const datasets = db.prepare('SELECT id, name, row_count, version FROM datasets ORDER BY id').all();
  const models = db.prepare('SELECT id, name, active FROM saved_models ORDER BY id').all();
  return JSON.stringify({ datasets, models });
}

const customer = { age: 41, annual_income: 115000, spending_score: 84, membership_years: 6, purchase_frequency: 9.5, last_purchase_amount: 480 };
const csv = 'a,b\n1,2\n3,4\n5,6\n';
const boundary = 'XyZ';
const multipart = (body: string) => `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n${body}`;

type Case = [string, () => request.Test, number, RegExp];
const CASES: Case[] = [
  ['multipart without a boundary (API)', () => request(t.app).post('/api/datasets').set('Content-Type', 'multipart/form-data').send(multipart(`${csv}\r\n--${boundary}--\r\n`)), 400, /no boundary/],
  ['multipart without a boundary (preview)', () => request(t.app).post('/datasets/preview').set('Content-Type', 'multipart/form-data').send(multipart(csv)), 400, /no boundary/],
  ['multipart cut before its closing boundary (API)', () => request(t.app).post('/api/datasets').set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(multipart(csv)), 400, /cut off/],
  ['multipart cut before its closing boundary (preview)', () => request(t.app).post('/datasets/preview').set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(multipart(csv)), 400, /cut off/],
  ['predict with a latin1 charset', () => request(t.app).post('/api/predict?k=4').set('Content-Type', 'application/json; charset=latin1').send(JSON.stringify({ customer })), 415, /charset "latin1" is not supported; send UTF-8/],
  ['predict with a bogus Content-Encoding', () => request(t.app).post('/api/predict?k=4').set('Content-Type', 'application/json').set('Content-Encoding', 'bogus').send(JSON.stringify({ customer })), 415, /Content-Encoding "bogus" is not supported/],
  ['predict with gzip that is not gzip', () => request(t.app).post('/api/predict?k=4').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(JSON.stringify({ customer })), 400, /does not decompress/],
  ['a rename form with 2,001 fields', () => request(t.app).post('/datasets/1/rename').type('form').send(Array.from({ length: 2001 }, (_, i) => `f${i}=x`).join('&')), 413, /too many fields/],
  ['a form in koi8-r', () => request(t.app).post('/datasets/1/rename').set('Content-Type', 'application/x-www-form-urlencoded; charset=koi8-r').send('name=x'), 415, /charset (&#34;|")koi8-r(&#34;|") is not supported/],
  ['a kind override named constructor', () => request(t.app).post('/api/datasets?name=Proto&kind:constructor=numeric').set('Content-Type', 'text/csv').send('constructor,b\nx,1\ny,2\n'), 400, /No column holds numbers|numeric but row/],
  ['k = 3 on 60 identical customers', () => request(t.app).get('/api/segments?dataset=2&k=3&features=x,y'), 400, /Every customer is the same in these features, so there are no segments to find/],
  ['a mini-batch fit of 100,000 x 10,000 visits', () => request(t.app).get('/api/segments?dataset=1&algorithm=minibatch&batchSize=100000&iterations=10000&k=20'), 400, /may visit at most 5,000,000 customers/],
  ['k = 20 on 3 distinct points', () => request(t.app).get('/api/segments?dataset=3&k=20&kMax=20'), 400, /Only 3 different customers in these features, so 20 segments/],
];

describe('hostile requests', { timeout: 120_000 }, () => {
  before(async () => {
    await request(t.app).post('/api/datasets?name=Identical').set('Content-Type', 'text/csv').send(`x,y\n${'5,7\n'.repeat(60)}`).expect(201);
    await request(t.app).post('/api/datasets?name=Three%20points').set('Content-Type', 'text/csv').send(`x,y\n${Array.from({ length: 60 }, (_, i) => ['1.5,1.5', '9.5,9.5', '1.5,9.5'][i % 3]).join('\n')}\n`).expect(201);
  });

  for (const [what, send, status, message] of CASES) {
    it(`answers ${what} with ${status} and a message, and stores nothing`, async () => {
      const before = storedState(t.db);
      const res = await send();
      assert.equal(res.status, status, `${what}: ${res.text.slice(0, 300)}`);
      assert.match(res.body?.error ?? res.text, message);
      assert.equal(storedState(t.db), before);
    });
  }

  it('decompresses a real gzip body', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/api/predict?k=4`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: gzipSync(JSON.stringify({ customer })) });
      assert.equal(res.status, 200);
      assert.ok(((await res.json()) as { segment: number }).segment >= 0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('bounds DBSCAN: too many customers, or an eps that makes everyone a neighbour, are refused with what to change', async () => {
    const { fitDbscan } = await import('../../server/analysis/cluster/dbscan.ts');
    const { createMatrix } = await import('../../server/analysis/matrix.ts');
    const many = createMatrix(20_001, 2);
    assert.throws(() => fitDbscan(many, { eps: 0.5, minPts: 5 }), /at most 20,000\); use k-means/);
    const crowd = createMatrix(4000, 2, Float64Array.from({ length: 8000 }, (_, i) => (i * 7919) % 101));
    assert.throws(() => fitDbscan(crowd, { eps: 1000, minPts: 5 }), /eps 1000 makes most customers neighbours of each other/);
  });

  it('bounds Ward\'s time: more rows than it merges in seconds are refused with what to change', async () => {
    const { wardMerges } = await import('../../server/analysis/cluster/agglomerative.ts');
    const { WARD_MAX_ROWS } = await import('../../server/defaults.ts');
    const { createMatrix } = await import('../../server/analysis/matrix.ts');
    assert.throws(() => wardMerges(createMatrix(WARD_MAX_ROWS + 1, 2)), /too slow for 20,001 customers \(at most 20,000\); fit it on a sample/);
  });

  it('cuts Excel cells at Excel’s limit with a marker', () => {
    const cut = excelText('x'.repeat(100_000));
    assert.equal(cut.length, EXCEL_MAX_CELL);
    assert.match(cut, /cut at Excel’s 32,767-character limit\]$/);
    assert.equal(excelText('=1+1'), "'=1+1");
  });
});

describe('importing a model', { timeout: 120_000 }, () => {
  let exported: Record<string, unknown>;
  before(async () => {
    const saved = await request(t.app).post('/api/models?dataset=1&k=3&name=Base').expect(201);
    exported = JSON.parse((await request(t.app).get(`/api/models/${saved.body.id}/export`).expect(200)).text);
  });

  /** A copy of the exported model with one change made to it. */
  const broken = (change: (m: Record<string, any>) => void) => {
    const copy = structuredClone(exported) as Record<string, any>;
    change(copy);
    return copy;
  };
  const MODEL_CASES: [string, (m: Record<string, any>) => void, RegExp][] = [
    ['without segmentNames', (m) => delete m.segmentNames, /segmentNames/],
    ['with an empty preprocessor', (m) => (m.preprocessor = {}), /preprocessor\.missing/],
    ['without preprocessor.numeric', (m) => delete m.preprocessor.numeric, /preprocessor\.numeric/],
    ['with outputNames a string', (m) => (m.preprocessor.outputNames = 'age'), /preprocessor\.outputNames must be a list/],
    ['without pca.mean', (m) => delete m.pca.mean, /pca\.mean/],
    ['without options', (m) => delete m.options, /options/],
    ['with dbscan.corePoints a string', (m) => (m.dbscan = { eps: 0.5, corePoints: 'x', coreLabels: [] }), /dbscan\.corePoints must be a list/],
    ['with a numeric centre of "abc"', (m) => (m.preprocessor.numeric[0].center = 'abc'), /preprocessor\.numeric\[0\]\.center must be a number/],
    ['with options.missing "bogus"', (m) => (m.options.missing = 'bogus'), /options\.missing must be one of/],
    ['with a negative scale', (m) => (m.preprocessor.numeric[1].scale = -2), /scale must be positive/],
    ['with centres of 1e200', (m) => (m.centroids = m.centroids.map((c: number[]) => c.map(() => 1e200))), /centroids\[0\]\[0\] must be within/],
    ['with centres far but finite', (m) => (m.centroids[1][2] = 5e8), /centroids\[1\]\[2\] must be within ±1e6 scaled units/],
    ['with a centre of the wrong width', (m) => m.centroids[0].pop(), /centroids\[0\] must have/],
    ['with a segment name missing', (m) => m.segmentNames.pop(), /segmentNames must name each/],
    ['asking Ward for a million-row matrix', (m) => (m.options.agglomerativeMaxRows = 1_000_000), /options\.agglomerativeMaxRows/],
    ['with 21 segments', (m) => { m.centroids = Array.from({ length: 21 }, () => m.centroids[0]); m.segmentNames = m.centroids.map((_: unknown, i: number) => `s${i}`); }, /centroids/],
  ];

  for (const [what, change, message] of MODEL_CASES) {
    it(`refuses a model ${what}, with the field's path, and stores nothing`, async () => {
      const before = storedState(t.db);
      const res = await request(t.app).post('/api/models/import?dataset=1&name=Broken').set('Content-Type', 'application/json').send(JSON.stringify(broken(change)));
      assert.equal(res.status, 400, res.text.slice(0, 300));
      assert.match(res.body.error, message);
      assert.equal(storedState(t.db), before);
    });
  }

  it('refuses 100,000 levels of nested JSON without falling over', async () => {
    const before = storedState(t.db);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await request(t.app).post('/api/models/import?dataset=1&name=Deep').set('Content-Type', 'application/json').send(deep);
    assert.ok(res.status >= 400 && res.status < 500, `${res.status}`);
    assert.equal(storedState(t.db), before);
  });

  it('refuses the 1e200-centre model at once, compares the largest centres it accepts, and answers a fit right after', async () => {
    const started = performance.now();
    const huge = broken((m) => (m.centroids = m.centroids.map((c: number[]) => c.map(() => 1e200))));
    await request(t.app).post('/api/models/import?dataset=1&name=Huge').set('Content-Type', 'application/json').send(JSON.stringify(huge)).expect(400);
    // Unscaled, centres are in the data's own units: the far edge of what passes.
    const far = broken((m) => {
      m.options.scaling = m.preprocessor.scaling = 'none';
      m.centroids = m.centroids.map((c: number[], i: number) => c.map(() => (i % 2 ? -1 : 1) * 1e15));
    });
    const farModel = await request(t.app).post('/api/models/import?dataset=1&name=Far').set('Content-Type', 'application/json').send(JSON.stringify(far)).expect(201);
    const again = await request(t.app).post('/api/models/import?dataset=1&name=Again').set('Content-Type', 'application/json').send(JSON.stringify(exported)).expect(201);
    const compared = await request(t.app).get(`/api/models/compare?a=${again.body.id}&b=${farModel.body.id}`).expect(200);
    assert.ok(Number.isFinite(compared.body.adjustedRandIndex));
    assert.ok(compared.body.centroidShifts.length > 0);
    await request(t.app).get('/api/segments?dataset=1&k=5').expect(200);
    console.log(`# refused, compared and fitted again in ${(performance.now() - started).toFixed(0)} ms`);
  });
});

describe('guessing the bearer password', () => {
  let locked: TestApp;
  let app: TestApp['app'];
  const password = 'correct horse battery staple';
  const clock = new ManualClock();
  before(async () => {
    locked = await createTestApp({ auth: { password, failureDelayMs: 400, now: clock.now } });
    app = locked.app;
  });
  after(() => locked.close());

  it('answers a login form with 11 fields, or in koi8-r, with a 4xx and a message', async () => {
    const many = await request(app).post('/login').type('form').send(Array.from({ length: 11 }, (_, i) => `f${i}=x`).join('&'));
    assert.equal(many.status, 413);
    assert.match(many.text, /too many fields/);
    const koi = await request(app).post('/login').set('Content-Type', 'application/x-www-form-urlencoded; charset=koi8-r').send('password=x');
    assert.equal(koi.status, 415);
    assert.match(koi.text, /koi8-r/);
  });

  it('locks the address out as the login form does: doubling, 429 with Retry-After, even for the right password', async () => {
    const wrong = await request(app).get('/api/datasets').set('Authorization', 'Bearer guess-1').expect(401);
    assert.match(wrong.body.error, /not right/);
    const locked = await request(app).get('/api/datasets').set('Authorization', 'Bearer guess-2').expect(429);
    assert.ok(Number(locked.headers['retry-after']) >= 1);
    await request(app).get('/api/datasets').set('Authorization', `Bearer ${password}`).expect(429);
    clock.advance(400);
    await request(app).get('/api/datasets').set('Authorization', 'Bearer guess-3').expect(401);
    clock.advance(450);
    await request(app).get('/api/datasets').set('Authorization', `Bearer ${password}`).expect(429, /Wait/);
    clock.advance(350);
    await request(app).get('/api/datasets').set('Authorization', `Bearer ${password}`).expect(200);
    await request(app).get('/api/datasets').set('Authorization', 'Bearer guess-4').expect(401, /1 second/);
  });
});

describe('columns named after Object.prototype', () => {
  const names = ['__proto__', 'constructor', 'hasOwnProperty'];
  const features = `features=${names.join(',')}`;
  let id = 0;
  before(async () => {
    const rows = Array.from({ length: 80 }, (_, i) => `${(i % 4) * 10 + (i % 7)},${(i * 13) % 17},${['a', 'b'][i % 2]}`).join('\n');
    id = (await request(t.app).post('/api/datasets?name=Prototype').set('Content-Type', 'text/csv').send(`${names.join(',')}\n${rows}\n`).expect(201)).body.id;
  });
  const json = (path: string, body: string) => request(t.app).post(path).set('Content-Type', 'application/json').send(body);

  it('are columns like any other: in centres, predictions, registrations (API and form) and exports', async () => {
    const fit = await request(t.app).get(`/api/segments?dataset=${id}&k=3&${features}`).expect(200);
    assert.deepEqual(Object.keys(fit.body.segments[0].centroid), ['__proto__', 'constructor', 'hasOwnProperty=a', 'hasOwnProperty=b']);
    assert.ok(Number.isFinite(fit.body.segments[0].centroid.constructor));
    const predicted = await json(`/api/predict?dataset=${id}&k=3&${features}`, '{"customer": {"__proto__": 35, "constructor": 3, "hasOwnProperty": "a"}}').expect(200);
    assert.ok(predicted.body.segment >= 0);
    // Only "constructor" given: "__proto__" is imputed, never read from Object.prototype.
    await json(`/api/predict?dataset=${id}&k=3&${features}`, '{"customer": {"constructor": 3}}').expect(200);
    const registered = await json(`/api/customers?dataset=${id}&k=3&${features}`, '{"__proto__": 35, "constructor": 3, "hasOwnProperty": "b"}').expect(201);
    assert.equal(registered.body.customers.length, 1);
    await json(`/api/customers?dataset=${id}&k=3&${features}`, '{"constructor": 4}').expect(201);
    await request(t.app).post('/customers').type('form').send(`dataset=${id}&k=3&${features}&c:__proto__=4&c:constructor=2&c:hasOwnProperty=b`).expect(201);
    const stored = t.db.prepare('SELECT row_count FROM datasets WHERE id = ?').get(id) as { row_count: number };
    assert.equal(stored.row_count, 83);
    const csv = await request(t.app).get(`/export/segments.csv?dataset=${id}&k=3&${features}`).expect(200);
    assert.match(csv.text.split('\n')[0], /mean __proto__,mean constructor/);
    assert.doesNotMatch(csv.text, /\[object Object\]|function Object/);
  });
});
