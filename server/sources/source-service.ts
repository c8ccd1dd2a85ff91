/**
 * Datasets that stay where they live: a source is read in its own engine (sources/*-source.ts),
 * a seeded sample of it is stored as the dataset every tab works on, the engine's aggregates
 * over every row are kept for the Overview, and a saved segmentation scores every row in
 * place, into the one table or file the app creates (and only ever overwrites its own).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED } from '../defaults.ts';
import { InputError } from '../errors.ts';
import { importCsvFile } from '../ingest/stream-import.ts';
import { assigningSql } from '../scoring/rules-sql.ts';
import {
  datasetSource,
  isOwnOutput,
  recordOutput,
  sourceWriter,
  type DatasetSource,
  type SourceColumnProfile,
} from '../store/dataset-sources.ts';
import { getDataset, type DatasetInfo } from '../store/datasets.ts';
import type { Db } from '../store/db.ts';
import type { SavedModel } from '../store/saved-models.ts';
import { readablePath, writablePath } from './confined-path.ts';
import { openDuckDbSource } from './duckdb-source.ts';
import { openPostgresSource } from './postgres-source.ts';
import type { ScoreTarget, SourceColumn, SourceConnection } from './source-connection.ts';
import { redactedUrl, sourceLabel, type SourceSpec } from './source-spec.ts';

export interface SourceSettings {
  /** Folder that confines every file path (SOURCES_DIR); unset: file sources are refused. */
  sourcesDir?: string;
  /** Rows of the sample the dashboard works on (SOURCE_SAMPLE_ROWS). */
  sampleRows: number;
  /** Longest one engine query may run (the analysis timeout). */
  timeoutMs: number;
}

/** What the "test" button and the add answer tell of a source before anything is stored. */
export interface SourceProbe {
  rowCount: number;
  columns: SourceColumn[];
  label: string;
}

export interface ScoreAnswer {
  table: string | null;
  path: string | null;
  rows: number;
  seconds: number;
  /** The file or database written, without credentials. */
  location: string;
}

