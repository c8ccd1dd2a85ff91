/**
 * A PostgreSQL table as a source, in a real PostgreSQL server: a seeded TABLESAMPLE is the
 * dataset, PostgreSQL aggregates every row, every row is scored in place with CREATE TABLE AS
 * exactly as the dashboard places the sample, and the connection URL's password never shows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';
import { dashboardRows } from '../support/warehouse.ts';
import { postgresSkip, startPostgres, type TestPostgres } from '../support/postgres.ts';

const ROWS = 240_000;
const SAMPLE = 20_000;
let server: TestPostgres;
let client: pg.Client;
let t: TestApp;

before(async () => {
  if (postgresSkip) return;
  server = startPostgres();
  client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`CREATE SCHEMA crm;
    CREATE TABLE crm.customers AS
      SELECT 'P' || lpad(i::text, 7, '0') AS customer_id,
        18 + (i % 60) AS age,
        (CASE i % 4 WHEN 0 THEN 25000 WHEN 1 THEN 60000 WHEN 2 THEN 95000 ELSE 140000 END + (i * 7919) % 10000)::numeric(12, 2) AS annual_income,
        (CASE i % 4 WHEN 0 THEN 80 WHEN 1 THEN 40 WHEN 2 THEN 20 ELSE 70 END + (i * 31) % 15)::int AS spending_score,
        CASE WHEN i % 10 = 0 THEN NULL ELSE (50 + (i * 17) % 500)::float8 END AS last_purchase_amount,
        (ARRAY['Female', 'Male', 'Other'])[1 + i % 3] AS gender
      FROM generate_series(0, ${ROWS - 1}) AS s(i);
    CREATE TABLE crm.audit (x int);`);
  t = await createTestApp({ sources: { sampleRows: SAMPLE, timeoutMs: 120_000 } });
});
after(async () => {
  await client?.end().catch(() => {});
  t?.close();
  server?.stop();
});

describe('a PostgreSQL table as a source', { skip: postgresSkip, timeout: 300_000 }, () => {
  let datasetId: number;
  let modelId: number;

  it('adds the table by URL: a seeded sample stored, every row aggregated by PostgreSQL, the password never shown', async () => {
    const source = { engine: 'postgres', url: server.url, table: 'crm.customers' };
    const probe = (await request(t.app).post('/api/sources/test').send({ source }).expect(200)).body;
    assert.equal(probe.rowCount, ROWS);
    assert.equal(probe.columns.find((c: { name: string }) => c.name === 'annual_income').numeric, true);
    assert.doesNotMatch(JSON.stringify(probe), /s3cret-pass/);
    const added = (await request(t.app).post('/api/datasets').send({ name: 'CRM customers', source }).expect(201)).body;
    datasetId = added.id;
    assert.equal(added.rowCount, ROWS);
    assert.equal(added.source.sampleSize, SAMPLE);
    assert.match(added.source.label, /^postgresql:\/\/segments@localhost\/postgres \(table crm\.customers\)$/);
    assert.equal((t.db.prepare(`SELECT count(*) AS n FROM ds_${datasetId}`).get() as { n: number }).n, SAMPLE);
    const listed = await request(t.app).get('/api/datasets').expect(200);
    assert.doesNotMatch(listed.text, /s3cret-pass/);
    const { profile } = (await request(t.app).get(`/api/datasets/${datasetId}/source`).expect(200)).body;
    const [exact] = (await client.query(`SELECT avg(annual_income)::float8 AS mean, count(last_purchase_amount)::int AS amounts,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY age) AS median FROM crm.customers`)).rows;
    const income = profile.find((p: { name: string }) => p.name === 'annual_income');
    assert.equal(income.mean, exact.mean);
    assert.equal(profile.find((p: { name: string }) => p.name === 'age').median, exact.median);
    assert.equal(profile.find((p: { name: string }) => p.name === 'last_purchase_amount').missing, ROWS - exact.amounts);
  });

  it('scores every row in place into a new table, each sampled customer as the dashboard has them', async () => {
    modelId = (await request(t.app).post(`/api/models?dataset=${datasetId}&k=4&name=CRM%20k4`).expect(201)).body.id;
    const scored = (await request(t.app).post(`/api/models/${modelId}/score`).send({ table: 'crm.segments' }).expect(200)).body;
    assert.equal(scored.rows, ROWS);
    assert.equal(scored.table, 'crm.segments');
    assert.doesNotMatch(scored.location, /s3cret-pass/);
    const { rows } = await client.query<{ customer_id: string; segment: number | null }>('SELECT customer_id, segment FROM crm.segments');
    assert.equal(rows.length, ROWS);
    const dashboard = new Map(await dashboardRows(t.app, modelId));
    let compared = 0;
    for (const row of rows) {
      const expected = dashboard.get(row.customer_id);
      if (expected === undefined) continue;
      compared++;
      assert.equal(row.segment === null ? '' : String(row.segment), expected, row.customer_id);
    }
    assert.equal(compared, SAMPLE);
    // Its own table is replaced on a second score.
    await request(t.app).post(`/api/models/${modelId}/score`).send({ table: 'crm.segments' }).expect(200);
  });

  it('refuses what it may not write or cannot reach, saying what to fix', async () => {
    const score = (target: object) => request(t.app).post(`/api/models/${modelId}/score`).send(target);
    assert.match((await score({ table: 'crm.audit' }).expect(409)).body.error, /not written by this dashboard/);
    assert.match((await score({ table: 'crm.customers' }).expect(409)).body.error, /source table itself/);
    assert.match((await score({ path: 'x.parquet' }).expect(400)).body.error, /scored into a table/);
    const add = (source: object) => request(t.app).post('/api/datasets').send({ name: 'Refused', source });
    assert.match((await add({ engine: 'postgres', url: server.url, table: 'crm.nope' }).expect(404)).body.error, /no such table/);
    const otherDb = server.url.replace('/postgres?', '/nodb?');
    assert.match((await add({ engine: 'postgres', url: otherDb, table: 'crm.customers' }).expect(400)).body.error, /no such database/);
    const nobody = 'postgresql://segments:s3cret-pass@localhost/postgres?host=/nonexistent-socket-dir';
    const unreachable = await add({ engine: 'postgres', url: nobody, table: 'crm.customers' });
    assert.ok([502, 400].includes(unreachable.status), unreachable.text);
    assert.doesNotMatch(unreachable.text, /s3cret-pass/);
    assert.match((await add({ engine: 'postgres', url: server.url }).expect(400)).body.error, /source\.table/);
    assert.match((await add({ engine: 'postgres', url: server.url, table: 'a.b.c.d' }).expect(400)).body.error, /schema\.table/);
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM crm.audit');
    assert.equal(rows[0].n, 0, 'the table it refused is as it was');
  });
});
