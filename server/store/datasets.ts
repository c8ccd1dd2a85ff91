/**
 * Datasets and their rows. Each dataset's rows live in their own table whose name and
 * column names are generated from integers (ds_7, c0, c1...): no user text reaches SQL.
 */
import { roleFromName, type ColumnRole } from '../analysis/roles.ts';
import type { Column, ColumnKind, DataTable, StoredLevelCodes, UnanalysedKind } from '../analysis/table.ts';
import { getNamed, setNamed } from '../analysis/named.ts';
import { NotFoundError } from '../errors.ts';
import type { Db } from './db.ts';
import { readColumnSnapshot } from './column-snapshots.ts';
import { loadPurchases } from './customer-products.ts';
import { writeGate } from './write-gate.ts';

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  missing: number;
  /** Why the import chose the kind ("9,362 distinct values: free text…"); null for older datasets. */
  note?: string | null;
  /** Empty, or one value in every row: never a default feature. */
  unusable?: 'empty' | 'constant' | null;
  /** What the column means (money, count, outcome…): from the import, or the header for older datasets. */
  role: ColumnRole;
  /** Why the import gave it that role; null for older datasets. */
  roleNote?: string | null;
  /** A value standing for "never" in many rows (pdays = -1): not a default feature. */
  sentinel?: number | null;
}

export interface DatasetInfo {
  id: number;
  name: string;
  rowCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  columns: ColumnInfo[];
  /** Read in place from another engine (dataset-sources.ts): the rows here are its sample. */
  source?: SourceSummary;
}

/** A value as stored: numbers for numeric columns, text otherwise, null when missing. */
export type { CellValue } from './cells.ts';
import type { CellValue } from './cells.ts';
import { sourceSummary, type SourceSummary } from './dataset-sources.ts';

export const rowTable = (datasetId: number): string => `ds_${Math.trunc(datasetId)}`;
export const columnIdent = (position: number): string => `c${Math.trunc(position)}`;

interface DatasetRow {
  id: number;
  name: string;
  row_count: number;
  version: number;
  created_at: string;
  updated_at: string;
}

interface ColumnRow extends Omit<ColumnInfo, 'role' | 'roleNote' | 'sentinel'> {
  role: ColumnRole | null;
  role_note: string | null;
  sentinel: number | null;
}

function columnsOf(db: Db, datasetId: number): ColumnInfo[] {
  const rows = db
    .prepare(
      'SELECT name, kind, missing, note, unusable, role, role_note, sentinel FROM dataset_columns WHERE dataset_id = ? ORDER BY position',
    )
    .all(datasetId) as ColumnRow[];
  return rows.map(({ role, role_note: roleNote, sentinel, ...column }) => ({
    ...column,
    role: role ?? roleFromName(column.name, column.kind),
    roleNote,
    sentinel,
  }));
}

function toInfo(db: Db, row: DatasetRow): DatasetInfo {
  return {
    id: row.id,
    name: row.name,
    rowCount: row.row_count,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    columns: columnsOf(db, row.id),
    ...sourceSummary(db, row.id),
  };
}

export function listDatasets(db: Db): DatasetInfo[] {
  const rows = db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[];
  return rows.map((row) => toInfo(db, row));
}

export function findDataset(db: Db, id: number): DatasetInfo | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  return row ? toInfo(db, row) : undefined;
}

export function getDataset(db: Db, id: number): DatasetInfo {
  const info = findDataset(db, id);
  if (!info) throw new NotFoundError(`There is no dataset with id ${id}.`);
  return info;
}

const versionStatements = new WeakMap<Db, ReturnType<Db['prepare']>>();

/**
 * What cache keys need on every request: the version, the row count it has (a registration
 * changes both in one transaction), and the creation time, because SQLite gives a new
 * dataset the id of a deleted one when that was the highest.
 */
export function datasetVersion(db: Db, id: number): { version: number; createdAt: string; rowCount: number } {
  // Asked several times by every request: the statement is compiled once per connection.
  let statement = versionStatements.get(db);
  if (!statement)
    versionStatements.set(
      db,
      (statement = db.prepare('SELECT version, created_at AS createdAt, row_count AS rowCount FROM datasets WHERE id = ?')),
    );
  const row = statement.get(id) as { version: number; createdAt: string; rowCount: number } | undefined;
  if (!row) throw new NotFoundError(`There is no dataset with id ${id}.`);
  return row;
}

export interface LoadOptions {
  /** The table of an earlier version: only rows appended since are read (rows are only ever appended). */
  previous?: DataTable;
  /** Read this many rows (a version's row count), not whatever the table holds by now. */
  rowCount?: number;
  /**
   * Only what analysis reads: numeric and categorical columns. Identifiers and dates are
   * listed in `omitted` instead; a million id strings cost about 50 MB.
   */
  analysisOnly?: boolean;
}

