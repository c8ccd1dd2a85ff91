/**
 * Imports a CSV file of any size in one pass: the first rows decide delimiter, header and
 * column kinds (which the user may override), then every row is converted and written in
 * one transaction. Nothing is stored unless the whole file imports.
 */
import { formatMegabytes } from '../format.ts';
import { MAX_UPLOAD_BYTES } from '../defaults.ts';
import { stat } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { inferRole, ROLE_LABELS, type ColumnRole, type RoleGuess } from '../analysis/roles.ts';
import type { ColumnKind } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import { checkName } from '../names.ts';
import { writeCustomerProducts } from '../store/customer-products.ts';
import { openDatasetWriter } from '../store/dataset-writer.ts';
import type { Db } from '../store/db.ts';
import { getDataset, type CellValue, type DatasetInfo } from '../store/datasets.ts';
import { detectDelimiter, type Delimiter } from './delimiter.ts';
import { inImportSlot } from './import-slots.ts';
import { inferColumn, MAX_CATEGORY_LEVELS } from './infer.ts';
import { readHead, readRecordBatches } from './records.ts';
import { checkHeader, checkMixed, checkOverrides } from './column-checks.ts';

export { MAX_IMPORT_COLUMNS, validateColumnName } from './column-checks.ts';
import {
  deriveCustomers,
  detectTransactionColumns,
  guessDayFirst,
  type DerivedCustomers,
  type TransactionColumns,
  type TransactionReport,
} from './transactions.ts';
import { isMissing, parseNumber } from './values.ts';

export const SAMPLE_ROWS = 5000;

export interface CsvReadOptions {
  delimiter?: Delimiter;
  /** Whether the first row names the columns; guessed when absent. */
  hasHeader?: boolean;
  /** Kind overrides by column name. */
  kinds?: Record<string, ColumnKind>;
  /** Role overrides by column name (analysis/roles.ts). */
  roles?: Record<string, ColumnRole>;
  /** How numeric dates are written when their values cannot tell (the preview asks). */
  dayFirst?: boolean;
  maxBytes?: number;
}

export interface CsvPlan {
  delimiter: Delimiter;
  hasHeader: boolean;
  header: string[];
  kinds: ColumnKind[];
  /** Per column, why it has its kind (or that the user chose it). */
  notes: string[];
  /** Per column, set when it is empty or constant in the sample: not a default feature. */
  unusable: ('empty' | 'constant' | null)[];
  /** Per column, what it means to a marketer, why, and a "never" value if it has one. */
  roles: RoleGuess[];
  /** The first rows as text, for the preview. */
  sample: string[][];
  /** Set when the file looks like a transaction log that can become one row per customer. */
  transactions: TransactionColumns | null;
  /** Date columns whose values do not tell day from month (01/02/2024): the preview asks. */
  ambiguousDates: string[];
}

/** Batches of records, as readRecordBatches gives them. */
type RecordBatches = AsyncGenerator<string[][]>;

/** The sample's role guess, or the user's choice with what it looked like. */
function roleOf(name: string, kind: ColumnKind, values: readonly (string | undefined)[], chosen: ColumnRole | undefined): RoleGuess {
  const numbers: number[] = [];
  const levels = new Set<string>();
  for (const raw of values) {
    if (raw === undefined || isMissing(raw)) continue;
    const n = parseNumber(raw);
    if (Number.isFinite(n)) numbers.push(n);
    else if (levels.size <= MAX_CATEGORY_LEVELS) levels.add(raw.trim().toLowerCase());
  }
  if (kind !== 'numeric') for (const n of numbers) if (levels.size <= MAX_CATEGORY_LEVELS) levels.add(String(n));
  const guess = inferRole({ name, kind, numbers: kind === 'numeric' ? numbers : [], levels: [...levels] });
  if (!chosen || chosen === guess.role) return guess;
  return {
    role: chosen,
    reason: `${ROLE_LABELS[chosen]}, as chosen (it looked like: ${ROLE_LABELS[guess.role]})`,
    sentinel: guess.sentinel,
  };
}

