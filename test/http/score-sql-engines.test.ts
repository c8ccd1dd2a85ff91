/**
 * score.sql scores exactly in every engine: run in SQLite, DuckDB and PostgreSQL (PGlite,
 * PostgreSQL compiled to WebAssembly, in-process) over tables whose columns are INTEGER,
 * REAL/DOUBLE and TEXT with missing values, for every missing-value, outlier and scaling
 * rule, each customer gets the segment the dashboard gives it; a segment name and a
 * category built to break out of a string literal stay inside it in every dialect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import request from 'supertest';
import { sqlText, SQL_DIALECTS, type SqlDialect } from '../../server/scoring/score-sql.ts';
import { MISSING_STRATEGIES, OUTLIER_RULES, SCALING_METHODS } from '../../server/analysis/preprocess.ts';
import { createTestApp, type TestApp } from './harness.ts';

const HOSTILE_NAME = "x\\'); DROP TABLE crm.customers; --";
const REGIONS = ['North\\', "O'Brien", 'East', 'West'];

/** Customers in three groups, with integer counts and ages, a real spend, a category, and holes in each. */
function customersCsv(): { text: string; rows: (string | number | null)[][] } {
  let state = 7;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < 360; i++) {
    const group = i % 3;
    const visits = Math.round(3 + group * 9 + random() * 6);
    const age = Math.round(22 + group * 15 + random() * 10);
    const spend = Math.round((40 + group * 160 + random() * 90) * 100) / 100;
    const region = REGIONS[(group + (random() < 0.3 ? 1 : 0)) % REGIONS.length];
    rows.push([`C${i + 1}`, i % 17 === 3 ? null : visits, i % 23 === 5 ? null : age, i % 19 === 7 ? null : spend, i % 29 === 11 ? null : region]);
  }
  // A few far-out customers for the outlier rules.
  rows.push(['C361', 90, 95, 4000.5, 'East'], ['C362', 0, 18, 0.25, 'West']);
  const cell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : `"${v.replaceAll('"', '""')}"`);
  return { text: ['customer_id,visits,age,spend,region', ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n', rows };
}

const COLUMNS = [['customer_id', 'TEXT'], ['visits', 'INTEGER'], ['age', 'INTEGER'], ['spend', 'REAL'], ['region', 'TEXT']] as const;
const TYPES: Record<'sqlite' | 'duckdb' | 'postgres', Record<string, string>> = {
  sqlite: { TEXT: 'TEXT', INTEGER: 'INTEGER', REAL: 'REAL' },
  duckdb: { TEXT: 'VARCHAR', INTEGER: 'BIGINT', REAL: 'DOUBLE' },
  postgres: { TEXT: 'TEXT', INTEGER: 'INTEGER', REAL: 'DOUBLE PRECISION' },
};
const createTable = (engine: keyof typeof TYPES) => `CREATE TABLE "crm"."customers" (${COLUMNS.map(([n, t]) => `"${n}" ${TYPES[engine][t]}`).join(', ')})`;

/** Every rule at least once: each missing-value rule with each scaling, the outlier rules in turn. */
const RULES = MISSING_STRATEGIES.flatMap((missing, m) => SCALING_METHODS.map((scaling, s) => ({ missing, scaling, outliers: OUTLIER_RULES[(m * SCALING_METHODS.length + s) % OUTLIER_RULES.length] })));

type Scored = { customer_id: string; segment: number | bigint | null; segment_name: string | null };

let t: TestApp;
let datasetId = 0;
const data = customersCsv();
let sqlite: Database.Database;
let duck: { run: (sql: string) => Promise<Scored[]>; close: () => void };
let pg: { run: (sql: string) => Promise<Scored[]>; close: () => Promise<void> };

before(async () => {
  t = await createTestApp({ seed: false });
  datasetId = (await request(t.app).post('/api/datasets?name=Typed').set('Content-Type', 'text/csv').send(data.text).expect(201)).body.id;
  sqlite = new Database(':memory:');
  sqlite.exec(`ATTACH ':memory:' AS crm; ${createTable('sqlite')}`);
  const insert = sqlite.prepare(`INSERT INTO crm.customers VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  for (const row of data.rows) insert.run(...row);

  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`CREATE SCHEMA crm; ${createTable('duckdb')}`);
  const appender = await connection.createAppender('customers', 'crm');
  for (const row of data.rows) {
    row.forEach((v, i) => {
      if (v === null) appender.appendNull();
      else if (COLUMNS[i][1] === 'INTEGER') appender.appendBigInt(BigInt(v as number));
      else if (COLUMNS[i][1] === 'REAL') appender.appendDouble(v as number);
      else appender.appendVarchar(String(v));
    });
    appender.endRow();
  }
  appender.closeSync();
  duck = { run: async (sql) => (await connection.runAndReadAll(sql)).getRowObjects() as unknown as Scored[], close: () => { connection.closeSync(); instance.closeSync(); } };

  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite();
  await db.exec(`CREATE SCHEMA crm; ${createTable('postgres')}`);
  for (let i = 0; i < data.rows.length; i += 100) {
    const chunk = data.rows.slice(i, i + 100);
    await db.query(`INSERT INTO crm.customers VALUES ${chunk.map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`).join(', ')}`, chunk.flat());
  }
  pg = { run: async (sql) => (await db.query<Scored>(sql)).rows, close: () => db.close() };
});

after(async () => {
  sqlite?.close();
  duck?.close();
  await pg?.close();
  t?.close();
});

/** Each customer's segment as the dashboard's customers export gives it, by id ('' when not segmented). */
async function dashboardSegments(modelId: number): Promise<Map<string, string>> {
  const lines = (await request(t.app).get(`/export/customers.csv?model=${modelId}`).expect(200)).text.trim().split(/\r?\n/);
  const cellsOf = (line: string) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === '"' && quoted && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += ch;
    }
    cells.push(cell);
    return cells;
  };
  const at = cellsOf(lines[0]).indexOf('segment');
  return new Map(lines.slice(1).map((line) => {
    const cells = cellsOf(line);
    return [cells[0], cells[at]];
  }));
}

