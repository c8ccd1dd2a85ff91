/**
 * A file source read by DuckDB in-process: a Parquet or CSV file, or a table of a DuckDB
 * database. Each task opens its own in-memory instance and closes it, so the file is free
 * for other tools between tasks.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { extname } from 'node:path';
import { InputError } from '../errors.ts';
import { sqlText, sqlWriter, tablePath } from '../scoring/score-sql.ts';
import { bounded, profileSelect, profilesOf, selectOf, type SourceColumn, type SourceConnection } from './source-connection.ts';

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL)/i;
const DATABASE_FILE = new Set(['.duckdb', '.db', '.ddb']);
const w = sqlWriter('duckdb');
const text = (value: string) => sqlText('duckdb', value);
const qualified = (table: string) => tablePath(table).map(w.quote).join('.');

/** What DuckDB reads: the file's relation, and the database attached when the file is one. */
function relationOf(path: string, table: string | undefined): { attach?: string; relation: string } {
  const ext = extname(path).toLowerCase();
  if (DATABASE_FILE.has(ext)) {
    if (!table)
      throw new InputError('A DuckDB database file holds tables: name the one with the customers in "table".', { field: 'table' });
    return { attach: path, relation: `src.${qualified(table)}` };
  }
  if (table)
    throw new InputError(`A ${ext || 'plain'} file is one table: leave "table" out (it is for DuckDB database files).`, { field: 'table' });
  if (ext === '.parquet') return { relation: `read_parquet(${text(path)})` };
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return { relation: `read_csv(${text(path)})` };
  throw new InputError(
    `DuckDB reads .parquet, .csv and DuckDB database files (.duckdb, .db); "${ext || 'no extension'}" is none of them.`,
    {
      field: 'path',
    },
  );
}

export async function openDuckDbSource(
  path: string,
  table: string | undefined,
  timeoutMs: number,
  writable = false,
  signal?: AbortSignal,
): Promise<SourceConnection> {
  const { attach, relation } = relationOf(path, table);
  const instance = await DuckDBInstance.create(':memory:');
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    if (attach) await connection.run(`ATTACH ${text(attach)} AS src${writable ? '' : ' (READ_ONLY)'}`);
    // The score SELECT reads "customers": a view of the source, in the instance's own memory.
    await connection.run(`CREATE VIEW customers AS SELECT * FROM ${relation}`);
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw new InputError(
      `DuckDB cannot read "${path}"${table ? ` table ${table}` : ''}: ${(error as Error).message.split('\n')[0].slice(0, 300)}`,
      {
        field: table ? 'table' : 'path',
      },
    );
  }
  const c = connection;
  // The query running, if any: an interrupted one is let finish before the connection closes
  // (closed under it, its promise never settles and holds the process).
  let running: Promise<unknown> = Promise.resolve();
  const run = async (sql: string, what: string) => {
    const query = c.runAndReadAll(sql);
    running = query.catch(() => {});
    return bounded(query, timeoutMs, () => c.interrupt(), what, signal);
  };
  return {
    engine: 'duckdb',
    scoreTable: 'customers',
    async columns() {
      const rows = (await run('DESCRIBE SELECT * FROM customers', 'Reading the columns')).getRowObjectsJS();
      return rows.map((r): SourceColumn => {
        const type = String(r.column_type);
        return { name: String(r.column_name), type, numeric: NUMERIC_TYPE.test(type) };
      });
    },
    async rowCount() {
      return Number((await run('SELECT count(*) AS n FROM customers', 'Counting the rows')).getRowObjectsJS()[0].n);
    },
    async sampleToCsv(rows, total, seed, csvPath) {
      // Bernoulli is read in parallel (reservoir is not: 4.4 s against 0.7 s for a million of
      // five million): a little over the share, five standard deviations, then the first `rows`.
      const share = Math.min(100, (100 * rows * (1 + 5 / Math.sqrt(rows))) / total);
      const sample =
        rows >= total ? '' : ` USING SAMPLE ${share.toPrecision(8)}% (bernoulli, ${Math.trunc(seed)}) LIMIT ${Math.trunc(rows)}`;
      await run(`COPY (SELECT * FROM customers${sample}) TO ${text(csvPath)} (HEADER, DELIMITER ',')`, 'Drawing the sample');
    },
    async profile(columns) {
      // One thread: the profile runs while the sample is imported, which needs a core of its own.
      await run('SET threads TO 1', 'Profiling every row');
      const select = profileSelect(
        columns,
        w.quote,
        (sql) => `${sql}::DOUBLE`,
        () => 'NULL',
      );
      const row = (await run(`SELECT ${select} FROM customers`, 'Profiling every row')).getRowObjectsJS()[0];
      // Exact quartiles hold every value of their column: one column at a time holds one
      // column's worth (80 MB at ten million rows), not every column's at once.
      for (const [i, col] of columns.entries()) {
        if (!col.numeric) continue;
        const q = await run(
          `SELECT quantile_cont(${w.quote(col.name)}::DOUBLE, [0.25, 0.5, 0.75]) AS q FROM customers`,
          'Profiling every row',
        );
        row[`q${i}`] = q.getRowObjectsJS()[0].q;
      }
      return profilesOf(columns, row);
    },
    async targetExists(target) {
      if (target.kind === 'file') return false; // checked on the file system by the caller
      const parts = tablePath(target.table);
      const name = parts.at(-1)!;
      const schema = parts.length > 1 ? parts.at(-2)! : 'main';
      const found = await run(
        `SELECT 1 FROM information_schema.tables WHERE table_catalog = 'src' ` +
          `AND table_schema = ${text(schema)} AND table_name = ${text(name)}`,
        'Looking for the table',
      );
      return found.getRowObjectsJS().length > 0;
    },
    async writeScores(select, target) {
      if (target.kind === 'file') {
        const done = await run(`COPY (${selectOf(select)}) TO ${text(target.path)} (FORMAT PARQUET)`, 'Scoring every row');
        return Number(done.getRowObjectsJS()[0]?.Count ?? 0);
      }
      if (!attach) throw new InputError('A file source is scored into a Parquet file: send "path", not "table".', { field: 'table' });
      await run(`CREATE OR REPLACE TABLE src.${qualified(target.table)} AS ${selectOf(select)}`, 'Scoring every row');
      return Number((await run(`SELECT count(*) AS n FROM src.${qualified(target.table)}`, 'Counting the scores')).getRowObjectsJS()[0].n);
    },
    async close() {
      await running;
      c.closeSync();
      instance.closeSync();
    },
  };
}
