/**
 * Transaction logs to one row per customer: recency, frequency, monetary value, tenure and
 * average order value, with the classic RFM 1-5 scores and named RFM groups.
 */
import { RFM_GROUP_COLUMN } from '../segmentation/profile.ts';
import type { ColumnKind } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import type { NewColumn } from '../store/dataset-writer.ts';
import type { PurchaseLine } from '../store/customer-products.ts';
import type { CellValue } from '../store/datasets.ts';
import { dateOrder, isMissing, parseNumber } from './values.ts';

export interface TransactionColumns {
  customer: number;
  date: number;
  /** What was bought (a description or product name, else a code): kept per customer for top and trending products. */
  product?: number;
  invoice?: number;
  amount?: number;
  quantity?: number;
  unitPrice?: number;
}

const find = (header: string[], pattern: RegExp, exclude: number[] = []) =>
  header.findIndex((h, i) => pattern.test(h) && !exclude.includes(i));

/** For a file imported as it is that looks like a transaction log: it could be one row per customer. */
export function transactionLogHint(columns: { name: string; kind: ColumnKind }[]): string | undefined {
  const names = columns.map((c) => c.name);
  const found = detectTransactionColumns(
    names,
    columns.map((c) => c.kind),
  );
  if (!found) return undefined;
  return (
    `This looks like a transaction log (customer "${names[found.customer]}", date "${names[found.date]}"): each row is a ` +
    `purchase, not a customer. Import it again with rfm=true to get one row per customer with recency, frequency and monetary value.`
  );
}

/** Recognises a transaction layout (customer, date, and an amount or quantity x unit price). */
export function detectTransactionColumns(header: string[], kinds: ColumnKind[]): TransactionColumns | null {
  const customer = find(header, /customer.?id|client.?id|^customer$|^client$|member.?id/i);
  let date = kinds.findIndex((k, i) => k === 'date' && /date|time/i.test(header[i]));
  if (date < 0) date = kinds.indexOf('date');
  if (customer < 0 || date < 0) return null;
  const invoice = find(header, /invoice|order.?(id|no|number)|transaction.?id|receipt/i, [customer]);
  const numericAt = (i: number) => (i >= 0 && kinds[i] === 'numeric' ? i : -1);
  const quantity = numericAt(find(header, /quantity|qty|units/i));
  const unitPrice = numericAt(find(header, /unit.?price|price/i));
  const amount = numericAt(find(header, /amount|total|revenue|sales|spend|value/i, [customer, date]));
  if (amount < 0 && (quantity < 0 || unitPrice < 0)) return null;
  const named = find(header, /description|product.?name|^product$|item.?name|^item$|^article$/i, [customer, date]);
  const product = named >= 0 ? named : find(header, /product|sku|stock.?code|item|category/i, [customer, date]);
  return {
    customer,
    date,
    product: product >= 0 && kinds[product] !== 'numeric' ? product : undefined,
    invoice: invoice >= 0 ? invoice : undefined,
    amount: amount >= 0 ? amount : undefined,
    quantity: quantity >= 0 ? quantity : undefined,
    unitPrice: unitPrice >= 0 ? unitPrice : undefined,
  };
}

const DAY_MS = 86_400_000;

/**
 * Parses ISO dates and D/M/Y or M/D/Y (with an optional time) to UTC milliseconds. The order
 * of day and month is decided once per file: day first if any first part exceeds 12.
 */
export function parseDate(text: string, dayFirst: boolean): number {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(t);
  if (iso) return Date.UTC(+iso[1], +iso[2] - 1, +iso[3], +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0));
  const dmy = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (dmy) {
    const year = dmy[4].length === 2 ? 2000 + Number(dmy[4]) : Number(dmy[4]);
    const [day, month] = dayFirst ? [+dmy[1], +dmy[3]] : [+dmy[3], +dmy[1]];
    if (month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
    return Date.UTC(year, month - 1, day, +(dmy[5] ?? 0), +(dmy[6] ?? 0), +(dmy[7] ?? 0));
  }
  return Number.NaN;
}