const analysed = (kind: ColumnKind) => kind === 'numeric' || kind === 'categorical';

/**
 * Loads columns into typed arrays: numerics as Float64Array with NaN for missing, each
 * category level one string shared by its rows. Rows stream from SQLite rather than arriving
 * as a million arrays.
 */
export function loadDataTable(db: Db, id: number, options: LoadOptions = {}): DataTable {
  const info = getDataset(db, id);
  const wanted = info.columns.map((c, position) => ({ ...c, position })).filter((c) => !options.analysisOnly || analysed(c.kind));
  const rowCount = options.rowCount ?? (db.prepare(`SELECT COUNT(*) AS n FROM ${rowTable(id)}`).get() as { n: number }).n;
  const previous = options.previous;
  const base = previous && previous.rowCount <= rowCount && sameColumns(previous, wanted) ? previous : snapshotOf(db, id, wanted, rowCount);
  const from = base?.rowCount ?? 0;
  // Rows are only ever appended and never change, so a new version writes its rows after
  // the earlier version's, in the same buffer while it has room: no copy of a million values
  // per registration. Buffers keep 1/16 spare rows for that.
  const numeric = wanted.map((col, c) => {
    if (col.kind !== 'numeric') return undefined;
    const old = base?.columns[c].values as Float64Array | undefined;
    if (old && old.buffer.byteLength >= rowCount * 8) return new Float64Array(old.buffer, 0, rowCount);
    const values = new Float64Array(new ArrayBuffer((rowCount + (rowCount >> 4) + 64) * 8), 0, rowCount);
    if (old) values.set(old);
    return values;
  });
  const text = wanted.map((col, c) => {
    if (col.kind === 'numeric') return undefined;
    // A snapshot's arrays are this table's own; an earlier version's are that version's, kept as they are.
    const earlier = base?.columns[c].values as (string | null)[] | undefined;
    const values = earlier ? (base === previous ? earlier.slice() : earlier) : [];
    values.length = rowCount;
    return values.fill(null, from);
  });
  const levels = wanted.map((col, c) => {
    if (col.kind !== 'categorical') return undefined;
    const seen = new Map<string, string>();
    for (let i = 0; i < from; i++) {
      const v = text[c]![i];
      if (v !== null && !seen.has(v)) seen.set(v, v);
    }
    return seen;
  });
  let r = from;
  const idents = wanted.map((c) => columnIdent(c.position));
  const rows = db
    .prepare(`SELECT ${idents.join(', ')} FROM ${rowTable(id)} ORDER BY row_id LIMIT ? OFFSET ?`)
    .raw()
    .iterate(rowCount - from, from) as IterableIterator<CellValue[]>;
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      const values = numeric[c];
      if (values) values[r] = v === null ? Number.NaN : Number(v);
      else if (v !== null) {
        const s = String(v);
        const seen = levels[c];
        let kept = seen?.get(s);
        if (seen && kept === undefined) seen.set(s, (kept = s));
        text[c]![r] = kept ?? s;
      }
    }
    r++;
  }
  const columns: Column[] = wanted.map((col, c) =>
    col.kind === 'numeric'
      ? { name: col.name, kind: 'numeric', values: r === rowCount ? numeric[c]! : numeric[c]!.subarray(0, r) }
      : { name: col.name, kind: col.kind, values: r === rowCount ? text[c]! : text[c]!.slice(0, r), ...storedOf(base?.columns[c]) },
  );
  const omitted = info.columns
    .filter((c) => !wanted.some((w) => w.name === c.name))
    .map((c) => ({ name: c.name, kind: c.kind as UnanalysedKind }));
  // A "never" value (pdays = -1) is a missing value to analysis: not a number to average or scale.
  const sentinels: Record<string, number> = {};
  const sentinelRows: Record<string, Uint8Array> = {};
  wanted.forEach((col, c) => {
    const values = numeric[c];
    if (col.sentinel == null || !values) return;
    setNamed(sentinels, col.name, col.sentinel);
    const rows = new Uint8Array(r);
    // An earlier version's rows were read as missing already (its mask says which); a snapshot's are as stored.
    const earlier = base === previous ? previous?.sentinelRows && getNamed(previous.sentinelRows, col.name) : undefined;
    const start = earlier ? from : 0;
    if (earlier) rows.set(earlier.subarray(0, from));
    for (let i = start; i < r; i++) {
      if (values[i] !== col.sentinel) continue;
      values[i] = Number.NaN;
      rows[i] = 1;
    }
    setNamed(sentinelRows, col.name, rows);
  });
  const roles = rolesOf(info.columns);
  const purchases = loadPurchases(db, id);
  return {
    rowCount: r,
    columns,
    ...(omitted.length > 0 ? { omitted } : {}),
    roles,
    ...(purchases ? { purchases } : {}),
    ...(Object.keys(sentinels).length > 0 ? { sentinels, sentinelRows } : {}),
  };
}

