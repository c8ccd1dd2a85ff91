/**
 * The analysed columns of a dataset as imported, stored once more as typed arrays: one BLOB
 * per column (numbers as float64, categories as int32 codes into a list of levels). Reading
 * a million rows back from the row table costs about a microsecond a row whatever the
 * columns (three seconds for the first view of a million customers); a column's BLOB reads
 * in milliseconds. Rows are only ever appended, so a snapshot of the first n rows stays true
 * and loadDataTable reads the rows registered since from the row table.
 */
import type { ColumnKind, StoredLevelCodes } from '../analysis/table.ts';
import type { CellValue } from './cells.ts';
import type { Db } from './db.ts';

/** One column's values, rows 0 .. rowCount - 1: numbers (NaN missing) or levels by row (null missing). */
export type SnapshotValues = Float64Array | { values: (string | null)[]; stored: StoredLevelCodes };

const snapshotted = (kind: ColumnKind) => kind === 'numeric' || kind === 'categorical';

/** Builds a snapshot from the rows an import writes, converted as loadDataTable converts them. */
export class ColumnSnapshotBuilder {
  private rows = 0;
  private capacity = 1024;
  private readonly numbers: (Float64Array | undefined)[];
  private readonly codes: (Int32Array | undefined)[];
  private readonly levelCodes: (Map<string, number> | undefined)[];

  constructor(private readonly kinds: readonly ColumnKind[]) {
    this.numbers = kinds.map((k) => (k === 'numeric' ? new Float64Array(this.capacity) : undefined));
    this.codes = kinds.map((k) => (k === 'categorical' ? new Int32Array(this.capacity) : undefined));
    this.levelCodes = kinds.map((k) => (k === 'categorical' ? new Map() : undefined));
  }

  add(row: readonly CellValue[]): void {
    if (this.rows === this.capacity) this.grow();
    const r = this.rows++;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      const numbers = this.numbers[c];
      if (numbers) numbers[r] = v === null ? Number.NaN : Number(v);
      const codes = this.codes[c];
      if (codes) {
        if (v === null) codes[r] = -1;
        else {
          const levels = this.levelCodes[c]!;
          const level = String(v);
          let code = levels.get(level);
          if (code === undefined) levels.set(level, (code = levels.size));
          codes[r] = code;
        }
      }
    }
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Float64Array | Int32Array>(a: T | undefined, make: (n: number) => T) => {
      if (!a) return undefined;
      const out = make(this.capacity);
      out.set(a);
      return out;
    };
    this.numbers.forEach((a, c) => (this.numbers[c] = grown(a, (n) => new Float64Array(n))));
    this.codes.forEach((a, c) => (this.codes[c] = grown(a, (n) => new Int32Array(n))));
  }

  /** Stores the snapshot of a new dataset (inside the transaction that creates it). */
  write(db: Db, datasetId: number, schema = 'main'): void {
    const insert = db.prepare(
      `INSERT INTO ${schema}.column_snapshots (dataset_id, position, kind, row_count, data, levels) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.kinds.forEach((kind, position) => {
      if (!snapshotted(kind)) return;
      const values = this.numbers[position] ?? this.codes[position]!;
      const bytes = Buffer.from(values.buffer, values.byteOffset, this.rows * values.BYTES_PER_ELEMENT);
      insert.run(
        datasetId,
        position,
        kind,
        this.rows,
        bytes,
        kind === 'categorical' ? JSON.stringify([...this.levelCodes[position]!.keys()]) : null,
      );
    });
  }
}

interface SnapshotRow {
  position: number;
  kind: ColumnKind;
  row_count: number;
  data: Buffer;
  levels: string | null;
}

/**
 * The snapshot of the wanted columns, with `spare` rows of room after them in each numeric
 * buffer (for rows loaded later), or undefined when any column has none (datasets imported
 * before snapshots existed).
 */
export function readColumnSnapshot(
  db: Db,
  datasetId: number,
  wanted: readonly { position: number; kind: ColumnKind }[],
  spare: number,
): { rowCount: number; values: SnapshotValues[] } | undefined {
  if (wanted.length === 0 || !wanted.every((w) => snapshotted(w.kind))) return undefined;
  // One BLOB at a time, each copied out before the next is read: at a million rows they are
  // 8 MB apiece, and holding them all with their copies added 70 MB to the worker's peak.
  const positions = new Map(wanted.map((w, c) => [w.position, c]));
  const values = new Array<SnapshotValues | undefined>(wanted.length);
  let rowCount = -1;
  const rows = db
    .prepare('SELECT position, kind, row_count, data, levels FROM column_snapshots WHERE dataset_id = ?')
    .iterate(datasetId) as IterableIterator<SnapshotRow>;
  for (const row of rows) {
    const c = positions.get(row.position);
    if (c === undefined) continue;
    if (row.kind !== wanted[c].kind || (rowCount >= 0 && row.row_count !== rowCount)) return undefined;
    rowCount = row.row_count;
    values[c] = snapshotValues(row, spare);
  }
  // Array.prototype.some skips holes: a column without a snapshot is looked for by index.
  for (let c = 0; c < wanted.length; c++) if (values[c] === undefined) return undefined;
  return { rowCount, values: values as SnapshotValues[] };
}

function snapshotValues(row: SnapshotRow, spare: number): SnapshotValues {
  const { data, row_count: rowCount } = row;
  if (row.kind === 'numeric') {
    // Buffers from SQLite need not be 8-byte aligned: copied as bytes, then viewed.
    const buffer = new ArrayBuffer((rowCount + spare) * 8);
    new Uint8Array(buffer, 0, rowCount * 8).set(data.subarray(0, rowCount * 8));
    return new Float64Array(buffer, 0, rowCount);
  }
  const codes = new Int32Array(new Uint8Array(data.subarray(0, rowCount * 4)).buffer, 0, rowCount);
  const levels = JSON.parse(row.levels ?? '[]') as string[];
  const out = new Array<string | null>(rowCount);
  // A byte a row when the levels allow (1 MB, not 4, per million rows), kept for the profiles.
  const kept = levels.length < 255 ? new Uint8Array(rowCount) : new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const code = codes[i];
    out[i] = code < 0 ? null : levels[code];
    kept[i] = code + 1;
  }
  return { values: out, stored: { levels, codes: kept } };
}
