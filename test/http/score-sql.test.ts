/**
 * A saved segmentation as one SQL query, run in SQLite on tables built from the stored
 * customers: every customer gets the segment the dashboard's own assignment gives it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import request from 'supertest';
import { getDataset, rowPages } from '../../server/store/datasets.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { SHARED_DIR } from '../unit/reference.ts';

let t: TestApp;
const datasets = new Map<string, number>();
before(async () => {
  t = await createTestApp();
  datasets.set('sample', 1);
  for (const file of ['Mall_Customers.csv', 'CC GENERAL.csv', 'Telco-Customer-Churn.csv']) {
    const csv = readFileSync(`${SHARED_DIR}datasets/${file}`);
    const res = await request(t.app).post(`/api/datasets?name=${encodeURIComponent(file)}`).set('Content-Type', 'text/csv').send(csv).expect(201);
    datasets.set(file, res.body.id);
  }
});
after(() => t.close());

/** A table of the dataset's stored customers under its original column names, in a new SQLite database. */
function warehouseTable(datasetId: number, table: string): Database.Database {
  const { columns, rowCount } = getDataset(t.db, datasetId);
  const warehouse = new Database(':memory:');
  const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
  warehouse.exec(`CREATE TABLE ${q(table)} (${columns.map((c) => `${q(c.name)} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`).join(', ')})`);
  const insert = warehouse.prepare(`INSERT INTO ${q(table)} VALUES (${columns.map(() => '?').join(', ')})`);
  warehouse.transaction(() => {
    for (const page of rowPages(t.db, datasetId, rowCount)) for (const row of page) insert.run(...row.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
  })();
  return warehouse;
}

/** The segment of every customer, in row order, as the dashboard's customers export gives it ('' when not segmented). */
async function dashboardSegments(modelId: number): Promise<string[]> {
  const csv = (await request(t.app).get(`/export/customers.csv?model=${modelId}`).expect(200)).text.trim().split('\n');
  const header = csv[0].split(',');
  const at = header.indexOf('segment');
  // The segment column follows the dataset's own columns, whose values may hold quoted commas.
  return csv.slice(1).map((line) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (const ch of line.replace(/\r$/, '')) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += ch;
    }
    cells.push(cell);
    return cells[at];
  });
}

const CASES: [string, string][] = [
  ['sample', 'k=4'],
  ['sample', 'k=5&scaling=minmax&missing=median&outliers=iqr-clip&features=age,gender,annual_income,spending_score,preferred_category'],
  ['sample', 'k=3&scaling=robust&missing=drop&outliers=zscore-exclude'],
  ['sample', 'k=6&scaling=none&missing=mode&outliers=zscore-clip&features=annual_income,spending_score'],
  ['sample', 'k=4&algorithm=minibatch'],
  ['sample', 'k=4&algorithm=agglomerative'],
  ['sample', 'k=3&algorithm=gmm&nInit=3'],
  ['Mall_Customers.csv', 'k=5&features=Gender,Age,Annual%20Income%20(k%24),Spending%20Score%20(1-100)'],
  ['CC GENERAL.csv', 'k=6&outliers=iqr-clip'],
  ['Telco-Customer-Churn.csv', 'k=4&missing=drop&features=tenure,MonthlyCharges,TotalCharges,Contract,InternetService'],
];