/** Each column's role by name, as the table carries it to profiles and names. */
function rolesOf(columns: readonly ColumnInfo[]): Record<string, ColumnRole> {
  const roles: Record<string, ColumnRole> = {};
  for (const c of columns) setNamed(roles, c.name, c.role);
  return roles;
}

/**
 * A version's rows in order, as stored, a page at a time (for exports, which need every
 * column). Each page is its own query, so a caller may wait between pages while other
 * requests use the connection; an open iterator would hold it busy.
 */
export function* rowPages(db: Db, id: number, rowCount: number, pageSize = 2000): Generator<CellValue[][]> {
  const info = getDataset(db, id);
  const idents = info.columns.map((_, i) => columnIdent(i));
  const page = db.prepare(`SELECT row_id, ${idents.join(', ')} FROM ${rowTable(id)} WHERE row_id > ? ORDER BY row_id LIMIT ?`).raw();
  let after = -1;
  for (let left = rowCount; left > 0;) {
    const rows = page.all(after, Math.min(pageSize, left)) as CellValue[][];
    if (rows.length === 0) return;
    after = rows[rows.length - 1][0] as number;
    left -= rows.length;
    yield rows.map((row) => row.slice(1));
  }
}

/** The import's snapshot of these columns as an earlier version to extend, when it has one. */
function snapshotOf(
  db: Db,
  id: number,
  wanted: { name: string; kind: ColumnKind; position: number }[],
  rowCount: number,
): DataTable | undefined {
  const snapshot = readColumnSnapshot(db, id, wanted, (rowCount >> 4) + 64);
  if (!snapshot || snapshot.rowCount > rowCount) return undefined;
  const columns = wanted.map((w, c): Column =>
    w.kind === 'numeric'
      ? { name: w.name, kind: 'numeric', values: snapshot.values[c] as Float64Array }
      : { name: w.name, kind: w.kind as 'categorical', ...(snapshot.values[c] as { values: (string | null)[]; stored: StoredLevelCodes }) },
  );
  return { rowCount: snapshot.rowCount, columns };
}

/** The snapshot's codes of a category column carry over to the table that extends it (segment-columns.ts checks their length). */
function storedOf(column: Column | undefined): { stored?: StoredLevelCodes } {
  return column && column.kind !== 'numeric' && column.stored ? { stored: column.stored } : {};
}

function sameColumns(table: DataTable, columns: { name: string; kind: ColumnKind }[]): boolean {
  return table.columns.length === columns.length && table.columns.every((c, i) => c.name === columns[i].name && c.kind === columns[i].kind);
}

export interface RowPage {
  rows: CellValue[][];
  total: number;
}

/**
 * One page of a dataset's rows, sorted by a column given by its position (validated here,
 * so only a generated identifier reaches the SQL). Missing values sort last.
 */
export function pageRows(
  db: Db,
  id: number,
  options: { offset: number; limit: number; sortColumn?: number; descending?: boolean },
): RowPage {
  const info = getDataset(db, id);
  const idents = info.columns.map((_, i) => columnIdent(i));
  let order = 'row_id';
  if (options.sortColumn !== undefined) {
    if (!Number.isInteger(options.sortColumn) || options.sortColumn < 0 || options.sortColumn >= idents.length) {
      throw new NotFoundError(`There is no column number ${options.sortColumn} to sort by.`);
    }
    const ident = columnIdent(options.sortColumn);
    order = `${ident} IS NULL, ${ident} ${options.descending ? 'DESC' : 'ASC'}, row_id`;
  }
  const rows = db
    .prepare(`SELECT ${idents.join(', ')} FROM ${rowTable(id)} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .raw()
    .all(options.limit, options.offset) as CellValue[][];
  return { rows, total: info.rowCount };
}

export async function renameDataset(db: Db, id: number, name: string): Promise<DatasetInfo> {
  getDataset(db, id);
  await writeGate(db).run(() =>
    db.prepare("UPDATE datasets SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?").run(name, id),
  );
  return getDataset(db, id);
}

/** Drops the dataset's rows and metadata together. */
export async function deleteDataset(db: Db, id: number): Promise<void> {
  getDataset(db, id);
  await writeGate(db).run(
    db.transaction(() => {
      db.exec(`DROP TABLE IF EXISTS ${rowTable(id)}`);
      db.prepare('DELETE FROM column_snapshots WHERE dataset_id = ?').run(id);
      db.prepare('DELETE FROM dataset_columns WHERE dataset_id = ?').run(id);
      db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
    }),
  );
}
