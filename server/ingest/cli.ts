/**
 * npm run import -- FILE.csv [--name NAME] [--rfm] [--delimiter comma|semicolon|tab]
 * Imports a CSV as a new dataset and prints its id; exits non-zero with the reason on error.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { InputError } from '../errors.ts';
import { openDatabase } from '../store/db.ts';
import { parseImportChoices } from './import-options.ts';
import { describeTransactions, importFile } from './import-file.ts';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, rfm: { type: 'boolean' }, delimiter: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    console.error('Usage: npm run import -- FILE.csv [--name NAME] [--rfm] [--delimiter comma|semicolon|tab]');
    return 2;
  }
  const [file] = positionals;
  const config = loadConfig();
  const db = openDatabase(config.dbPath);
  try {
    const choices = parseImportChoices({ delimiter: values.delimiter });
    const options = { ...choices, name: values.name ?? basename(file).replace(/\.(csv|tsv|txt)$/i, ''), maxBytes: config.maxUploadBytes };
    const { dataset, transactions } = await importFile(db, file, { ...options, rfm: values.rfm === true });
    console.error(
      `Imported "${dataset.name}": ${dataset.rowCount} rows, ${dataset.columns.length} ` +
        `columns.${transactions ? ` ${describeTransactions(transactions)}` : ''}`,
    );
    console.log(dataset.id);
    return 0;
  } catch (error) {
    if (error instanceof InputError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      const message = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `there is no file at ${file}` : (error as Error).message;
      console.error(`Import failed: ${message}`);
      return 1;
    }
    throw error;
  } finally {
    db.close();
  }
}

process.exitCode = await main();