describe('score.sql', { timeout: 240_000 }, () => {
  for (const [file, query] of CASES) {
    it(`${file} ${query}: the query run in SQLite agrees with the dashboard on every customer`, async () => {
      const datasetId = datasets.get(file)!;
      const model = await request(t.app).post(`/api/models?dataset=${datasetId}&${query}&name=${encodeURIComponent(`${file} ${query}`)}`);
      assert.equal(model.status, 201, model.text);
      // A table name holding a quote stays a name.
      const table = 'cust"omers; DROP TABLE x';
      const sql = await request(t.app).get(`/api/models/${model.body.id}/score.sql?dialect=sqlite&table=${encodeURIComponent(table)}`).expect(200).expect('Content-Type', /application\/sql/);
      const warehouse = warehouseTable(datasetId, table);
      try {
        const scored = warehouse.prepare(sql.text).all() as { customer_id: unknown; segment: number | null; segment_name: string | null; distance: number | null }[];
        const expected = await dashboardSegments(model.body.id);
        assert.equal(scored.length, expected.length);
        const disagree = scored.filter((r, i) => String(r.segment ?? '') !== expected[i]).length;
        assert.equal(disagree, 0, `${disagree} of ${scored.length} customers scored differently`);
        const names = (await request(t.app).get(`/api/models/${model.body.id}`)).body.segmentNames as string[];
        const first = scored.find((r) => r.segment !== null)!;
        assert.equal(first.segment_name, names[first.segment! - 1]);
        assert.ok(first.distance! >= 0);
      } finally {
        warehouse.close();
      }
    });
  }

  it('writes every dialect, quoting names its own way, and refuses DBSCAN and unknown dialects', async () => {
    const id = (await request(t.app).post('/api/models?dataset=1&k=3&name=Dialects').expect(201)).body.id;
    for (const dialect of ['ansi', 'postgres', 'duckdb', 'snowflake']) {
      const sql = (await request(t.app).get(`/api/models/${id}/score.sql?dialect=${dialect}&table=shop.customers`).expect(200)).text;
      assert.match(sql, /FROM "shop"\."customers"/);
      assert.match(sql, /"annual_income"/);
    }
    const bigquery = (await request(t.app).get(`/api/models/${id}/score.sql?dialect=bigquery&table=project.shop.customers`).expect(200)).text;
    assert.match(bigquery, /FROM `project`\.`shop`\.`customers`/);
    assert.match(bigquery, /CAST\(`age` AS FLOAT64\)/);
    const spark = (await request(t.app).get(`/api/models/${id}/score.sql?dialect=spark&table=a%60b`).expect(200)).text;
    assert.match(spark, /FROM `a``b`/);
    const unknown = await request(t.app).get(`/api/models/${id}/score.sql?dialect=oracle`).expect(400);
    assert.match(unknown.body.error, /dialect must be one of ansi, sqlite/);
    const lines = ['x,y'];
    for (let i = 0; i < 200; i++) lines.push(`${(i % 2) * 10 + (i % 7) / 10},${(i % 3) / 10}`);
    const small = (await request(t.app).post('/api/datasets?name=Dense').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201)).body.id;
    const dbscan = (await request(t.app).post(`/api/models?dataset=${small}&algorithm=dbscan&eps=0.5&name=Dense`).expect(201)).body.id;
    const refused = await request(t.app).get(`/api/models/${dbscan}/score.sql`).expect(400);
    assert.match(refused.body.error, /DBSCAN .* no compact SQL form/);
  });
});

describe('npm run score', { timeout: 240_000 }, () => {
  it('scores a CSV file row by row as the dashboard assigns, and prints the query with --sql', async () => {
    const { spawnSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const id = (await request(t.app).post('/api/models?dataset=1&k=4&outliers=iqr-clip&name=CLI').expect(201)).body.id;
    // The sample's stored customers as a file, as a warehouse would unload them.
    const { columns, rowCount } = getDataset(t.db, 1);
    const lines = [columns.map((c) => c.name).join(',')];
    for (const page of rowPages(t.db, 1, rowCount)) for (const row of page) lines.push(row.map((v) => (v === null ? '' : String(v))).join(','));
    const file = join(t.dir, 'unloaded.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const env = { ...process.env, DB_PATH: join(t.dir, 'test.db') };
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/ingest/score-cli.ts', '--model', String(id), file], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    const scored = run.stdout.trim().split('\n');
    assert.equal(scored[0], 'customer_id,segment,segment_name,distance');
    assert.equal(scored.length - 1, rowCount);
    const expected = await dashboardSegments(id);
    const segments = scored.slice(1).map((l) => l.split(',')[1]);
    assert.equal(segments.filter((s, i) => s !== expected[i]).length, 0, 'every customer as the dashboard assigns it');
    assert.match(scored[1], /^C000001,\d,/);
    assert.match(run.stderr, /Scored 2,400 customers with "CLI"/);
    const sql = spawnSync(process.execPath, ['--import', 'tsx', 'server/ingest/score-cli.ts', '--model', String(id), '--sql', 'duckdb', '--table', 'crm.customers'], { encoding: 'utf8', env });
    assert.equal(sql.status, 0, sql.stderr);
    assert.match(sql.stdout, /FROM "crm"\."customers"/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'server/ingest/score-cli.ts', '--model', String(id), join(t.dir, 'missing.csv')], { encoding: 'utf8', env });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /there is no file at/);
  });
});