export function guessDayFirst(dates: string[]): boolean {
  return dateOrder(dates) === 'day-first';
}

interface CustomerTotals {
  first: number;
  last: number;
  invoices: Set<string>;
  lines: number;
  monetary: number;
  /** The date of each line, by product (when the log names products). */
  bought?: Map<string, number[]>;
}

export interface TransactionReport {
  transactions: number;
  cancellations: number;
  negativeQuantities: number;
  missingCustomer: number;
  customers: number;
  referenceDate: string;
}

/** What an RFM dataset holds a row per customer: the values are its default features, the 1-5 scores and groups are derived from them. */
const RFM_COLUMNS: NewColumn[] = [
  { name: 'customer_id', kind: 'id', role: 'measure', roleNote: 'the customer' },
  { name: 'recency_days', kind: 'numeric', role: 'recency', roleNote: 'days from the last purchase to the end of the log' },
  { name: 'frequency', kind: 'numeric', role: 'count', roleNote: 'invoices in the log' },
  { name: 'monetary', kind: 'numeric', role: 'money', roleNote: 'total spend in the log' },
  { name: 'tenure_days', kind: 'numeric', role: 'tenure', roleNote: 'days from the first purchase to the last' },
  { name: 'average_order_value', kind: 'numeric', role: 'money', roleNote: 'spend per invoice' },
  ...(['r_score', 'f_score', 'm_score'] as const).map((name) => ({
    name,
    kind: 'numeric' as const,
    role: 'derived' as const,
    roleNote: 'a 1-5 quintile score of the value beside it: not a default feature, to count nothing twice',
  })),
  {
    name: RFM_GROUP_COLUMN,
    kind: 'categorical',
    role: 'derived',
    roleNote: 'the classic RFM group (Champions, Loyal, At Risk…) from the recency and frequency scores',
  },
];

export interface DerivedCustomers {
  columns: NewColumn[];
  rows: CellValue[][];
  report: TransactionReport;
  /** Lines per customer and product, when the log names its products. */
  purchases?: PurchaseLine[];
}

/** The windows trending products compare: the log's last 30 days against the 30 before. */
const TREND_DAYS = 30;

/** Quintile scores 1-5 by rank (ties broken by order, as pandas qcut on rank 'first'). */
export function quintileScores(values: number[], higherIsBetter: boolean): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const scores = new Array<number>(values.length);
  order.forEach((index, rank) => {
    const quintile = Math.min(4, Math.floor((rank * 5) / values.length)) + 1;
    scores[index] = higherIsBetter ? quintile : 6 - quintile;
  });
  return scores;
}

/** The widely used RFM segment map on recency and frequency scores. */
export function rfmGroup(r: number, f: number): string {
  if (r >= 5 && f >= 4) return 'Champions';
  if (r >= 3 && f >= 4) return 'Loyal';
  if (r <= 2 && f >= 5) return "Can't Lose Them";
  if (r <= 2 && f >= 3) return 'At Risk';
  if (r <= 2) return 'Hibernating';
  if (r === 3 && f <= 2) return 'About to Sleep';
  if (r === 3) return 'Need Attention';
  if (r === 4 && f === 1) return 'Promising';
  if (r === 5 && f === 1) return 'New Customers';
  return 'Potential Loyalists';
}