describe('score.sql in SQLite, DuckDB and PostgreSQL over typed tables', { timeout: 240_000 }, () => {
  for (const rules of [...RULES, { missing: 'median', scaling: 'standard', outliers: 'none', algorithm: 'gmm', nInit: 2 }, { missing: 'mode', scaling: 'minmax', outliers: 'iqr-clip', algorithm: 'agglomerative' }] as const) {
    const query = new URLSearchParams({ k: '3', features: 'visits,age,spend,region', ...Object.fromEntries(Object.entries(rules).map(([key, value]) => [key, String(value)])) }).toString();
    it(`${query}: every customer as the dashboard assigns it, the hostile name intact`, async () => {
      const model = await request(t.app).post(`/api/models?dataset=${datasetId}&${query}&name=${encodeURIComponent(Object.values(rules).join(' ').slice(0, 80))}`);
      assert.equal(model.status, 201, model.text);
      await request(t.app).patch(`/api/models/${model.body.id}/segments/0`).send({ name: HOSTILE_NAME }).expect(200);
      const expected = await dashboardSegments(model.body.id);
      for (const [engine, run] of [['sqlite', async (sql: string) => sqlite.prepare(sql).all() as Scored[]], ['duckdb', duck.run], ['postgres', pg.run]] as const) {
        const sql = (await request(t.app).get(`/api/models/${model.body.id}/score.sql?dialect=${engine}&table=crm.customers`).expect(200)).text;
        const scored = await run(sql);
        assert.equal(scored.length, expected.size, `${engine}: one row per customer`);
        const disagree = scored.filter((r) => String(r.segment ?? '') !== expected.get(String(r.customer_id)));
        assert.equal(disagree.length, 0, `${engine}: ${disagree.length} of ${scored.length} customers scored differently (${disagree.slice(0, 3).map((r) => `${r.customer_id}: ${r.segment} vs ${expected.get(String(r.customer_id))}`).join('; ')})`);
        const first = scored.find((r) => Number(r.segment) === 1);
        if (first) assert.equal(first.segment_name, HOSTILE_NAME, `${engine}: the name comes back as written`);
      }
    });
  }
});

/**
 * How each dialect reads a '…' literal: backslash escapes (BigQuery, Snowflake, Spark and
 * PostgreSQL's E'…'), or standard SQL (a doubled quote is a quote, a backslash itself).
 * Returns the value and what follows the literal's closing quote.
 */
function readLiteral(sql: string, backslashes: boolean): { value: string; rest: string } {
  let i = sql.startsWith("E'") ? 2 : 1;
  if (sql[i - 1] !== "'") throw new Error(`not a literal: ${sql}`);
  let value = '';
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashes && ch === '\\') {
      const next = sql[i + 1];
      if (next === 'u') {
        value += String.fromCharCode(parseInt(sql.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        i += 2;
      }
    } else if (ch === "'" && sql[i + 1] === "'" && !(backslashes && !sql.startsWith("E'"))) {
      value += "'";
      i += 2;
    } else if (ch === "'") return { value, rest: sql.slice(i + 1) };
    else {
      if (backslashes && (ch === '\n' || ch === '\r') && !sql.startsWith("E'")) throw new Error('a raw line break inside a backslash-escaped literal (BigQuery refuses it)');
      value += ch;
      i++;
    }
  }
  throw new Error(`unterminated literal: ${sql}`);
}

describe('string literals in every dialect', () => {
  const READS_BACKSLASHES: Record<SqlDialect, boolean> = { ansi: false, sqlite: false, duckdb: false, postgres: true, bigquery: true, snowflake: true, spark: true };
  const VALUES = [HOSTILE_NAME, 'North\\', "O'Brien", "\\'", "''", 'tab\there', 'line\nbreak', 'é ü 名前', '\\\\\\', "a'); DROP TABLE x; --"];
  for (const dialect of SQL_DIALECTS) {
    it(`${dialect}: every value reads back as written and nothing follows the literal`, () => {
      for (const value of VALUES) {
        const literal = sqlText(dialect, value);
        const read = readLiteral(literal, READS_BACKSLASHES[dialect]);
        assert.equal(read.value, value, `${dialect} ${JSON.stringify(value)} as ${literal}`);
        assert.equal(read.rest, '', `${dialect}: ${literal} ends where it should`);
      }
      assert.throws(() => sqlText(dialect, 'nul\u0000'), /NUL/);
    });
  }

  it('refuses table names with an empty part or a control character, and unknown parameters', async () => {
    const app = t.app;
    const model = (await request(app).get(`/api/models?dataset=${datasetId}`).expect(200)).body[0].id;
    for (const table of ['crm.', '.customers', 'a..b', 'crm. .x']) {
      const res = await request(app).get(`/api/models/${model}/score.sql?table=${encodeURIComponent(table)}`).expect(400);
      assert.match(res.body.error, /empty part/);
    }
    const control = await request(app).get(`/api/models/${model}/score.sql?table=${encodeURIComponent('crm.cust\nomers')}`).expect(400);
    assert.match(control.body.error, /control character/);
    const typo = await request(app).get(`/api/models/${model}/score.sql?tabel=x`).expect(400);
    assert.match(typo.body.error, /Unknown field "tabel"; the fields are dialect, table/);
  });
});
