/**
 * A saved segmentation as one SQL query, run in SQLite on tables built from the stored
 * customers: every customer gets the segment the dashboard's own assignment gives it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { getDataset, rowPages } from '../../server/store/datasets.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { dashboardRows as rowsOnDashboard, segmentsOnDashboard, storedAsWarehouse } from '../support/warehouse.ts';
import { SHARED_DIR } from '../unit/reference.ts';

let t: TestApp;
/** A model name within the 80 characters names may have, unique per case (the case text with its number). */
let modelCount = 0;
const modelNameOf = (text: string) => `${++modelCount} ${text}`.slice(0, 80);
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

const warehouseTable = (datasetId: number, table: string) => storedAsWarehouse(t.db, datasetId, table);
const dashboardSegments = (modelId: number) => segmentsOnDashboard(t.app, modelId);
const dashboardRows = (modelId: number) => rowsOnDashboard(t.app, modelId);

const CASES: [string, string][] = [
  ['sample', 'k=4'],
  ['sample', 'k=5&scaling=minmax&missing=median&outliers=iqr-clip&features=age,gender,annual_income,spending_score,preferred_category'],
  ['sample', 'k=3&scaling=robust&missing=drop&outliers=zscore-exclude'],
  ['sample', 'k=6&scaling=none&missing=mode&outliers=zscore-clip&features=annual_income,spending_score'],
  ['sample', 'k=4&algorithm=minibatch'],
  ['sample', 'k=4&outliers=iqr-exclude&missing=mean'],
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
      const model = await request(t.app).post(`/api/models?dataset=${datasetId}&${query}&name=${encodeURIComponent(modelNameOf(`${file} ${query}`))}`);
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
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/scoring/score-cli.ts', '--model', String(id), file], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    const scored = run.stdout.trim().split('\n');
    assert.equal(scored[0], 'customer_id,segment,segment_name,distance');
    assert.equal(scored.length - 1, rowCount);
    const expected = await dashboardSegments(id);
    const segments = scored.slice(1).map((l) => l.split(',')[1]);
    assert.equal(segments.filter((s, i) => s !== expected[i]).length, 0, 'every customer as the dashboard assigns it');
    assert.match(scored[1], /^C000001,\d,/);
    assert.match(run.stderr, /Scored 2,400 customers with "CLI"/);
    const sql = spawnSync(process.execPath, ['--import', 'tsx', 'server/scoring/score-cli.ts', '--model', String(id), '--sql', 'duckdb', '--table', 'crm.customers'], { encoding: 'utf8', env });
    assert.equal(sql.status, 0, sql.stderr);
    assert.match(sql.stdout, /FROM "crm"\."customers"/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'server/scoring/score-cli.ts', '--model', String(id), join(t.dir, 'missing.csv')], { encoding: 'utf8', env });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /there is no file at/);
  });
});

