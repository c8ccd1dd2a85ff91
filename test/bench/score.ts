/**
 * A saved segmentation's score.sql run in DuckDB over n customers, against the dashboard's
 * own assignment of the same customers (assignAll on the loaded table), both timed, and how
 * many customers the two put in different segments (0 is the goal).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS } from '../../server/segmentation/options.ts';
import { assignAll } from '../../server/segmentation/model-ops.ts';
import { segment } from '../../server/segmentation/pipeline.ts';
import { prepare } from '../../server/segmentation/prepared.ts';
import { scoreSql } from '../../server/scoring/score-sql.ts';
import { importCsvFile } from '../../server/ingest/stream-import.ts';
import { getDataset, loadDataTable } from '../../server/store/datasets.ts';
import { openDatabase } from '../../server/store/db.ts';
import { defaultFeatures } from '../../server/web/params.ts';
import { writeBigCsv } from '../fixtures/big-csv.ts';

export interface ScoreFigures {
  rows: number;
  duckdbSeconds: number;
  dashboardSeconds: number;
  disagreements: number;
}

export async function benchScore(rows = 1_000_000): Promise<ScoreFigures> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-score-'));
  try {
    const csv = join(dir, 'customers.csv');
    await writeBigCsv(csv, rows);
    const db = openDatabase(join(dir, 'score.db'));
    const dataset = await importCsvFile(db, csv, { name: 'big', maxBytes: 1e12 });
    const table = loadDataTable(db, dataset.id);
    const options = { ...DEFAULT_OPTIONS, features: defaultFeatures(getDataset(db, dataset.id)), k: 5, outliers: 'iqr-clip' as const };
    const { pipeline } = segment(table, prepare(table, options), options);
    let started = performance.now();
    const labels = assignAll(pipeline, table);
    const dashboardSeconds = (performance.now() - started) / 1000;
    const idColumn = getDataset(db, dataset.id).columns.find((c) => c.kind === 'id')?.name;
    db.close();

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`CREATE TABLE customers AS SELECT * FROM read_csv('${csv.replaceAll("'", "''")}', header = true, all_varchar = false)`);
      const sql = scoreSql(pipeline, { dialect: 'duckdb', table: 'customers', idColumn });
      started = performance.now();
      await connection.run(`CREATE TABLE scored AS ${sql}`);
      const duckdbSeconds = (performance.now() - started) / 1000;
      // Row i of the file is customer C{i+1}: compare by that id.
      const result = (await connection.runAndReadAll("SELECT CAST(SUBSTR(customer_id, 2) AS INTEGER) - 1 AS row, segment FROM scored")).getRows() as [number, number | bigint | null][];
      let disagreements = 0;
      for (const [row, seg] of result) {
        const expected = labels[row] >= 0 ? labels[row] + 1 : null;
        if ((seg === null ? null : Number(seg)) !== expected) disagreements++;
      }
      return { rows, duckdbSeconds, dashboardSeconds, disagreements };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
