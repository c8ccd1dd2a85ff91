/**
 * What each customer of an RFM dataset bought, kept beside its rows: lines per product over
 * the whole log, over its last 30 days and over the 30 before. Segments read it for their
 * top and trending products.
 */
import type Database from 'better-sqlite3';
import type { Purchases } from '../analysis/table.ts';
import type { Db } from './db.ts';

/** A customer's lines of one product: `row` is the customer's row in the dataset (0-based). */
export interface PurchaseLine {
  row: number;
  product: string;
  lines: number;
  recent: number;
  prior: number;
}

/** Writes the lines inside the import's own transaction (DatasetWriter.commit's `extra`). */
export function writeCustomerProducts(staging: Database.Database, datasetId: number, purchases: readonly PurchaseLine[]): void {
  const insert = staging.prepare(
    'INSERT INTO main.customer_products (dataset_id, row_index, product, lines, recent, prior) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const p of purchases) insert.run(datasetId, p.row, p.product, p.lines, p.recent, p.prior);
}

/** The dataset's purchases as typed arrays with product codes, or undefined when it has none. */
export function loadPurchases(db: Db, datasetId: number): Purchases | undefined {
  const rows = db
    .prepare('SELECT row_index, product, lines, recent, prior FROM customer_products WHERE dataset_id = ? ORDER BY rowid')
    .raw()
    .all(datasetId) as [number, string, number, number, number][];
  if (rows.length === 0) return undefined;
  const products: string[] = [];
  const codeOf = new Map<string, number>();
  const purchases: Purchases = {
    products,
    row: new Int32Array(rows.length),
    product: new Int32Array(rows.length),
    lines: new Float64Array(rows.length),
    recent: new Float64Array(rows.length),
    prior: new Float64Array(rows.length),
  };
  rows.forEach(([row, product, lines, recent, prior], i) => {
    let code = codeOf.get(product);
    if (code === undefined) {
      code = products.length;
      products.push(product);
      codeOf.set(product, code);
    }
    purchases.row[i] = row;
    purchases.product[i] = code;
    purchases.lines[i] = lines;
    purchases.recent[i] = recent;
    purchases.prior[i] = prior;
  });
  return purchases;
}
