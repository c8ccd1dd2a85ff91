/**
 * Datasets whose customers live in another engine (a Parquet, CSV or DuckDB file, a PostgreSQL
 * table): where they are, how many, the sample stored here, and the aggregates the engine
 * computed over every row. And the outputs a score in place wrote, the only things in a
 * source the app may overwrite.
 */
import type { Db } from './db.ts';

export type SourceEngineName = 'duckdb' | 'postgres';

/** One column over every row of the source, as the engine aggregated it (numbers only for numeric columns). */
export interface SourceColumnProfile {
  name: string;
  type: string;
  count: number;
  missing: number;
  mean: number | null;
  min: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  max: number | null;
}

export interface DatasetSource {
  datasetId: number;
  engine: SourceEngineName;
  /** A file path under SOURCES_DIR, or a connection URL (a secret: see sourceLabel). */
  location: string;
  table: string | null;
  totalRows: number;
  sampleRows: number;
  profile: SourceColumnProfile[];
}

interface SourceRow {
  dataset_id: number;
  engine: SourceEngineName;
  location: string;
  table_name: string | null;
  total_rows: number;
  sample_rows: number;
  profile: string;
}

const toSource = (r: SourceRow): DatasetSource => ({
  datasetId: r.dataset_id,
  engine: r.engine,
  location: r.location,
  table: r.table_name,
  totalRows: r.total_rows,
  sampleRows: r.sample_rows,
  profile: JSON.parse(r.profile) as SourceColumnProfile[],
});

/** The statement that records a dataset's source, for the transaction that commits its sample. */
export function sourceWriter(db: Db): (source: DatasetSource) => void {
  const insert = db.prepare(
    'INSERT INTO dataset_sources (dataset_id, engine, location, table_name, total_rows, sample_rows, profile) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  return (s) => insert.run(s.datasetId, s.engine, s.location, s.table, s.totalRows, s.sampleRows, JSON.stringify(s.profile));
}

export function datasetSource(db: Db, datasetId: number): DatasetSource | undefined {
  const row = db.prepare('SELECT * FROM dataset_sources WHERE dataset_id = ?').get(datasetId) as SourceRow | undefined;
  return row ? toSource(row) : undefined;
}

/** Every dataset's source, by dataset id (the dataset list labels them). */
export function allSources(db: Db): Map<number, DatasetSource> {
  const rows = db.prepare('SELECT * FROM dataset_sources').all() as SourceRow[];
  return new Map(rows.map((r) => [r.dataset_id, toSource(r)]));
}

/** Whether the app wrote this output (a file path, or a table at a database's redacted address). */
export function isOwnOutput(db: Db, engine: SourceEngineName, location: string, target: string): boolean {
  return (
    db.prepare('SELECT 1 FROM source_outputs WHERE engine = ? AND location = ? AND target = ?').get(engine, location, target) !== undefined
  );
}

export function recordOutput(db: Db, engine: SourceEngineName, location: string, target: string, modelId: number, at: string): void {
  db.prepare(
    'INSERT INTO source_outputs (engine, location, target, model_id, written_at) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (engine, location, target) DO UPDATE SET model_id = excluded.model_id, written_at = excluded.written_at',
  ).run(engine, location, target, modelId, at);
}

/** What every page says of a source dataset: its engine, its rows, the sample stored here. */
export interface SourceSummary {
  engine: SourceEngineName;
  totalRows: number;
  sampleRows: number;
}

export function sourceSummary(db: Db, datasetId: number): { source?: SourceSummary } {
  const row = db
    .prepare('SELECT engine, total_rows AS totalRows, sample_rows AS sampleRows FROM dataset_sources WHERE dataset_id = ?')
    .get(datasetId) as SourceSummary | undefined;
  return row ? { source: row } : {};
}
