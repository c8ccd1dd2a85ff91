/**
 * Where a source dataset's customers are, as a request names them: a file under SOURCES_DIR
 * read by DuckDB (Parquet, CSV, or a DuckDB database with a table), or a PostgreSQL table
 * by connection URL. A connection URL is a secret: it is told back only as sourceLabel.
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { tablePath } from '../scoring/score-sql.ts';

export type SourceSpec = { engine: 'duckdb'; path: string; table?: string } | { engine: 'postgres'; url: string; table: string };

const table = z
  .string({ error: 'table must be text: a table name, or schema.table' })
  .trim()
  .min(1, { error: 'table needs a name' })
  .max(200, { error: 'table must be at most 200 characters' })
  .refine((t) => tablePath(t).length <= 3, { error: 'table must be table, schema.table or database.schema.table' });

const specSchema = z.discriminatedUnion(
  'engine',
  [
    z.strictObject({
      engine: z.literal('duckdb'),
      path: z
        .string({ error: 'path must be text: a file under SOURCES_DIR' })
        .min(1, { error: 'path needs a file name' })
        .max(1000, { error: 'path must be at most 1,000 characters' }),
      table: table.optional(),
    }),
    z.strictObject({
      engine: z.literal('postgres'),
      url: z
        .string({ error: 'url must be text: postgresql://user:password@host:port/database' })
        .max(2000, { error: 'url must be at most 2,000 characters' })
        .regex(/^postgres(ql)?:\/\//, { error: 'url must start with postgresql:// (postgresql://user:password@host:port/database)' }),
      table,
    }),
  ],
  { error: 'source.engine must be "duckdb" (a Parquet, CSV or DuckDB file) or "postgres" (a table by URL)' },
);

export function parseSourceSpec(value: unknown): SourceSpec {
  const parsed = specSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? `source.${issue.path.join('.')}` : 'source';
    throw new InputError(`${field}: ${issue.message}.`, { field });
  }
  return parsed.data;
}

/** The source as it may be shown: a file's path, a database's host, port, database and table, never a password. */
export function sourceLabel(engine: 'duckdb' | 'postgres', location: string, table: string | null): string {
  if (engine === 'duckdb') return table ? `${location} (table ${table})` : location;
  return `${redactedUrl(location)}${table ? ` (table ${table})` : ''}`;
}

/** postgresql://user@host:port/database, without password or parameters. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `postgresql://${user}${u.host}${u.pathname}`;
  } catch {
    return 'postgresql://(an unreadable URL)';
  }
}
