/**
 * A Parquet file of millions of customers as a source: nothing copied but the sample the
 * engine draws, the Overview's figures aggregated by DuckDB over every row, and every row
 * scored in place into a Parquet file, each sampled customer exactly as the dashboard has it.
 * Paths stay inside SOURCES_DIR; nothing the app did not write is overwritten.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';
import { dashboardRows } from '../support/warehouse.ts';

/** Rows of the generated file: a multiple of 60 (ages 18..77 equally often), a few million. */
const ROWS = 2_400_000;
const SAMPLE = 20_000;
let dir: string;
let t: TestApp;

/** Runs SQL in a fresh in-memory DuckDB and answers its rows. */
async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cs-sources-'));
  mkdirSync(join(dir, 'out'));
  // Four groups of customers, told apart by income and spending; every tenth purchase amount missing.
  await duck(`COPY (
      SELECT 'C' || lpad(i::VARCHAR, 8, '0') AS customer_id,
        18 + (i % 60) AS age,
        (CASE i % 4 WHEN 0 THEN 25000 WHEN 1 THEN 60000 WHEN 2 THEN 95000 ELSE 140000 END + (hash(i) % 10000))::DOUBLE AS annual_income,
        (CASE i % 4 WHEN 0 THEN 80 WHEN 1 THEN 40 WHEN 2 THEN 20 ELSE 70 END + (hash(i * 7) % 15))::INTEGER AS spending_score,
        (1 + hash(i * 13) % 20)::INTEGER AS purchase_frequency,
        CASE WHEN i % 10 = 0 THEN NULL ELSE (50 + hash(i * 17) % 500)::DOUBLE END AS last_purchase_amount,
        CASE WHEN i % 3 = 0 THEN 'Female' WHEN i % 3 = 1 THEN 'Male' ELSE 'Other' END AS gender,
        ['North', 'South', 'East', 'West'][1 + (i % 4)] AS region
      FROM range(${ROWS}) r(i)
    ) TO '${join(dir, 'customers.parquet')}' (FORMAT PARQUET)`);
  writeFileSync(join(dir, 'out', 'theirs.parquet'), 'not ours');
  symlinkSync('/etc/passwd', join(dir, 'passwd.csv'));
  t = await createTestApp({ sources: { sourcesDir: dir, sampleRows: SAMPLE, timeoutMs: 120_000 } });
});
after(() => {
  t?.close();
  rmSync(dir, { recursive: true, force: true });
});

let datasetId: number;

