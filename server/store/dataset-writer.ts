/**
 * Writes a new dataset of any size without holding the database while the file streams in.
 *
 * Rows are staged in a temporary table on a connection of the writer's own (SQLite keeps
 * temporary tables in a file of that connection, deleted when it closes or the process
 * dies, and writing them locks nothing of the database). The commit then copies them into
 * the dataset's table in one transaction, in chunks that yield to the event loop, holding
 * the database's write gate: other writes of this process wait their turn instead of
 * failing, readers never see a half-written import, and a failure or a killed process
 * leaves the database exactly as before.
 */
import type { ColumnRole } from '../analysis/roles.ts';
import Database from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ColumnKind } from '../analysis/table.ts';
import { ColumnSnapshotBuilder } from './column-snapshots.ts';
import { columnIdent, rowTable, type CellValue } from './datasets.ts';
import { newId, type Db } from './db.ts';
import { writeGate } from './write-gate.ts';

export interface DatasetWriter {
  insert(row: CellValue[]): void;
  /** Commits and returns the new dataset's id; `extra` writes what belongs with the rows, in the same transaction. */
  commit(extra?: (staging: Database.Database, datasetId: number) => void): Promise<number>;
  rollback(): void;
}

/** Staged rows written per transaction of the temporary table. */
const STAGE_ROWS = 20_000;
/**
 * Rows per INSERT statement: one call of a many-row statement costs little more than a
 * one-row call (1M rows × 9 columns staged in about half the time), within SQLite's bound
 * on parameters per statement.
 */
const rowsPerInsert = (columns: number) => Math.max(1, Math.min(64, Math.floor(4096 / Math.max(1, columns))));
/** Rows copied per turn of the event loop at commit: a few milliseconds each. */
const COPY_ROWS = 4000;

/** A column as the import decided it; `unusable` is checked against every row as they come. */
export interface NewColumn {
  name: string;
  kind: ColumnKind;
  note?: string;
  unusable?: 'empty' | 'constant' | null;
  role?: ColumnRole;
  roleNote?: string;
  sentinel?: number | null;
}

export function openDatasetWriter(db: Db, name: string, columns: NewColumn[]): DatasetWriter {
  const staging = new Database(db.name);
  staging.pragma('busy_timeout = 10000');
  staging.pragma('temp_store = FILE');
  staging.pragma('foreign_keys = ON');
  // Checkpoints run in the background (checkpointer.ts), not in this commit.
  staging.pragma('wal_autocheckpoint = 0');
  const idents = columns.map((_, i) => columnIdent(i));
  const defs = columns.map((c, i) => `${idents[i]} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`).join(', ');
  const missing = new Array<number>(columns.length).fill(0);
  // The sample said empty or constant: one row that says otherwise clears it.
  const unusable = columns.map((c) => c.unusable ?? null);
  const firstValue = new Array<CellValue | undefined>(columns.length);
  const snapshot = new ColumnSnapshotBuilder(columns.map((c) => c.kind));
  let rowCount = 0;
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    if (staging.inTransaction) staging.exec('ROLLBACK');
    staging.close();
  };
  try {
    staging.exec(`CREATE TEMP TABLE staged (row_id INTEGER PRIMARY KEY, ${defs})`);
    const tuple = `(${idents.map(() => '?').join(', ')})`;
    const insertOf = (rows: number) =>
      staging.prepare(`INSERT INTO temp.staged (${idents.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`);
    const batchRows = rowsPerInsert(columns.length);
    const insertBatch = insertOf(batchRows);
    const insertOne = insertOf(1);
    // Rows wait here, flattened, until a whole statement's worth is ready (or the stage commits).
    let pending: CellValue[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      if (pending.length === batchRows * columns.length) insertBatch.run(pending);
      else for (let at = 0; at < pending.length; at += columns.length) insertOne.run(pending.slice(at, at + columns.length));
      pending = [];
    };
    return {
      insert(row) {
        if (!staging.inTransaction) staging.exec('BEGIN');
        for (let c = 0; c < row.length; c++) {
          const value = row[c];
          if (value === null) missing[c]++;
          else if (unusable[c] === 'empty') unusable[c] = null;
          else if (unusable[c] === 'constant') {
            if (firstValue[c] === undefined) firstValue[c] = value;
            else if (firstValue[c] !== value) unusable[c] = null;
          }
        }
        if (row.length !== columns.length) throw new RangeError(`A row of ${row.length} values for ${columns.length} columns`);
        for (let c = 0; c < row.length; c++) pending.push(row[c]);
        if (pending.length === batchRows * columns.length) flush();
        snapshot.add(row);
        if (++rowCount % STAGE_ROWS === 0) {
          flush();
          staging.exec('COMMIT');
        }
      },
      async commit(extra) {
        flush();
        if (staging.inTransaction) staging.exec('COMMIT');
        try {
          const decided = columns.map((c, i) => ({ ...c, unusable: unusable[i] }));
          return await writeGate(db).hold(() => copyStaged(staging, name, decided, idents, missing, rowCount, snapshot, extra));
        } finally {
          close();
        }
      },
      rollback: close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** The dataset row, its table and its columns from the staged rows: one transaction. */
async function copyStaged(
  staging: Database.Database,
  name: string,
  columns: NewColumn[],
  idents: string[],
  missing: number[],
  rowCount: number,
  snapshot: ColumnSnapshotBuilder,
  extra?: (staging: Database.Database, datasetId: number) => void,
): Promise<number> {
  staging.exec('BEGIN IMMEDIATE');
  try {
    const datasetId = Number(
      staging.prepare(`INSERT INTO main.datasets (id, name) VALUES (${newId('datasets')}, ?)`).run(name).lastInsertRowid,
    );
    const table = rowTable(datasetId);
    staging.exec(
      `CREATE TABLE main.${table} (row_id INTEGER PRIMARY KEY, ` +
        `${columns.map((c, i) => `${idents[i]} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`).join(', ')})`,
    );
    const copy = staging.prepare(
      `INSERT INTO main.${table} (row_id, ${idents.join(', ')}) SELECT row_id, ${idents.join(', ')} FROM temp.staged WHERE row_id > ? ` +
        `AND row_id <= ?`,
    );
    for (let after = 0; after < rowCount; after += COPY_ROWS) {
      copy.run(after, after + COPY_ROWS);
      await nextTurn();
    }
    const insertColumn = staging.prepare(
      `INSERT INTO main.dataset_columns (dataset_id, position, name, kind, missing, note, unusable, role, role_note, ` +
        `sentinel)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    columns.forEach((c, i) =>
      insertColumn.run(
        datasetId,
        i,
        c.name,
        c.kind,
        missing[i],
        c.note ?? null,
        c.unusable ?? null,
        c.role ?? null,
        c.roleNote ?? null,
        c.sentinel ?? null,
      ),
    );
    snapshot.write(staging, datasetId, 'main');
    staging.prepare('UPDATE main.datasets SET row_count = ? WHERE id = ?').run(rowCount, datasetId);
    extra?.(staging, datasetId);
    staging.exec('COMMIT');
    return datasetId;
  } catch (error) {
    if (staging.inTransaction) staging.exec('ROLLBACK');
    throw error;
  }
}