describe('score.sql in DuckDB', { timeout: 240_000 }, () => {
  const DUCK_CASES = CASES.filter((_, i) => [0, 1, 2, 6, 8, 9].includes(i));
  for (const [file, query] of DUCK_CASES) {
    it(`${file} ${query}: the duckdb query agrees with the dashboard on every customer`, async () => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const datasetId = datasets.get(file)!;
      const name = `duck ${file} ${query}`;
      const model = await request(t.app).post(`/api/models?dataset=${datasetId}&${query}&name=${encodeURIComponent(modelNameOf(name))}`);
      assert.equal(model.status, 201, model.text);
      const table = 'cust"omers';
      const sql = (await request(t.app).get(`/api/models/${model.body.id}/score.sql?dialect=duckdb&table=${encodeURIComponent(table)}`).expect(200)).text;
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const { columns, rowCount } = getDataset(t.db, datasetId);
        const q = (n: string) => `"${n.replaceAll('"', '""')}"`;
        await connection.run(`CREATE TABLE ${q(table)} (${columns.map((c) => `${q(c.name)} ${c.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'}`).join(', ')})`);
        const appender = await connection.createAppender(table);
        for (const page of rowPages(t.db, datasetId, rowCount)) {
          for (const row of page) {
            row.forEach((v, i) => {
              if (v === null || (typeof v === 'number' && !Number.isFinite(v))) appender.appendNull();
              else if (columns[i].kind === 'numeric') appender.appendDouble(Number(v));
              else appender.appendVarchar(String(v));
            });
            appender.endRow();
          }
        }
        appender.closeSync();
        const scored = (await connection.runAndReadAll(sql)).getRowObjects() as { segment: number | bigint | null }[];
        const expected = await dashboardSegments(model.body.id);
        assert.equal(scored.length, expected.length);
        const disagree = scored.filter((r, i) => String(r.segment ?? '') !== expected[i]).length;
        assert.equal(disagree, 0, `${disagree} of ${scored.length} customers scored differently`);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });
  }
});

/** A throw-away PostgreSQL cluster in a temp dir, or why there is none. */
async function throwAwayPostgres(): Promise<{ run: (sqlFile: string) => string; load: (table: string, columnsSql: string, csvPath: string) => void; stop: () => void } | string> {
  const { spawnSync } = await import('node:child_process');
  const { chmodSync, chownSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
  const initdb = which('initdb');
  const pgCtl = which('pg_ctl');
  const psql = which('psql');
  if (!initdb || !pgCtl || !psql) return 'no initdb, pg_ctl and psql on this machine';
  // PostgreSQL refuses to run as root: run the cluster as the postgres user when there is one.
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }) : undefined;
  if (asRoot && pgUser?.status !== 0) return 'running as root without a postgres user';
  const dir = mkdtempSync(join(tmpdir(), 'cs-pg-'));
  chmodSync(dir, 0o777);
  if (asRoot) chownSync(dir, Number(pgUser!.stdout.trim()), -1);
  const as = (cmd: string, args: string[]) => (asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' }));
  const data = join(dir, 'data');
  const init = as(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres']);
  if (init.status !== 0) return `initdb failed: ${init.stderr.trim().split('\n').pop()}`;
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const start = as(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-k ${dir} -p ${port} -c listen_addresses=''`, 'start']);
  if (start.status !== 0) return `pg_ctl start failed: ${start.stderr.trim().split('\n').pop()}`;
  const psqlArgs = ['-h', dir, '-p', port, '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-X', '-q'];
  return {
    run: (sqlFile) => {
      const res = spawnSync(psql, [...psqlArgs, '-At', '-F', '\t', '-f', sqlFile], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (res.status !== 0) throw new Error(res.stderr);
      return res.stdout;
    },
    load: (table, columnsSql, csvPath) => {
      const res = spawnSync(psql, [...psqlArgs, '-c', `CREATE TABLE ${table} (${columnsSql})`, '-c', `\\copy ${table} FROM '${csvPath}' WITH (FORMAT csv, HEADER true)`], { encoding: 'utf8' });
      if (res.status !== 0) throw new Error(res.stderr);
    },
    stop: () => {
      as(pgCtl, ['-D', data, '-m', 'immediate', 'stop']);
    },
  };
}

describe('score.sql in PostgreSQL', { timeout: 240_000 }, () => {
  it('agrees with the dashboard on every customer of the sample and of Telco (when initdb exists)', async (ctx) => {
    const pg = await throwAwayPostgres();
    if (typeof pg === 'string') {
      console.log(`PostgreSQL check skipped: ${pg}`);
      ctx.skip(pg);
      return;
    }
    const { writeFileSync, chmodSync } = await import('node:fs');
    const { join } = await import('node:path');
    try {
      for (const [file, query] of [CASES[1], CASES[9]]) {
        const datasetId = datasets.get(file)!;
        const model = await request(t.app).post(`/api/models?dataset=${datasetId}&${query}&name=${encodeURIComponent(modelNameOf(`pg ${file} ${query}`))}`).expect(201);
        const table = `pg_${datasetId}`;
        const sql = (await request(t.app).get(`/api/models/${model.body.id}/score.sql?dialect=postgres&table=${table}`).expect(200)).text;
        const { columns, rowCount } = getDataset(t.db, datasetId);
        const q = (n: string) => `"${n.replaceAll('"', '""')}"`;
        const cell = (v: unknown) => (v === null ? '' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : `"${String(v).replaceAll('"', '""')}"`);
        const lines = [columns.map((c) => q(c.name)).join(',')];
        for (const page of rowPages(t.db, datasetId, rowCount)) for (const row of page) lines.push(row.map(cell).join(','));
        const csvPath = join(t.dir, `${table}.csv`);
        writeFileSync(csvPath, `${lines.join('\n')}\n`);
        chmodSync(t.dir, 0o755);
        chmodSync(csvPath, 0o644);
        pg.load(table, columns.map((c) => `${q(c.name)} ${c.kind === 'numeric' ? 'DOUBLE PRECISION' : 'TEXT'}`).join(', '), csvPath);
        const sqlFile = join(t.dir, `${table}.sql`);
        writeFileSync(sqlFile, sql);
        chmodSync(sqlFile, 0o644);
        // PostgreSQL returns the rows in no set order: matched by customer_id.
        const scored: Map<string, string> = new Map<string, string>(pg.run(sqlFile).trim().split('\n').map((l): [string, string] => { const cells = l.split('\t'); return [cells[0], cells[1]]; }));
        const expected = await dashboardRows(model.body.id);
        assert.equal(scored.size, expected.length);
        assert.equal(expected.filter(([id, segment]) => scored.get(id) !== segment).length, 0, `${file}: every customer as the dashboard assigns it`);
      }
    } finally {
      pg.stop();
    }
  });
});