async function readPlan(
  options: CsvReadOptions,
  records: RecordBatches,
  purpose: 'preview' | 'import' = 'import',
): Promise<CsvPlan & { delimiter: Delimiter }> {
  const first = await records.next();
  if (first.done) throw new InputError('The file is empty; it needs a header row and at least one customer.');
  const [firstRecord, ...rest] = first.value;
  const firstRow = firstRecord.map((v) => v.trim());
  const hasHeader = options.hasHeader ?? !firstRow.every((v) => Number.isFinite(parseNumber(v)));
  const header = hasHeader ? firstRow : firstRow.map((_, i) => `column ${i + 1}`);
  checkHeader(header);
  if (purpose === 'import') checkOverrides(header, options);
  // Whole batches: the sample holds SAMPLE_ROWS rows or a few more.
  const sample: string[][] = hasHeader ? rest : first.value;
  while (sample.length < SAMPLE_ROWS) {
    const next = await records.next();
    if (next.done) break;
    for (const record of next.value) sample.push(record);
  }
  if (sample.length === 0) throw new InputError('The file has a header but no rows; add at least one customer.');
  const firstDataLine = hasHeader ? 2 : 1;
  const kinds: ColumnKind[] = [];
  const notes: string[] = [];
  const unusable: CsvPlan['unusable'] = [];
  const roles: RoleGuess[] = [];
  const ambiguousDates: string[] = [];
  for (const [c, name] of header.entries()) {
    const override = options.kinds && Object.hasOwn(options.kinds, name) ? options.kinds[name] : undefined;
    const values = sample.map((r) => r[c]);
    const guess = inferColumn(name, values);
    if (!override && (guess.kind === 'categorical' || guess.kind === 'text')) checkMixed(name, values, firstDataLine);
    kinds.push(override ?? guess.kind);
    notes.push(override && override !== guess.kind ? `${override}, as chosen (it looked like: ${guess.reason})` : guess.reason);
    unusable.push(guess.unusable ?? null);
    roles.push(
      roleOf(name, override ?? guess.kind, values, options.roles && Object.hasOwn(options.roles, name) ? options.roles[name] : undefined),
    );
    if ((override ?? guess.kind) === 'date' && guess.dayMonthUnknown) ambiguousDates.push(name);
    // A column of the sample takes a few milliseconds: other requests go between them.
    await nextTurn();
  }
  return {
    delimiter: options.delimiter!,
    hasHeader,
    header,
    kinds,
    notes,
    unusable,
    roles,
    sample,
    transactions: detectTransactionColumns(header, kinds),
    ambiguousDates,
  };
}

async function openRecords(path: string, options: CsvReadOptions): Promise<{ delimiter: Delimiter; records: RecordBatches }> {
  const { size } = await stat(path);
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  if (size > maxBytes) {
    throw new InputError(
      `The file is ${formatMegabytes(size, 1)}; the limit is ${formatMegabytes(maxBytes)}. Split it or raise MAX_UPLOAD_MB.`,
      { status: 413 },
    );
  }
  if (size === 0) throw new InputError('The file is empty; it needs a header row and at least one customer.');
  const delimiter = options.delimiter ?? detectDelimiter((await readHead(path)).replace(/^\uFEFF/, ''));
  return { delimiter, records: readRecordBatches(path, delimiter) };
}

/** Reads only the start of the file: what the preview shows before anything is stored. */
export async function previewCsv(path: string, options: CsvReadOptions = {}): Promise<CsvPlan> {
  const { delimiter, records } = await openRecords(path, options);
  try {
    return await readPlan({ ...options, delimiter }, records, 'preview');
  } finally {
    await records.return(undefined);
  }
}

export function convertRecord(record: string[], kinds: ColumnKind[], header: string[], line: number): CellValue[] {
  const row = new Array<CellValue>(record.length);
  for (let c = 0; c < record.length; c++) {
    const raw = record[c];
    if (isMissing(raw)) row[c] = null;
    else if (kinds[c] !== 'numeric') row[c] = raw.trim();
    else {
      const value = parseNumber(raw);
      if (!Number.isFinite(value)) {
        throw new InputError(
          `Column "${header[c].slice(0, 60)}" is numeric but row ${line} holds "${raw.slice(0, 40)}"; fix the value, leave it empty, ` +
            `or import the column as categorical.`,
        );
      }
      row[c] = value;
    }
  }
  return row;
}

