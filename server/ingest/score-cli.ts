/**
 * npm run score -- --model ID FILE.csv > scored.csv
 *   Scores a CSV of any size with a saved segmentation, streaming (constant memory):
 *   customer_id, segment, segment_name, distance per row.
 * npm run score -- --model ID --sql DIALECT [--table NAME]
 *   Prints the segmentation as one SQL query (see GET /api/models/:id/score.sql).
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { scoreSql, SQL_DIALECTS, type SqlDialect } from '../analysis/score-sql.ts';
import { loadConfig } from '../config.ts';
import { InputError } from '../errors.ts';
import { getDataset } from '../store/datasets.ts';
import { openReader } from '../store/db.ts';
import { getModel } from '../store/models.ts';
import { csvCell } from './csv-cell.ts';
import { scoreCsvFile } from './score-stream.ts';

const USAGE = 'Usage: npm run score -- --model ID FILE.csv > scored.csv\n       npm run score -- --model ID --sql ansi|sqlite|postgres|duckdb|bigquery|snowflake|spark [--table NAME]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: 'string' }, sql: { type: 'string' }, table: { type: 'string' } } });
  const id = Number(values.model);
  if (!Number.isInteger(id) || id < 1 || (!values.sql && positionals.length !== 1)) {
    console.error(USAGE);
    return 2;
  }
  const db = openReader(loadConfig().dbPath);
  try {
    const model = getModel(db, id);
    const idColumn = getDataset(db, model.datasetId).columns.find((c) => c.kind === 'id')?.name;
    if (values.sql) {
      if (!(SQL_DIALECTS as readonly string[]).includes(values.sql)) throw new InputError(`--sql must be one of ${SQL_DIALECTS.join(', ')}.`);
      process.stdout.write(scoreSql(model.pipeline, { dialect: values.sql as SqlDialect, table: values.table ?? 'customers', idColumn }));
      return 0;
    }
    const write = async (line: string) => {
      if (!process.stdout.write(line)) await once(process.stdout, 'drain');
    };
    await write('customer_id,segment,segment_name,distance\n');
    let rows = 0;
    for await (const batch of scoreCsvFile(model.pipeline, positionals[0], idColumn)) {
      await write(batch.map((r) => [csvCell(r.customerId), r.segment ?? '', csvCell(r.segmentName ?? ''), r.distance ?? ''].join(',')).join('\n') + (batch.length ? '\n' : ''));
      rows += batch.length;
    }
    console.error(`Scored ${rows.toLocaleString('en-US')} customers with "${model.name}".`);
    return 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof InputError || code === 'ENOENT') {
      console.error(`Cannot score: ${code === 'ENOENT' ? `there is no file at ${positionals[0]}` : (error as Error).message}`);
      return 1;
    }
    throw error;
  } finally {
    db.close();
  }
}

process.exitCode = await main();
