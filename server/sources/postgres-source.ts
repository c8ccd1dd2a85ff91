/**
 * A PostgreSQL table read in place with node-postgres: its columns from the catalogue, a
 * seeded TABLESAMPLE, aggregates over every row, and scores written with CREATE TABLE AS.
 * Each statement is bounded by the analysis timeout (statement_timeout), and one client is
 * opened per task.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import pg from 'pg';
import { InputError } from '../errors.ts';
import { sqlWriter, tablePath } from '../scoring/score-sql.ts';
import { redactedUrl } from './source-spec.ts';
import { bounded, profileSelect, profilesOf, selectOf, type SourceConnection } from './source-connection.ts';

const NUMERIC_TYPE = /^(smallint|integer|bigint|numeric|decimal|real|double precision)/i;
const w = sqlWriter('postgres');
const qualified = (table: string) => tablePath(table).map(w.quote).join('.');
/** Rows fetched from the sample's cursor at a time. */
const FETCH_ROWS = 10_000;

/** A CSV cell: quoted when it holds a comma, quote or line break. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** What pg says, as a person can act on it, without the URL's password. */
function describe(error: unknown, url: string): InputError {
  const e = error as { code?: string; message?: string };
  const where = redactedUrl(url);
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT')
    return new InputError(`No PostgreSQL server answers at ${where}: check the host and port, and that it runs.`, {
      status: 502,
      field: 'url',
    });
  if (e.code === '28P01' || e.code === '28000')
    return new InputError(`PostgreSQL at ${where} refused the user or password.`, { field: 'url' });
  if (e.code === '3D000') return new InputError(`PostgreSQL at ${where} has no such database.`, { field: 'url' });
  if (e.code === '42P01') return new InputError(`PostgreSQL at ${where} has no such table.`, { status: 404, field: 'table' });
  if (e.code === '57014')
    return new InputError('PostgreSQL stopped the query at the analysis timeout; raise ANALYSIS_TIMEOUT_SECONDS.', { status: 504 });
  return new InputError(`PostgreSQL at ${where}: ${(e.message ?? String(error)).split('\n')[0].slice(0, 300)}`);
}

export async function openPostgresSource(url: string, table: string, timeoutMs: number, signal?: AbortSignal): Promise<SourceConnection> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: Math.min(timeoutMs, 15_000),
    statement_timeout: timeoutMs,
  });
  client.on('error', () => {}); // a dropped connection fails the running query, answered there
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw describe(error, url);
  }
  const source = qualified(table);
  const run = async <R extends pg.QueryResultRow>(sql: string, what: string, values?: unknown[]) => {
    try {
      return await bounded(client.query<R>(sql, values), timeoutMs + 1000, () => void client.end().catch(() => {}), what, signal);
    } catch (error) {
      throw error instanceof InputError ? error : describe(error, url);
    }
  };
  // Does the table exist at all: a 404 that names it, before any other work.
  await run(`SELECT 1 FROM ${source} LIMIT 0`, 'Opening the table').catch(async (error) => {
    await client.end().catch(() => {});
    throw error;
  });
  return {
    engine: 'postgres',
    scoreTable: table,
    async columns() {
      const result = await run(`SELECT * FROM ${source} LIMIT 0`, 'Reading the columns');
      const types = await run<{ oid: number; name: string }>(
        'SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])',
        'Reading the column types',
        [result.fields.map((f) => f.dataTypeID)],
      );
      const typeName = new Map(types.rows.map((t) => [t.oid, t.name]));
      return result.fields.map((f) => {
        const type = typeName.get(f.dataTypeID) ?? 'unknown';
        return { name: f.name, type, numeric: NUMERIC_TYPE.test(type) };
      });
    },
    async rowCount() {
      return Number((await run<{ n: string }>(`SELECT count(*) AS n FROM ${source}`, 'Counting the rows')).rows[0].n);
    },
    async sampleToCsv(rows, total, seed, csvPath) {
      // Bernoulli with a little to spare, then the first `rows`: seeded by REPEATABLE.
      const percent = Math.min(100, ((rows * 1.05 + 100) / Math.max(1, total)) * 100);
      const sample = rows >= total ? '' : ` TABLESAMPLE BERNOULLI (${percent.toPrecision(6)}) REPEATABLE (${Math.trunc(seed)})`;
      const out = createWriteStream(csvPath);
      try {
        await run('BEGIN READ ONLY', 'Drawing the sample');
        await run(`DECLARE sample NO SCROLL CURSOR FOR SELECT * FROM ${source}${sample} LIMIT ${Math.trunc(rows)}`, 'Drawing the sample');
        let header = false;
        for (;;) {
          const batch = await run(`FETCH ${FETCH_ROWS} FROM sample`, 'Drawing the sample');
          if (!header) {
            out.write(`${batch.fields.map((f) => csvCell(f.name)).join(',')}\n`);
            header = true;
          }
          if (batch.rows.length === 0) break;
          const names = batch.fields.map((f) => f.name);
          const lines = batch.rows.map((row) => names.map((n) => csvCell(row[n])).join(',')).join('\n');
          if (!out.write(`${lines}\n`)) await once(out, 'drain');
        }
        await run('COMMIT', 'Drawing the sample');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        out.end();
        await once(out, 'close');
      }
    },
    async profile(columns) {
      const select = profileSelect(
        columns,
        w.quote,
        (sql) => `${sql}::float8`,
        (q) => `percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY ${q})`,
      );
      return profilesOf(columns, (await run<Record<string, unknown>>(`SELECT ${select} FROM ${source}`, 'Profiling every row')).rows[0]);
    },
    async targetExists(target) {
      if (target.kind !== 'table') return false;
      const found = await run<{ found: string | null }>('SELECT to_regclass($1) AS found', 'Looking for the table', [
        qualified(target.table),
      ]);
      return found.rows[0].found !== null;
    },
    async writeScores(select, target) {
      if (target.kind !== 'table')
        throw new InputError('A PostgreSQL source is scored into a table of its database: send "table".', { field: 'path' });
      const into = qualified(target.table);
      await run('BEGIN', 'Scoring every row');
      try {
        await run(`DROP TABLE IF EXISTS ${into}`, 'Scoring every row');
        const created = await run(`CREATE TABLE ${into} AS ${selectOf(select)}`, 'Scoring every row');
        await run('COMMIT', 'Scoring every row');
        return created.rowCount ?? 0;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}
