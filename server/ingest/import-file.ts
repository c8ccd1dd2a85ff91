/**
 * A file imported as a person chose: a customer table as it is, or a transaction log
 * summarised per customer (recency, frequency, monetary value). The upload form, the API
 * and `npm run import` all come in here.
 */
import { formatCount } from '../format.ts';
import type { DatasetInfo } from '../store/datasets.ts';
import type { Db } from '../store/db.ts';
import { importCsvFile, importTransactionsFile, type ImportOptions } from './stream-import.ts';
import type { TransactionReport } from './transactions.ts';

export interface ImportedFile {
  dataset: DatasetInfo;
  /** What the transaction log held, when the file was one (rfm). */
  transactions?: TransactionReport;
}

export async function importFile(db: Db, path: string, options: ImportOptions & { rfm: boolean }): Promise<ImportedFile> {
  if (!options.rfm) return { dataset: await importCsvFile(db, path, options) };
  const { dataset, report } = await importTransactionsFile(db, path, options);
  return { dataset, transactions: report };
}

/** A transaction log's summary in a sentence: what became customers and what was left out. */
export function describeTransactions(report: TransactionReport): string {
  const n = (v: number) => formatCount(v);
  return (
    `${n(report.transactions)} transactions from ${n(report.customers)} customers up to ${report.referenceDate}; ` +
    `${n(report.cancellations)} cancellations, ${n(report.negativeQuantities)} returns or negative quantities and ` +
    `${n(report.missingCustomer)} lines without a customer were left out.`
  );
}
