/** Opens the SQLite database in WAL mode and brings its schema up to date. */
import Database from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.ts';

export type Db = Database.Database;

/** Each entry runs once, in order, inside a transaction; never edit one that has shipped. */
const MIGRATIONS: string[] = [
  `CREATE TABLE datasets (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     row_count INTEGER NOT NULL DEFAULT 0,
     version INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   );
   CREATE TABLE dataset_columns (
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('numeric', 'categorical', 'id', 'date')),
     missing INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (dataset_id, position),
     UNIQUE (dataset_id, name)
   );`,
  `CREATE TABLE customer_segments (
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     row_id INTEGER NOT NULL,
     segment INTEGER NOT NULL,
     segment_name TEXT NOT NULL,
     model TEXT NOT NULL,
     assigned_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     PRIMARY KEY (dataset_id, row_id)
   );`,
  `CREATE TABLE saved_models (
     id INTEGER PRIMARY KEY,
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     pipeline TEXT NOT NULL,
     baseline TEXT NOT NULL,
     source TEXT NOT NULL CHECK (source IN ('fitted', 'imported')),
     active INTEGER NOT NULL DEFAULT 0,
     refits INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     fitted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     UNIQUE (dataset_id, name)
   );
   CREATE UNIQUE INDEX one_active_model ON saved_models (dataset_id) WHERE active = 1;`,
  // Free-text columns get a kind of their own; each column keeps the import's reason for its
  // kind and whether it is unusable as a feature (empty, or one value in every row).
  `CREATE TABLE dataset_columns_v4 (
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('numeric', 'categorical', 'id', 'date', 'text')),
     missing INTEGER NOT NULL DEFAULT 0,
     note TEXT,
     unusable TEXT CHECK (unusable IN ('empty', 'constant')),
     PRIMARY KEY (dataset_id, position),
     UNIQUE (dataset_id, name)
   );
   INSERT INTO dataset_columns_v4 (dataset_id, position, name, kind, missing)
     SELECT dataset_id, position, name, kind, missing FROM dataset_columns;
   DROP TABLE dataset_columns;
   ALTER TABLE dataset_columns_v4 RENAME TO dataset_columns;`,
  // A retrained model keeps the fit it replaced, so the panel can show who moved where.
  `ALTER TABLE saved_models ADD COLUMN previous_pipeline TEXT;`,
  // The analysed columns as imported, as typed arrays (column-snapshots.ts): loading a
  // million customers reads eight BLOBs instead of a million rows.
  `CREATE TABLE column_snapshots (
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('numeric', 'categorical')),
     row_count INTEGER NOT NULL,
     data BLOB NOT NULL,
     levels TEXT,
     PRIMARY KEY (dataset_id, position)
   );`,
  // Ids are never given twice: a link, PATCH or export aimed at a deleted dataset or model
  // must not reach the next one saved. SQLite reuses the largest id after a delete, so each
  // insert takes the high-water mark plus one (newId), and a trigger keeps the mark.
  `CREATE TABLE id_high_water (table_name TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
   INSERT INTO id_high_water SELECT 'datasets', coalesce(max(id), 0) FROM datasets;
   INSERT INTO id_high_water SELECT 'saved_models', coalesce(max(id), 0) FROM saved_models;
   CREATE TRIGGER datasets_high_water AFTER INSERT ON datasets BEGIN
     UPDATE id_high_water SET last_id = max(last_id, NEW.id) WHERE table_name = 'datasets';
   END;
   CREATE TRIGGER saved_models_high_water AFTER INSERT ON saved_models BEGIN
     UPDATE id_high_water SET last_id = max(last_id, NEW.id) WHERE table_name = 'saved_models';
   END;`,
  // What each column means to a marketer (analysis/roles.ts), why the import thought so, and
  // a value standing for "never" (pdays = -1). Null for older datasets: read from the header.
  `ALTER TABLE dataset_columns ADD COLUMN role TEXT;
   ALTER TABLE dataset_columns ADD COLUMN role_note TEXT;
   ALTER TABLE dataset_columns ADD COLUMN sentinel REAL;`,
  // What each customer of an RFM dataset bought (customer-products.ts): lines per product in
  // the whole log, in its last 30 days and in the 30 before, for top and trending products.
  `CREATE TABLE customer_products (
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     row_index INTEGER NOT NULL,
     product TEXT NOT NULL,
     lines INTEGER NOT NULL,
     recent INTEGER NOT NULL,
     prior INTEGER NOT NULL
   );
   CREATE INDEX customer_products_dataset ON customer_products (dataset_id);`,
  // The change feed (segment-changes.ts): each customer's move between a saved segmentation's
  // segments, with when and why; from/to null for a customer entering or leaving it.
  `CREATE TABLE segment_changes (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     model_id INTEGER NOT NULL REFERENCES saved_models(id) ON DELETE CASCADE,
     at TEXT NOT NULL,
     customer_id TEXT NOT NULL,
     from_segment INTEGER,
     to_segment INTEGER,
     cause TEXT NOT NULL CHECK (cause IN ('registration', 'retrain', 'activation', 'import'))
   );
   CREATE INDEX segment_changes_model ON segment_changes (model_id, seq);`,
  // Webhooks (webhooks.ts) and their outbox (webhook-outbox.ts): a delivery is written in the
  // transaction of the change it announces and kept, with every attempt, until sent or given up.
  `CREATE TABLE webhooks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     url TEXT NOT NULL,
     secret TEXT NOT NULL,
     events TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE webhook_deliveries (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
     event TEXT NOT NULL,
     body TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
     next_attempt_ms INTEGER NOT NULL
   );
   CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
   CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, seq);
   CREATE TABLE webhook_attempts (
     delivery_seq INTEGER NOT NULL REFERENCES webhook_deliveries(seq) ON DELETE CASCADE,
     at TEXT NOT NULL,
     status INTEGER,
     error TEXT
   );
   CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_seq);`,
  // A fifth cause of change: a segmentation switched between assigning by its centres and by its
  // rules. SQLite cannot widen a CHECK, so the table is rebuilt, its AUTOINCREMENT high-water kept.
  `CREATE TABLE segment_changes_next (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     model_id INTEGER NOT NULL REFERENCES saved_models(id) ON DELETE CASCADE,
     at TEXT NOT NULL,
     customer_id TEXT NOT NULL,
     from_segment INTEGER,
     to_segment INTEGER,
     cause TEXT NOT NULL CHECK (cause IN ('registration', 'retrain', 'activation', 'import', 'assignment'))
   );
   INSERT INTO segment_changes_next SELECT seq, model_id, at, customer_id, from_segment, to_segment, cause FROM segment_changes;
   DELETE FROM sqlite_sequence WHERE name = 'segment_changes_next';
   UPDATE sqlite_sequence SET name = 'segment_changes_next' WHERE name = 'segment_changes';
   DROP TABLE segment_changes;
   ALTER TABLE segment_changes_next RENAME TO segment_changes;
   CREATE INDEX segment_changes_model ON segment_changes (model_id, seq);`,
  // Datasets that live in another engine (dataset-sources.ts): only their sample is stored
  // here; the source is read where it is, and scored in place into outputs the app created.
  `CREATE TABLE dataset_sources (
     dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
     engine TEXT NOT NULL CHECK (engine IN ('duckdb', 'postgres')),
     location TEXT NOT NULL,
     table_name TEXT,
     total_rows INTEGER NOT NULL,
     sample_rows INTEGER NOT NULL,
     profile TEXT NOT NULL
   );
   CREATE TABLE source_outputs (
     engine TEXT NOT NULL,
     location TEXT NOT NULL,
     target TEXT NOT NULL,
     model_id INTEGER,
     written_at TEXT NOT NULL,
     PRIMARY KEY (engine, location, target)
   );`,
];

