/**
 * A transaction log already imported as lines, made into one row per customer from its
 * stored rows: the dashboard's answer to "each row is a purchase, not a customer" without
 * asking for the file again. The lines stay; the customers are a new dataset.
 */
import { InputError } from '../errors.ts';
import { checkName, NAME_MAX } from '../names.ts';
import { getDataset, rowPages, type DatasetInfo } from '../store/datasets.ts';
import type { Db } from '../store/db.ts';
import { inImportSlot } from './import-slots.ts';
import { writeDerivedCustomers } from './stream-import.ts';
import { deriveCustomers, detectTransactionColumns, guessDayFirst, type TransactionReport } from './transactions.ts';

/** Dates read to tell day-first from month-first, as the file import reads its sample. */
const DATE_SAMPLE = 2000;

async function* storedRecords(db: Db, source: DatasetInfo): AsyncGenerator<string[]> {
  for (const page of rowPages(db, source.id, source.rowCount)) {
    for (const row of page) yield row.map((v) => (v === null ? '' : String(v)));
  }
}

export function deriveRfmFromDataset(
  db: Db,
  datasetId: number,
  name?: string,
): Promise<{ dataset: DatasetInfo; report: TransactionReport }> {
  return inImportSlot(async () => {
    const source = getDataset(db, datasetId);
    const columns = detectTransactionColumns(
      source.columns.map((c) => c.name),
      source.columns.map((c) => c.kind),
    );
    if (!columns) {
      throw new InputError(
        `"${source.name}" does not look like a transaction log: it needs a customer id, a date, and an amount or a quantity and unit ` +
          `price.`,
      );
    }
    const newName = checkName(name ?? `${source.name.slice(0, NAME_MAX - 6)} (RFM)`, 'A dataset name');
    const dates: string[] = [];
    for (const page of rowPages(db, source.id, Math.min(source.rowCount, DATE_SAMPLE)))
      for (const row of page) dates.push(String(row[columns.date] ?? ''));
    const derived = await deriveCustomers(storedRecords(db, source), columns, guessDayFirst(dates), 2);
    return writeDerivedCustomers(db, newName, derived);
  });
}
