/**
 * Warehouse sources through the real server (the bundle npm start runs, one analysis worker):
 * a Parquet file of n customers × 8 columns read by DuckDB, or a PostgreSQL table — add the
 * source, first Clusters view, save, score every row in place — each step timed, the server's
 * peak RSS read from /proc. Against scikit-learn fitting KMeans(6, n_init=10) and predicting
 * the same rows loaded in memory (loading and scaling not timed), in the same run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { keepAliveClient } from '../support/listening-app.ts';
import { startPostgres } from '../support/postgres.ts';
import { buildServer, startServerProcess } from '../support/server-process.ts';

export interface SourceFigures {
  engine: 'duckdb' | 'postgres';
  rows: number;
  addSeconds: number;
  firstViewSeconds: number;
  saveSeconds: number;
  scoreSeconds: number;
  totalSeconds: number;
  peakRssMb: number;
  sklearnSeconds?: number;
}

const NUMERIC = ['age', 'annual_income', 'spending_score', 'membership_years', 'purchase_frequency', 'last_purchase_amount'];

/** Six groups of customers over six numbers and a category; every 20th purchase amount missing. */
const CUSTOMERS_SQL = (rows: number) => `SELECT 'C' || lpad(i::VARCHAR, 9, '0') AS customer_id,
    18 + (hash(i) % 60)::INTEGER AS age,
    (20000 + 25000 * (i % 6) + hash(i * 3) % 15000)::DOUBLE AS annual_income,
    (10 + 15 * ((i * 5) % 6) + hash(i * 7) % 12)::INTEGER AS spending_score,
    (hash(i * 11) % 15)::INTEGER AS membership_years,
    (1 + (i % 6) * 3 + hash(i * 13) % 4)::INTEGER AS purchase_frequency,
    CASE WHEN i % 20 = 0 THEN NULL ELSE (40 + 60 * ((i * 7) % 6) + hash(i * 17) % 50)::DOUBLE END AS last_purchase_amount,
    ['Books', 'Electronics', 'Fashion', 'Home'][1 + (hash(i * 19) % 4)::INTEGER] AS preferred_category
  FROM range(${rows}) r(i)`;

const SKLEARN = `
import sys, time, numpy as np
from sklearn.cluster import KMeans
X = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
means = np.nanmean(X, axis=0)
X = np.where(np.isnan(X), means, X)
X = (X - X.mean(axis=0)) / X.std(axis=0)
s = time.perf_counter()
m = KMeans(6, n_init=10, random_state=0).fit(X)
m.predict(X)
print(time.perf_counter() - s)
`;

function peakRssMb(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function duck(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** scikit-learn's fit and predict of the same rows (the numbers, gaps filled, standardised), loaded from a CSV first. */
async function sklearnSeconds(dir: string, parquet: string): Promise<number | undefined> {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const csv = join(dir, 'numbers.csv');
  await duck(`COPY (SELECT ${NUMERIC.join(', ')} FROM read_parquet('${parquet}')) TO '${csv}' (HEADER, NULLSTR 'nan')`);
  writeFileSync(join(dir, 'bench.py'), SKLEARN);
  const { OPENBLAS_CORETYPE: _core, OPENBLAS_L2_SIZE: _l2, ...env } = process.env;
  const run = spawnSync('/usr/bin/python3', [join(dir, 'bench.py'), csv], { encoding: 'utf8', env, maxBuffer: 1e6 });
  rmSync(csv, { force: true });
  if (run.status !== 0) {
    console.error(`scikit-learn comparison skipped: ${run.stderr.trim().split('\n').pop()}`);
    return undefined;
  }
  return Number(run.stdout.trim());
}

/** The four steps through the server, with the source named as a request would name it. */
async function throughServer(dir: string, env: Record<string, string>, source: object, target: object): Promise<Omit<SourceFigures, 'engine' | 'rows'>> {
  buildServer();
  const server = await startServerProcess(join(dir, 'bench.db'), { WORKERS: '1', ...env }, { built: true });
  const client = keepAliveClient(server.base);
  const post = async (path: string, body: object) => {
    const started = performance.now();
    const res = await fetch(server.base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return { seconds: (performance.now() - started) / 1000, body: (await res.json()) as { id: number } };
  };
  try {
    const added = await post('/api/datasets', { name: 'Bench source', source });
    const firstViewSeconds = (await client.timedGet(`/clusters?dataset=${added.body.id}&k=6`)) / 1000;
    const saved = await post(`/api/models?dataset=${added.body.id}&k=6&name=Bench`, {});
    const scored = await post(`/api/models/${saved.body.id}/score`, target);
    const totalSeconds = added.seconds + firstViewSeconds + saved.seconds + scored.seconds;
    return { addSeconds: added.seconds, firstViewSeconds, saveSeconds: saved.seconds, scoreSeconds: scored.seconds, totalSeconds, peakRssMb: peakRssMb(server.child.pid!) };
  } finally {
    await client.close();
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

export async function benchDuckDbSource(rows: number, compare = true): Promise<SourceFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-source-'));
  try {
    const parquet = join(dir, 'customers.parquet');
    await duck(`COPY (${CUSTOMERS_SQL(rows)}) TO '${parquet}' (FORMAT PARQUET)`);
    const ours = await throughServer(dir, { SOURCES_DIR: dir }, { engine: 'duckdb', path: 'customers.parquet' }, { path: 'scores.parquet' });
    return { engine: 'duckdb', rows, ...ours, sklearnSeconds: compare ? await sklearnSeconds(dir, parquet) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPostgresSource(rows: number): Promise<SourceFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-pg-'));
  chmodSync(dir, 0o755); // the PostgreSQL server reads the CSV as its own user
  const server = startPostgres();
  try {
    const parquet = join(dir, 'customers.csv');
    await duck(`COPY (${CUSTOMERS_SQL(rows)}) TO '${parquet}' (HEADER)`);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`CREATE TABLE customers (customer_id text, age int, annual_income float8, spending_score int, membership_years int,
      purchase_frequency int, last_purchase_amount float8, preferred_category text)`);
    // COPY FROM a file the server reads needs superuser: the test server's user is one.
    await client.query(`COPY customers FROM '${parquet}' WITH (FORMAT csv, HEADER true)`);
    await client.end();
    const ours = await throughServer(dir, {}, { engine: 'postgres', url: server.url, table: 'customers' }, { table: 'customer_segments' });
    return { engine: 'postgres', rows, ...ours };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
