/**
 * One open connection to a source engine, for one task: what its table holds, a seeded
 * sample, aggregates over every row, and a score SELECT written in place. Opened per task
 * and closed after, so no file or connection stays held between tasks.
 */
import type { SourceColumnProfile, SourceEngineName } from '../store/dataset-sources.ts';
import { CancelledError, InputError } from '../errors.ts';

export interface SourceColumn {
  name: string;
  /** The engine's own type name (DOUBLE, VARCHAR, numeric, text…). */
  type: string;
  numeric: boolean;
}

export type ScoreTarget = { kind: 'file'; path: string } | { kind: 'table'; table: string };

export interface SourceConnection {
  readonly engine: SourceEngineName;
  /** The table name the score SELECT reads (score-sql.ts tablePath form). */
  readonly scoreTable: string;
  columns(): Promise<SourceColumn[]>;
  rowCount(): Promise<number>;
  /** Writes a seeded sample of at most `rows` rows (of `total`) to a CSV file, header first. */
  sampleToCsv(rows: number, total: number, seed: number, csvPath: string): Promise<void>;
  /** Count, missing, mean, min, quartiles and max of every column, over every row. */
  profile(columns: readonly SourceColumn[]): Promise<SourceColumnProfile[]>;
  /** Whether a score target already exists in the source. */
  targetExists(target: ScoreTarget): Promise<boolean>;
  /** Runs the SELECT inside the engine into the target, replacing it; answers the rows written. */
  writeScores(select: string, target: ScoreTarget): Promise<number>;
  close(): Promise<void>;
}

/** A number the engine answered (bigint, decimal text or number), or null. */
export function numberOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'bigint' ? Number(value) : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** One column's profile from the aggregates' values (quartiles as a list of three). */
export function columnProfile(
  column: SourceColumn,
  rows: number,
  present: unknown,
  numbers?: { mean: unknown; min: unknown; max: unknown; quartiles: unknown },
): SourceColumnProfile {
  const q = Array.isArray(numbers?.quartiles) ? (numbers.quartiles as unknown[]).map(numberOf) : [null, null, null];
  const count = numberOf(present) ?? 0;
  return {
    name: column.name,
    type: column.type,
    count,
    missing: rows - count,
    mean: numbers ? numberOf(numbers.mean) : null,
    min: numbers ? numberOf(numbers.min) : null,
    q25: q[0] ?? null,
    median: q[1] ?? null,
    q75: q[2] ?? null,
    max: numbers ? numberOf(numbers.max) : null,
  };
}

/**
 * Runs engine work bounded by the analysis timeout and by the request: past the timeout, or
 * when the client goes away (`signal`), the engine is told to stop (`interrupt`) and the
 * work answers 504, or CancelledError for nobody.
 */
export async function bounded<T>(
  work: Promise<T>,
  timeoutMs: number,
  interrupt: () => void,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  const cancelled = () => new CancelledError(`${what} was stopped: nobody was waiting for it any more.`);
  if (signal?.aborted) {
    interrupt();
    work.catch(() => {});
    throw cancelled();
  }
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    const stop = (error: Error) => {
      stopped = true;
      interrupt();
      reject(error);
    };
    timer = setTimeout(
      () =>
        stop(
          new InputError(
            `${what} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped; ` +
              'raise ANALYSIS_TIMEOUT_SECONDS or use a smaller table.',
            { status: 504 },
          ),
        ),
      timeoutMs,
    );
    onAbort = () => stop(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, limit]);
  } catch (error) {
    if (stopped) work.catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** The SELECT of a generated query, without its comments' trailing semicolon, to nest in COPY or CREATE TABLE AS. */
export const selectOf = (sql: string): string => sql.trim().replace(/;\s*$/, '');

/**
 * The one SELECT list that profiles every column over every row: a count per column and, for
 * numbers, mean, min, max and quartiles. `asDouble` casts in the engine's words; `quartiles`
 * is its exact quantile aggregate of a quoted column.
 */
export function profileSelect(
  columns: readonly SourceColumn[],
  quote: (name: string) => string,
  asDouble: (sql: string) => string,
  quartiles: (column: string) => string,
): string {
  const parts = columns.flatMap((col, i) => {
    const q = quote(col.name);
    const n = [`count(${q}) AS p${i}`];
    if (!col.numeric) return n;
    return [
      ...n,
      `${asDouble(`avg(${q})`)} AS mean${i}`,
      `${asDouble(`min(${q})`)} AS min${i}`,
      `${asDouble(`max(${q})`)} AS max${i}`,
      `${quartiles(q)} AS q${i}`,
    ];
  });
  return `count(*) AS total, ${parts.join(', ')}`;
}

/** Each column's profile from the row profileSelect answered. */
export function profilesOf(columns: readonly SourceColumn[], row: Record<string, unknown>): SourceColumnProfile[] {
  const total = Number(row.total);
  return columns.map((col, i) =>
    columnProfile(
      col,
      total,
      row[`p${i}`],
      col.numeric ? { mean: row[`mean${i}`], min: row[`min${i}`], max: row[`max${i}`], quartiles: row[`q${i}`] } : undefined,
    ),
  );
}
