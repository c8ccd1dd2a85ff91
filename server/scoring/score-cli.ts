/**
 * npm run score -- --model ID FILE.csv > scored.csv
 *   Scores a CSV of any size with a saved segmentation, streaming (constant memory):
 *   customer_id, segment, segment_name, distance per row.
 * npm run score -- --model ID --sql DIALECT [--table NAME]
 *   Prints the segmentation as one SQL query (see GET /api/models/:id/score.sql).
 *
 * A bad argument prints the usage and exits 2; a model, file or database that cannot be
 * used exits 1 with the reason. Nothing reaches stdout before scoring is known to work,
 * so a failed run never leaves a header-only file behind.
 */
import { formatCount } from '../format.ts';
import { existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { SQL_DIALECTS, type SqlDialect } from './score-sql.ts';
import { assigningSql } from './rules-sql.ts';
import { loadConfig } from '../config.ts';
import { InputError } from '../errors.ts';
import { getDataset } from '../store/datasets.ts';
import { describeOpenError, openReader } from '../store/db.ts';
import { getModel } from '../store/saved-models.ts';
import { csvCell } from '../ingest/csv-cell.ts';
import { scoreCsvFile, type UnparsableValue } from './score-stream.ts';

const USAGE = `Usage: npm run score -- --model ID FILE.csv > scored.csv
       npm run score -- --model ID --sql ${SQL_DIALECTS.join('|')} [--table NAME]`;

/** Unparsable values reported one by one; the rest are counted. */
const REPORTED_VALUES = 10;

/** A bad command line: its reason, then the usage, exit 2. */
class UsageError extends Error {}

interface ScoreArguments {
  modelId: number;
  dialect?: SqlDialect;
  table?: string;
  file?: string;
}

function parseArguments(argv: string[]): ScoreArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { model: { type: 'string' }, sql: { type: 'string' }, table: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.model === undefined)
    throw new UsageError('Give the saved segmentation: --model ID (its id on the Clusters tab, or GET /api/models).');
  if (!/^\d{1,15}$/.test(values.model) || Number(values.model) < 1)
    throw new UsageError(`--model must be a positive whole number, not "${values.model.slice(0, 40)}".`);
  if (values.sql !== undefined && !(SQL_DIALECTS as readonly string[]).includes(values.sql))
    throw new UsageError(`--sql must be one of ${SQL_DIALECTS.join(', ')}, not "${values.sql.slice(0, 40)}".`);
  if (values.sql === undefined && values.table !== undefined)
    throw new UsageError('--table goes with --sql (it names the table the query reads).');
  if (values.sql !== undefined && positionals.length > 0) throw new UsageError('With --sql, give no file: the query scores a table.');
  if (values.sql === undefined && positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? 'Give the CSV file to score.' : `Give one CSV file to score, not ${positionals.length}.`,
    );
  const file = positionals[0];
  if (file !== undefined) {
    if (!existsSync(file)) throw new InputError(`there is no file at ${file}.`);
    if (!statSync(file).isFile()) throw new UsageError(`${file} is not a file (a directory?); give the CSV file to score.`);
  }
  return { modelId: Number(values.model), dialect: values.sql as SqlDialect | undefined, table: values.table, file };
}

async function score(args: ScoreArguments): Promise<void> {
  const { dbPath } = loadConfig();
  if (!existsSync(dbPath))
    throw new InputError(
      `there is no database at ${dbPath}; set DB_PATH to the dashboard's database, or start the dashboard once to create it.`,
    );
  let db;
  try {
    db = openReader(dbPath);
  } catch (error) {
    throw new InputError(describeOpenError(error, dbPath));
  }
  try {
    const model = getModel(db, args.modelId);
    const idColumn = getDataset(db, model.datasetId).columns.find((c) => c.kind === 'id')?.name;
    if (args.dialect) {
      process.stdout.write(assigningSql(model.pipeline, { dialect: args.dialect, table: args.table ?? 'customers', idColumn }));
      return;
    }
    const write = async (line: string) => {
      if (!process.stdout.write(line)) await once(process.stdout, 'drain');
    };
    let unparsable = 0;
    const report = ({ row, column, value }: UnparsableValue) => {
      if (++unparsable <= REPORTED_VALUES)
        console.error(`Row ${formatCount(row)}: "${column}" is "${value.slice(0, 40)}", not a number; scored as a missing value.`);
    };
    let rows = 0;
    // The header goes out with the first scored batch: the file's columns are checked by then.
    let header = 'customer_id,segment,segment_name,distance\n';
    for await (const batch of scoreCsvFile(model.pipeline, args.file!, idColumn, report)) {
      await write(
        header +
          batch.map((r) => [csvCell(r.customerId), r.segment ?? '', csvCell(r.segmentName ?? ''), r.distance ?? ''].join(',')).join('\n') +
          (batch.length ? '\n' : ''),
      );
      header = '';
      rows += batch.length;
    }
    if (header) await write(header);
    if (unparsable > REPORTED_VALUES)
      console.error(`… and ${formatCount(unparsable - REPORTED_VALUES)} more values that are not numbers, scored as missing.`);
    console.error(
      `Scored ${formatCount(rows)} customers with ` +
        `"${model.name}"${unparsable ? `; ${formatCount(unparsable)} values were not numbers` : ''}.`,
    );
  } finally {
    db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    await score(parseArguments(argv));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof InputError) {
      console.error(`Cannot score: ${error.message}`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EISDIR' || code === 'ENOENT') {
      console.error(`Cannot score: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