export interface ImportOptions extends CsvReadOptions {
  name: string;
  /** What belongs with the rows (a source dataset's origin), written in the transaction that commits them. */
  alsoWrite?: (db: Db, datasetId: number) => void;
  /** Work the commit waits for, and fails with (a source's aggregates, computed by its engine while the rows stream in). */
  waitFor?: Promise<unknown>;
}

/** Imports the file as a new dataset, all or nothing, when an import slot is free. */
export function importCsvFile(db: Db, path: string, options: ImportOptions): Promise<DatasetInfo> {
  return inImportSlot(() => importRows(db, path, options));
}

async function importRows(db: Db, path: string, options: ImportOptions): Promise<DatasetInfo> {
  const name = checkName(options.name, 'A dataset name');
  const { delimiter, records } = await openRecords(path, options);
  try {
    const plan = await readPlan({ ...options, delimiter }, records);
    if (!plan.kinds.includes('numeric')) {
      throw new InputError('No column holds numbers; segmentation needs at least one numeric column.');
    }
    const writer = openDatasetWriter(
      db,
      name,
      plan.header.map((column, c) => ({
        name: column,
        kind: plan.kinds[c],
        note: plan.notes[c],
        unusable: plan.unusable[c],
        role: plan.roles[c].role,
        roleNote: plan.roles[c].reason,
        sentinel: plan.roles[c].sentinel?.value ?? null,
      })),
    );
    try {
      let line = plan.hasHeader ? 2 : 1;
      for (const record of plan.sample) {
        writer.insert(convertRecord(record, plan.kinds, plan.header, line++));
        if (line % 128 === 0) await nextTurn();
      }
      for await (const batch of records) {
        for (const record of batch) writer.insert(convertRecord(record, plan.kinds, plan.header, line++));
      }
      await options.waitFor;
      return getDataset(db, await writer.commit(options.alsoWrite));
    } catch (error) {
      writer.rollback();
      throw error;
    }
  } finally {
    await records.return(undefined);
  }
}

async function* concat(first: string[][], rest: RecordBatches): AsyncGenerator<string[]> {
  yield* first;
  for await (const batch of rest) yield* batch;
}

/** A transaction log becomes a dataset of one row per customer with RFM features. */
export function importTransactionsFile(
  db: Db,
  path: string,
  options: ImportOptions,
): Promise<{ dataset: DatasetInfo; report: TransactionReport }> {
  return inImportSlot(() => importTransactions(db, path, options));
}

async function importTransactions(
  db: Db,
  path: string,
  options: ImportOptions,
): Promise<{ dataset: DatasetInfo; report: TransactionReport }> {
  const name = options.name.trim();
  if (name === '') throw new InputError('Give the dataset a name.', { field: 'name' });
  const { delimiter, records } = await openRecords(path, options);
  try {
    const plan = await readPlan({ ...options, delimiter }, records);
    if (!plan.transactions) {
      throw new InputError(
        'This file does not look like a transaction log: it needs a customer id, a date, and an amount or a quantity and unit price.',
      );
    }
    const dayFirst = options.dayFirst ?? guessDayFirst(plan.sample.map((r) => r[plan.transactions!.date]));
    const derived = await deriveCustomers(concat(plan.sample, records), plan.transactions, dayFirst, plan.hasHeader ? 2 : 1);
    return await writeDerivedCustomers(db, name, derived);
  } finally {
    await records.return(undefined);
  }
}

/** One row per customer, written whole or not at all. */
export async function writeDerivedCustomers(
  db: Db,
  name: string,
  derived: DerivedCustomers,
): Promise<{ dataset: DatasetInfo; report: TransactionReport }> {
  const writer = openDatasetWriter(db, name, derived.columns);
  try {
    for (const row of derived.rows) writer.insert(row);
    const { purchases } = derived;
    const id = await writer.commit(purchases ? (staging, datasetId) => writeCustomerProducts(staging, datasetId, purchases) : undefined);
    return { dataset: getDataset(db, id), report: derived.report };
  } catch (error) {
    writer.rollback();
    throw error;
  }
}