/** Aggregates transaction records (header excluded) into one row per customer. */
export async function deriveCustomers(
  records: AsyncIterable<string[]>,
  columns: TransactionColumns,
  dayFirst: boolean,
  firstLine: number,
): Promise<DerivedCustomers> {
  const totals = new Map<string, CustomerTotals>();
  const report = { transactions: 0, cancellations: 0, negativeQuantities: 0, missingCustomer: 0 };
  let maxDate = -Infinity;
  let line = firstLine;
  for await (const record of records) {
    const current = line++;
    report.transactions++;
    const customer = record[columns.customer]?.trim() ?? '';
    if (isMissing(customer)) {
      report.missingCustomer++;
      continue;
    }
    const when = parseDate(record[columns.date] ?? '', dayFirst);
    if (!Number.isFinite(when))
      throw new InputError(
        `Row ${current} has the date "${String(record[columns.date]).slice(0, 30)}", which is not a date (use YYYY-MM-DD or D/M/YYYY).`,
      );
    const invoice = columns.invoice !== undefined ? record[columns.invoice].trim() : `${customer}@${when}`;
    // UCI Online Retail marks cancellations with a C before the invoice number.
    if (/^c/i.test(invoice)) {
      report.cancellations++;
      continue;
    }
    let value: number;
    if (columns.amount !== undefined) value = parseNumber(record[columns.amount]);
    else {
      const quantity = parseNumber(record[columns.quantity!]);
      if (quantity < 0) {
        report.negativeQuantities++;
        continue;
      }
      value = quantity * parseNumber(record[columns.unitPrice!]);
    }
    if (!Number.isFinite(value)) throw new InputError(`Row ${current} has no amount that reads as a number.`);
    if (value < 0) {
      report.negativeQuantities++;
      continue;
    }
    if (when > maxDate) maxDate = when;
    let t = totals.get(customer);
    if (t) {
      if (when < t.first) t.first = when;
      if (when > t.last) t.last = when;
      t.invoices.add(invoice);
      t.lines++;
      t.monetary += value;
    } else {
      t = { first: when, last: when, invoices: new Set([invoice]), lines: 1, monetary: value };
      totals.set(customer, t);
    }
    const product = columns.product !== undefined ? record[columns.product]?.trim() : undefined;
    if (product) {
      t.bought ??= new Map();
      const dates = t.bought.get(product);
      if (dates) dates.push(when);
      else t.bought.set(product, [when]);
    }
  }
  if (totals.size < 2) throw new InputError('Fewer than two customers have valid purchases; the log cannot be segmented.');
  const ids = [...totals.keys()];
  const recency = ids.map((id) => Math.round((maxDate - totals.get(id)!.last) / DAY_MS));
  const frequency = ids.map((id) => totals.get(id)!.invoices.size);
  const monetary = ids.map((id) => Math.round(totals.get(id)!.monetary * 100) / 100);
  const r = quintileScores(recency, false);
  const f = quintileScores(frequency, true);
  const m = quintileScores(monetary, true);
  const rows = ids.map((id, i): CellValue[] => {
    const t = totals.get(id)!;
    return [
      id,
      recency[i],
      frequency[i],
      monetary[i],
      Math.round((t.last - t.first) / DAY_MS),
      Math.round((monetary[i] / frequency[i]) * 100) / 100,
      r[i],
      f[i],
      m[i],
      rfmGroup(r[i], f[i]),
    ];
  });
  const purchases =
    columns.product !== undefined
      ? purchaseLines(
          ids.map((id) => totals.get(id)!),
          maxDate,
        )
      : undefined;
  return {
    columns: RFM_COLUMNS,
    ...(purchases && purchases.length > 0 ? { purchases } : {}),
    rows,
    report: { ...report, customers: totals.size, referenceDate: new Date(maxDate).toISOString().slice(0, 10) },
  };
}

/** Each customer's lines per product, and how many fell in the log's last 30 days and the 30 before. */
function purchaseLines(customers: CustomerTotals[], maxDate: number): PurchaseLine[] {
  const recentFrom = maxDate - TREND_DAYS * DAY_MS;
  const priorFrom = maxDate - 2 * TREND_DAYS * DAY_MS;
  const lines: PurchaseLine[] = [];
  customers.forEach((t, row) => {
    for (const [product, dates] of t.bought ?? []) {
      let recent = 0;
      let prior = 0;
      for (const when of dates) {
        if (when > recentFrom) recent++;
        else if (when > priorFrom) prior++;
      }
      lines.push({ row, product, lines: dates.length, recent, prior });
    }
  });
  return lines;
}