export class SourceService {
  constructor(
    private readonly db: Db,
    readonly settings: SourceSettings,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Opens the source a spec names: a confined file for DuckDB, a URL for PostgreSQL. */
  private async open(
    spec: SourceSpec,
    writable: boolean,
    signal?: AbortSignal,
  ): Promise<{ connection: SourceConnection; location: string }> {
    const { timeoutMs } = this.settings;
    if (spec.engine === 'duckdb') {
      const location = await readablePath(this.settings.sourcesDir, spec.path);
      return { connection: await openDuckDbSource(location, spec.table, timeoutMs, writable, signal), location };
    }
    return { connection: await openPostgresSource(spec.url, spec.table, timeoutMs, signal), location: spec.url };
  }

  /** `signal`: the request's; when its client goes away the engine is told to stop. */
  private async using<T>(
    spec: SourceSpec,
    work: (c: SourceConnection, location: string) => Promise<T>,
    options: { writable?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    const { connection, location } = await this.open(spec, options.writable ?? false, options.signal);
    try {
      return await work(connection, location);
    } finally {
      await connection.close();
    }
  }

  /** The source's size and columns, read in place: nothing is stored. */
  probe(spec: SourceSpec, signal?: AbortSignal): Promise<SourceProbe> {
    return this.using(
      spec,
      async (c, location) => ({
        rowCount: await c.rowCount(),
        columns: await c.columns(),
        label: sourceLabel(
          spec.engine,
          this.shownLocation(spec.engine, location),
          spec.engine === 'duckdb' ? (spec.table ?? null) : spec.table,
        ),
      }),
      { signal },
    );
  }

  /**
   * Adds a source dataset: its sample stored here with its origin and every row's aggregates,
   * in one transaction. The engine computes the aggregates while the sample is imported.
   */
  async add(name: string, spec: SourceSpec, signal?: AbortSignal): Promise<{ dataset: DatasetInfo; source: DatasetSource }> {
    const dir = await mkdtemp(join(tmpdir(), 'cs-source-'));
    const table = spec.engine === 'duckdb' ? (spec.table ?? null) : spec.table;
    try {
      return await this.using(
        spec,
        async (c, location) => {
          const total = await c.rowCount();
          if (total === 0)
            throw new InputError('The source holds no rows: there is nothing to segment.', {
              field: spec.engine === 'duckdb' ? 'path' : 'table',
            });
          const columns = await c.columns();
          const sampleRows = Math.min(total, this.settings.sampleRows);
          const csv = join(dir, 'sample.csv');
          await c.sampleToCsv(sampleRows, total, SEED, csv);
          let profile: SourceColumnProfile[] = [];
          const profiled = c.profile(columns).then((p) => (profile = p));
          profiled.catch(() => {}); // awaited by the import's commit; an import failing first leaves it unread
          const source = (datasetId: number): DatasetSource => ({
            datasetId,
            engine: spec.engine,
            location,
            table,
            totalRows: total,
            sampleRows,
            profile,
          });
          const dataset = await importCsvFile(this.db, csv, {
            name,
            waitFor: profiled,
            alsoWrite: (db, id) => sourceWriter(db)(source(id)),
          });
          return { dataset, source: source(dataset.id) };
        },
        { signal },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  source(datasetId: number): DatasetSource | undefined {
    return datasetSource(this.db, datasetId);
  }

  /** Scores every row of the model's source inside its engine, into the target the request names. */
  async score(model: SavedModel, target: { table?: string; path?: string }, at: string, signal?: AbortSignal): Promise<ScoreAnswer> {
    const source = datasetSource(this.db, model.datasetId);
    if (!source) {
      throw new InputError(
        "This segmentation's dataset is stored in the dashboard, not read from a source: " +
          'score it with GET /api/models/:id/score.sql or the customers export.',
      );
    }
    const spec: SourceSpec =
      source.engine === 'duckdb'
        ? { engine: 'duckdb', path: source.location, ...(source.table ? { table: source.table } : {}) }
        : { engine: 'postgres', url: source.location, table: source.table! };
    const into = await this.target(source, target);
    const idColumn = getDataset(this.db, model.datasetId).columns.find((c) => c.kind === 'id')?.name;
    const started = this.clock();
    const rows = await this.using(
      spec,
      async (c) => {
        const sql = assigningSql(model.pipeline, { dialect: source.engine, table: c.scoreTable, idColumn });
        if (
          into.kind === 'table' &&
          (await c.targetExists(into)) &&
          !isOwnOutput(this.db, source.engine, this.outputPlace(source), into.table)
        ) {
          throw new InputError(
            `The table ${into.table} exists and was not written by this dashboard: it is left alone. Choose another name.`,
            {
              status: 409,
              field: 'table',
            },
          );
        }
        return c.writeScores(sql, into);
      },
      { writable: into.kind === 'table', signal },
    );
    recordOutput(
      this.db,
      source.engine,
      into.kind === 'table' ? this.outputPlace(source) : '',
      into.kind === 'table' ? into.table : into.path,
      model.id,
      at,
    );
    return {
      table: into.kind === 'table' ? into.table : null,
      path: into.kind === 'file' ? (target.path ?? null) : null,
      rows,
      seconds: Math.round((this.clock() - started) / 10) / 100,
      location: into.kind === 'file' ? into.path : this.shownLocation(source.engine, source.location),
    };
  }

  /** Where a score goes, checked: one table or one Parquet file, never the source itself nor another's file. */
  private async target(source: DatasetSource, target: { table?: string; path?: string }): Promise<ScoreTarget> {
    if ((target.table === undefined) === (target.path === undefined)) {
      throw new InputError('Name where the scores go: {"table": "…"} for a database source, or {"path": "….parquet"} for a file source.');
    }
    if (target.table !== undefined) {
      const isDatabase = source.engine === 'postgres' || source.table !== null;
      if (!isDatabase)
        throw new InputError('A file source is scored into a Parquet file under SOURCES_DIR: send {"path": "….parquet"}.', {
          field: 'table',
        });
      if (target.table.trim().toLowerCase() === (source.table ?? '').toLowerCase())
        throw new InputError('That is the source table itself: sources are read, never written. Choose another name.', {
          status: 409,
          field: 'table',
        });
      return { kind: 'table', table: target.table.trim() };
    }
    if (source.engine !== 'duckdb')
      throw new InputError('A PostgreSQL source is scored into a table of its database: send {"table": "…"}.', { field: 'path' });
    if (!/\.parquet$/i.test(target.path!))
      throw new InputError('Scores are written as Parquet: give a path ending in .parquet.', { field: 'path' });
    const path = await writablePath(this.settings.sourcesDir, target.path!);
    if (path === source.location)
      throw new InputError('That is the source file itself: sources are read, never written.', { status: 409, field: 'path' });
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists && !isOwnOutput(this.db, source.engine, '', path)) {
      throw new InputError(`${target.path} exists and was not written by this dashboard: it is left alone. Choose another name.`, {
        status: 409,
        field: 'path',
      });
    }
    return { kind: 'file', path };
  }

  /** The database a table output is recorded under, without credentials (a file output is known by its own path). */
  private outputPlace(source: DatasetSource): string {
    return source.engine === 'postgres' ? redactedUrl(source.location) : source.location;
  }

  private shownLocation(engine: 'duckdb' | 'postgres', location: string): string {
    return engine === 'postgres' ? redactedUrl(location) : location;
  }
}
