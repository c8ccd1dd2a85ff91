/** The in-memory shape of one dataset: one typed column per feature, as analysis sees it. */
import type { ColumnKind, UnanalysedKind } from './column-kind.ts';
import type { ColumnRole } from './roles.ts';

export { UNANALYSED_KIND_NAMES, type ColumnKind, type UnanalysedKind } from './column-kind.ts';

/*
 * Loaded tables are never changed: the matrices, ColumnFacts and results made from a table
 * are cached by its dataset version, which assumes it. A newer version of a dataset writes its appended rows after the
 * earlier version's in the same buffers (loadDataTable), past the earlier views' ends,
 * which therefore never see them. Hence readonly throughout; a Float64Array's elements
 * cannot be marked so: do not write them.
 */

export interface NumericColumn {
  readonly name: string;
  readonly kind: 'numeric';
  /** NaN marks a missing value. */
  readonly values: Float64Array;
}

export interface TextColumn {
  readonly name: string;
  readonly kind: 'categorical' | UnanalysedKind;
  /** null marks a missing value. */
  readonly values: readonly (string | null)[];
  /** A category column's codes as its snapshot stored them, when loaded from one. */
  readonly stored?: StoredLevelCodes;
}

export type Column = NumericColumn | TextColumn;

/**
 * A category column's levels as stored (a code a row, 0 for missing, level code + 1
 * otherwise), for the columns loaded from a snapshot that has them: profiles read these
 * instead of looking every row's string up again (100 ms on a million customers and two
 * category columns). Rows appended since the snapshot have none: the codes are shorter.
 */
export interface StoredLevelCodes {
  readonly levels: readonly string[];
  readonly codes: Uint8Array | Int32Array;
}

export interface DataTable {
  readonly rowCount: number;
  readonly columns: readonly Column[];
  /** Identifier, date and free-text columns left unloaded because analysis never reads them. */
  readonly omitted?: readonly { name: string; kind: UnanalysedKind }[];
  /** What each column means (roles.ts), by name: read with getNamed. Absent: guessed from the names. */
  readonly roles?: Readonly<Record<string, ColumnRole>>;
  /** What each customer bought, for an RFM dataset made from a transaction log that names its products. */
  readonly purchases?: Purchases;
  /**
   * Columns whose "never" value (pdays = -1) the load read as missing, by name (getNamed):
   * a fitted step keeps it, so that a prediction and the exported SQL read it so too.
   */
  readonly sentinels?: Readonly<Record<string, number>>;
  /** For each of those columns, 1 for each row that held the "never" value: its indicator. */
  readonly sentinelRows?: Readonly<Record<string, Uint8Array>>;
}

/** A customer's lines per product, one entry a (customer, product) pair: `row` is the table row. */
export interface Purchases {
  readonly products: readonly string[];
  readonly row: Int32Array;
  readonly product: Int32Array;
  /** Lines over the whole log, over its last 30 days, and over the 30 days before those. */
  readonly lines: Float64Array;
  readonly recent: Float64Array;
  readonly prior: Float64Array;
}

/** Every column's name and kind, loaded or not: what checks against a dataset's shape need. */
export function columnKinds(table: DataTable): { name: string; kind: ColumnKind }[] {
  return [...table.columns, ...(table.omitted ?? [])];
}

export function findColumn(table: DataTable, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}