/** The id an insert into datasets or saved_models gives its row: one never given before (see the migration). */
export const newId = (table: 'datasets' | 'saved_models') => `(SELECT last_id + 1 FROM main.id_high_water WHERE table_name = '${table}')`;

/**
 * Opens the database for this process's writes. Its checkpoints run in a thread of their
 * own (checkpointer.ts), stopped when the connection closes.
 */
export function openDatabase(path: string): Db {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  if (db.memory) return db;
  db.pragma('wal_autocheckpoint = 0');
  const checkpointer = startCheckpointer(db.name);
  const close = db.close.bind(db);
  db.close = () => {
    void checkpointer.close();
    return close();
  };
  return db;
}

/**
 * A read-only connection to a database the server has opened (and migrated) already: the
 * analysis worker reads datasets through it.
 */
export function openReader(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // The worker reads tables in one sequential pass each (the OS caches the file): a 4 MB
  // page cache instead of better-sqlite3's 16 MB took 10 to 15 MB off a million-customer
  // server's peak (365-378 MB against 380-386 over three runs each) and no time.
  db.pragma('cache_size = -4000');
  return db;
}

/** What a person can do about a database file the server cannot open. */
export function describeOpenError(error: unknown, path: string): string {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return (
      `The database file ${path} is damaged or is not a Customer Segments database. Restore it from a backup, or set DB_PATH to a ` +
      `new file to start afresh.`
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return (
      `The database file ${path} is locked by another process (is another dashboard or import running on it?). Stop that process, ` +
      `or set DB_PATH to another file.`
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return (
      `The database file ${path} cannot be written (read-only file, folder or disk). The dashboard must be able to write there: ` +
      `fix the permissions, or set DB_PATH to a writable location.`
    );
  }
  return `The database file ${path} could not be opened: ${(error as Error).message}`;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  MIGRATIONS.forEach((sql, index) => {
    const version = index + 1;
    if (applied.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version) VALUES (?)').run(version);
    })();
  });
}

/** Throws when the database cannot answer (health check). */
export function pingDatabase(db: Db): void {
  db.prepare('SELECT 1').get();
}