describe('a Parquet file as a source', { timeout: 300_000 }, () => {
  it('adds the file without copying it: the sample the engine drew, and every row counted', async () => {
    const probe = (await request(t.app).post('/api/sources/test').send({ source: { engine: 'duckdb', path: 'customers.parquet' } }).expect(200)).body;
    assert.equal(probe.rowCount, ROWS);
    assert.deepEqual(
      probe.columns.map((c: { name: string }) => c.name),
      ['customer_id', 'age', 'annual_income', 'spending_score', 'purchase_frequency', 'last_purchase_amount', 'gender', 'region'],
    );
    const added = (
      await request(t.app).post('/api/datasets').send({ name: 'Warehouse customers', source: { engine: 'duckdb', path: 'customers.parquet' } }).expect(201)
    ).body;
    datasetId = added.id;
    assert.equal(added.rowCount, ROWS);
    assert.equal(added.source.engine, 'duckdb');
    assert.equal(added.source.sampleSize, SAMPLE);
    assert.equal(added.columns.find((c: { name: string }) => c.name === 'customer_id').kind, 'id');
    assert.equal(added.columns.find((c: { name: string }) => c.name === 'gender').kind, 'categorical');
    // Only the sample is stored in the dashboard's database.
    const stored = (await request(t.app).get('/api/datasets').expect(200)).body.find((d: { id: number }) => d.id === datasetId);
    assert.equal(stored.source.totalRows, ROWS);
    assert.equal((t.db.prepare(`SELECT count(*) AS n FROM ds_${datasetId}`).get() as { n: number }).n, SAMPLE);
  });

  it('keeps the aggregates DuckDB computed over every row: counts, missing values, means and quartiles', async () => {
    const { profile } = (await request(t.app).get(`/api/datasets/${datasetId}/source`).expect(200)).body;
    const age = profile.find((p: { name: string }) => p.name === 'age');
    // Ages 18..77, each ROWS / 60 times: sorted, position p holds 18 + floor(p / (ROWS / 60)).
    const at = (p: number) => 18 + Math.floor(p / (ROWS / 60));
    const quantile = (q: number) => {
      const pos = (ROWS - 1) * q;
      return at(Math.floor(pos)) + (pos - Math.floor(pos)) * (at(Math.ceil(pos)) - at(Math.floor(pos)));
    };
    assert.equal(age.count, ROWS);
    assert.equal(age.missing, 0);
    assert.equal(age.mean, 47.5);
    assert.deepEqual([age.min, age.q25, age.median, age.q75, age.max], [18, quantile(0.25), quantile(0.5), quantile(0.75), 77]);
    const amount = profile.find((p: { name: string }) => p.name === 'last_purchase_amount');
    assert.equal(amount.missing, ROWS / 10);
    const gender = profile.find((p: { name: string }) => p.name === 'gender');
    assert.equal(gender.count, ROWS);
    assert.equal(gender.mean, null);
  });

  it('segments the sample like any dataset, and scores every row in place exactly as the dashboard places the sample', async () => {
    const segments = (await request(t.app).get(`/api/segments?dataset=${datasetId}&k=4`).expect(200)).body;
    assert.equal(segments.segments.reduce((s: number, x: { size: number }) => s + x.size, 0), SAMPLE);
    const model = (await request(t.app).post(`/api/models?dataset=${datasetId}&k=4&name=Warehouse%20k4`).expect(201)).body;
    const scored = (await request(t.app).post(`/api/models/${model.id}/score`).send({ path: 'out/scores.parquet' }).expect(200)).body;
    assert.equal(scored.rows, ROWS);
    assert.equal(scored.path, 'out/scores.parquet');
    assert.equal(scored.location, join(dir, 'out', 'scores.parquet'));
    assert.ok(scored.seconds >= 0);
    const file = join(dir, 'out', 'scores.parquet');
    const [summary] = await duck(`SELECT count(*) AS n, count(DISTINCT customer_id) AS ids, min(segment) AS lo, max(segment) AS hi FROM read_parquet('${file}')`);
    assert.deepEqual([Number(summary.n), Number(summary.ids), summary.lo, summary.hi], [ROWS, ROWS, 1, 4]);
    const columns = (await duck(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).map((r) => r.column_name);
    assert.deepEqual(columns, ['customer_id', 'segment', 'segment_name', 'distance']);
    // Every sampled customer: the segment in the file is the dashboard's.
    const dashboard = new Map(await dashboardRows(t.app, model.id));
    const ids = [...dashboard.keys()].map((id) => `'${id}'`).join(',');
    const inFile = await duck(`SELECT customer_id, segment FROM read_parquet('${file}') WHERE customer_id IN (${ids})`);
    assert.equal(inFile.length, SAMPLE);
    for (const row of inFile) assert.equal(String(row.segment), dashboard.get(String(row.customer_id)), String(row.customer_id));
    // Its customers are the source's: registering one here is refused, predicting one works.
    const customer = { customer_id: 'NEW-1', age: 30, annual_income: 140000, spending_score: 75, purchase_frequency: 5, last_purchase_amount: 200, gender: 'Female', region: 'North' };
    assert.match((await request(t.app).post(`/api/customers?dataset=${datasetId}`).send(customer).expect(409)).body.error, /add the customer there/);
    const { customer_id: _id, ...attributes } = customer;
    await request(t.app).post(`/api/predict?dataset=${datasetId}`).send({ customer: attributes }).expect(200);
    // Scoring again into the file it wrote replaces it.
    await request(t.app).post(`/api/models/${model.id}/score`).send({ path: 'out/scores.parquet' }).expect(200);
  });

  it('shows the source on every tab, its every-row figures on the Overview, and scores from the models panel', async () => {
    const overview = await request(t.app).get(`/?dataset=${datasetId}`).expect(200);
    assert.match(overview.text, /Read in place by DuckDB: fitted on a 20,000-customer sample of 2,400,000/);
    assert.match(overview.text, /id="source-profile"/);
    assert.match(overview.text, /<th scope="row">age<\/th><td>BIGINT<\/td><td class="num">2,400,000<\/td><td class="num">0<\/td><td class="num">47\.5<\/td>/);
    assert.match(overview.text, /<span class="kpi-value">240,000<\/span><span class="kpi-label">Missing values \(every row\)/);
    for (const tab of ['clusters', 'predict']) {
      const page = await request(t.app).get(`/${tab}?dataset=${datasetId}&k=4`).expect(200);
      assert.match(page.text, /fitted on a 20,000-customer sample of 2,400,000/, tab);
    }
    const datasets = await request(t.app).get('/datasets').expect(200);
    assert.match(datasets.text, /id="source-form"/);
    assert.match(datasets.text, /Read in place by DuckDB: fitted on a 20,000-customer sample/);
    const tested = await request(t.app).post('/datasets/source/test').set('HX-Request', 'true').type('form').send({ engine: 'duckdb', path: 'customers.parquet', url: '', table: '' }).expect(200);
    assert.match(tested.text, /holds 2,400,000 rows and 8 columns/);
    const refused = await request(t.app).post('/datasets/source/test').set('HX-Request', 'true').type('form').send({ engine: 'duckdb', path: '../x.parquet' }).expect(403);
    assert.match(refused.text, /outside SOURCES_DIR/);
    const panel = await request(t.app).get(`/models?dataset=${datasetId}`).set('HX-Request', 'true').expect(200);
    const model = (await request(t.app).get(`/api/models?dataset=${datasetId}`).expect(200)).body[0];
    assert.match(panel.text, new RegExp(`hx-post="/models/${model.id}/score"`));
    const scored = await request(t.app).post(`/models/${model.id}/score`).set('HX-Request', 'true').type('form').send({ into: 'out/panel.parquet' }).expect(200);
    assert.match(scored.text, /2,400,000 customers written to out\/panel\.parquet/);
  });

  it('keeps every path inside SOURCES_DIR and never overwrites what it did not write', async () => {
    const add = (source: object) => request(t.app).post('/api/datasets').send({ name: 'Refused', source });
    assert.match((await add({ engine: 'duckdb', path: '../outside.parquet' }).expect(403)).body.error, /outside SOURCES_DIR/);
    assert.match((await add({ engine: 'duckdb', path: '/etc/passwd' }).expect(403)).body.error, /outside SOURCES_DIR/);
    assert.match((await add({ engine: 'duckdb', path: 'passwd.csv' }).expect(403)).body.error, /links leading out are refused/);
    assert.match((await add({ engine: 'duckdb', path: 'missing.parquet' }).expect(404)).body.error, /no file "missing.parquet"/);
    assert.match((await add({ engine: 'duckdb', path: 'out' }).expect(400)).body.error, /is a folder/);
    assert.match((await add({ engine: 'duckdb', path: 'customers.parquet', table: 'x' }).expect(400)).body.error, /leave "table" out/);
    assert.match((await add({ engine: 'sqlserver', path: 'x' }).expect(400)).body.error, /source.engine must be "duckdb"/);
    assert.match((await add({ engine: 'postgres', url: 'mysql://x', table: 't' }).expect(400)).body.error, /postgresql:\/\//);
    const model = (await request(t.app).get(`/api/models?dataset=${datasetId}`).expect(200)).body[0];
    const score = (target: object) => request(t.app).post(`/api/models/${model.id}/score`).send(target);
    assert.match((await score({ path: 'out/theirs.parquet' }).expect(409)).body.error, /not written by this dashboard/);
    assert.match((await score({ path: 'customers.parquet' }).expect(409)).body.error, /source file itself/);
    assert.match((await score({ path: '../escape.parquet' }).expect(403)).body.error, /outside SOURCES_DIR/);
    assert.match((await score({ path: 'out/scores.csv' }).expect(400)).body.error, /ending in .parquet/);
    assert.match((await score({ table: 'scores' }).expect(400)).body.error, /scored into a Parquet file/);
    assert.match((await score({}).expect(400)).body.error, /Name where the scores go/);
    // A dataset stored in the dashboard has no source to score in place.
    const stored = (await request(t.app).post('/api/models?dataset=1&k=3&name=Stored').expect(201)).body;
    assert.match((await request(t.app).post(`/api/models/${stored.id}/score`).send({ path: 'out/x.parquet' }).expect(400)).body.error, /score\.sql/);
  });

  it('refuses file sources when SOURCES_DIR is not set', async () => {
    const closed = await createTestApp({ seed: false });
    try {
      const refused = await request(closed.app).post('/api/datasets').send({ name: 'No dir', source: { engine: 'duckdb', path: 'customers.parquet' } }).expect(403);
      assert.match(refused.body.error, /SOURCES_DIR/);
    } finally {
      closed.close();
    }
  });
});

describe('a DuckDB database file as a source', { timeout: 300_000 }, () => {
  it('reads the named table, and scores into a new table of the same database, never over one of its own', async () => {
    const db = join(dir, 'shop.duckdb');
    await duck(`ATTACH '${db}' AS shop;
      CREATE TABLE shop.customers AS SELECT * FROM read_parquet('${join(dir, 'customers.parquet')}') LIMIT 30000;
      CREATE TABLE shop.audit AS SELECT 1 AS x;`);
    const add = (source: object) => request(t.app).post('/api/datasets').send({ name: 'Shop database', source });
    assert.match((await add({ engine: 'duckdb', path: 'shop.duckdb' }).expect(400)).body.error, /name the one with the customers/);
    assert.match((await add({ engine: 'duckdb', path: 'shop.duckdb', table: 'nope' }).expect(400)).body.error, /cannot read/);
    const added = (await add({ engine: 'duckdb', path: 'shop.duckdb', table: 'customers' }).expect(201)).body;
    assert.equal(added.rowCount, 30_000);
    const model = (await request(t.app).post(`/api/models?dataset=${added.id}&k=3&name=Shop%20k3`).expect(201)).body;
    const score = (target: object) => request(t.app).post(`/api/models/${model.id}/score`).send(target);
    assert.match((await score({ table: 'audit' }).expect(409)).body.error, /not written by this dashboard/);
    assert.match((await score({ table: 'customers' }).expect(409)).body.error, /source table itself/);
    const scored = (await score({ table: 'segments' }).expect(200)).body;
    assert.equal(scored.rows, 30_000);
    assert.equal(scored.table, 'segments');
    await score({ table: 'segments' }).expect(200);
    const [counted] = await duck(`ATTACH '${db}' AS shop (READ_ONLY); SELECT count(*) AS n, count(segment) AS placed FROM shop.segments`);
    assert.equal(Number(counted.n), 30_000);
    const dashboard = new Map(await dashboardRows(t.app, model.id));
    const rows = await duck(`ATTACH '${db}' AS shop (READ_ONLY); SELECT customer_id, segment FROM shop.segments`);
    let compared = 0;
    for (const row of rows) {
      const expected = dashboard.get(String(row.customer_id));
      if (expected === undefined) continue;
      compared++;
      assert.equal(String(row.segment), expected);
    }
    assert.equal(compared, 20_000, 'the sample of 20,000 of 30,000');
  });
});
