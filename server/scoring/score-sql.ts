/**
 * A fitted pipeline as one portable SELECT: the warehouse scores its own customers with the
 * exact steps the dashboard applies (preprocess.ts applySteps, predict.ts): imputation
 * constants (rows the drop rule drops get NULL), outlier clipping, scaling constants, weighted
 * one-hot indicators, the squared distance to every centre, and the nearest centre with ties
 * going to the lower segment, as indexOf(min) breaks them. A Gaussian mixture scores each
 * segment by its log-density instead (constants folded in here, so no LN at query time).
 * Column and table names are quoted per dialect: a name holding a quote stays a name.
 */
import type { CategoricalStep, NumericStep } from '../analysis/preprocess-types.ts';
import { pipelineFeatures } from '../segmentation/fitted-pipeline.ts';
import { InputError } from '../errors.ts';
import type { FittedPipeline } from '../segmentation/predict.ts';

export const SQL_DIALECTS = ['ansi', 'sqlite', 'postgres', 'duckdb', 'bigquery', 'snowflake', 'spark'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

interface DialectRules {
  quote: (name: string) => string;
  /** A string literal, read back by this dialect as exactly `value`. */
  text: (value: string) => string;
  double: string;
  /** The dialect's text type, so that a category stored as a number compares as text. */
  string: string;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const doubleQuoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
// Standard SQL reads a backslash as itself: only the quote is doubled.
const standardText = (value: string) => `'${value.replaceAll("'", "''")}'`;
// PostgreSQL reads '…' by standard_conforming_strings (a server setting): E'…' reads the
// same whatever it is set to.
const escapeText = (value: string) => `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
/**
 * BigQuery, Snowflake and Spark read backslash escapes inside '…'. BigQuery refuses a line
 * break inside one: control characters are written as \uXXXX, which all three read.
 */
const unicodeEscape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
const backslashEscape = (ch: string) => (ch === '\\' ? '\\\\' : ch === "'" ? "\\'" : unicodeEscape(ch));
const backslashText = (value: string) => `'${value.replace(/[\\'\u0000-\u001f\u007f]/g, backslashEscape)}'`;

const DIALECTS: Record<SqlDialect, DialectRules> = {
  ansi: { quote: doubleQuoted, text: standardText, double: 'DOUBLE PRECISION', string: 'VARCHAR' },
  sqlite: { quote: doubleQuoted, text: standardText, double: 'REAL', string: 'TEXT' },
  postgres: { quote: doubleQuoted, text: escapeText, double: 'DOUBLE PRECISION', string: 'TEXT' },
  duckdb: { quote: doubleQuoted, text: standardText, double: 'DOUBLE', string: 'VARCHAR' },
  snowflake: { quote: doubleQuoted, text: backslashText, double: 'DOUBLE', string: 'VARCHAR' },
  bigquery: {
    quote: (name) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``,
    text: backslashText,
    double: 'FLOAT64',
    string: 'STRING',
  },
  spark: { quote: (name) => `\`${name.replaceAll('`', '``')}\``, text: backslashText, double: 'DOUBLE', string: 'STRING' },
};

/** A string literal in a dialect (exported for the tests that read it back as each dialect does). */
export function sqlText(dialect: SqlDialect, value: string): string {
  // PostgreSQL cannot hold a NUL in text, and no segment name or category may carry one.
  if (value.includes('\u0000')) throw new InputError('A segment name or category holds a NUL character; it cannot be written as SQL.');
  return DIALECTS[dialect].text(value);
}

/**
 * A number as every engine reads it back to the same double. An integer literal would make
 * SQLite (and PostgreSQL, over INTEGER columns) divide integers, and a decimal literal is a
 * DECIMAL in DuckDB and PostgreSQL: the cast makes each one a double.
 */
function literalIn(d: DialectRules): (value: number) => string {
  return (value) => {
    if (!Number.isFinite(value)) throw new InputError('This segmentation holds a number that is not finite; it cannot be written as SQL.');
    return `CAST(${String(value)} AS ${d.double})`;
  };
}

/** A table name as a dotted path of parts: none empty, none with a control character. */
export function tablePath(table: string): string[] {
  const parts = table.split('.');
  if (parts.some((p) => p.trim() === ''))
    throw new InputError(`The table name "${table.slice(0, 100)}" has an empty part; write it as table or schema.table.`, {
      field: 'table',
    });
  if (CONTROL.test(table))
    throw new InputError('The table name holds a control character (a line break, tab or NUL); write it as table or schema.table.', {
      field: 'table',
    });
  return parts;
}

/** How one dialect writes names, numbers and text: what every generated query is built with. */
export interface SqlWriter {
  quote: (name: string) => string;
  literal: (value: number) => string;
  text: (value: string) => string;
  double: string;
  string: string;
}

export function sqlWriter(dialect: SqlDialect): SqlWriter {
  const d = DIALECTS[dialect];
  return { quote: d.quote, literal: literalIn(d), text: (value) => sqlText(dialect, value), double: d.double, string: d.string };
}

/** A numeric feature as the segmentation reads it, before scaling: a "never" value and a gap filled (unless dropped), then clipped. */
export function numericValueSql(w: SqlWriter, step: NumericStep, drop: boolean): string {
  const cast = `CAST(${w.quote(step.name)} AS ${w.double})`;
  // A "never" value (pdays = -1) is missing, as the dashboard reads it.
  const raw = step.missingValue === undefined ? cast : `NULLIF(${cast}, ${w.literal(step.missingValue)})`;
  let value = drop ? raw : `COALESCE(${raw}, ${w.literal(step.fill)})`;
  if (step.clipLow !== null) value = `CASE WHEN ${value} < ${w.literal(step.clipLow)} THEN ${w.literal(step.clipLow)} ELSE ${value} END`;
  if (step.clipHigh !== null) value = `CASE WHEN ${value} > ${w.literal(step.clipHigh)} THEN ${w.literal(step.clipHigh)} ELSE ${value} END`;
  return value;
}

/** A category feature's level as the segmentation reads it: a gap filled with the most frequent level (unless dropped). */
export function levelValueSql(w: SqlWriter, step: CategoricalStep, drop: boolean): string {
  const column = `CAST(${w.quote(step.name)} AS ${w.string})`;
  return drop ? column : `CASE WHEN ${column} IS NULL OR ${column} = '' THEN ${w.text(step.fill)} ELSE ${column} END`;
}

export interface ScoreSqlOptions {
  dialect: SqlDialect;
  /** The table to score: its columns carry the dataset's original names. A dotted name is a path (schema.table). */
  table: string;
  /** The dataset's identifier column, returned as customer_id; without one, the row's position. */
  idColumn?: string;
}

export function scoreSql(pipeline: FittedPipeline, options: ScoreSqlOptions): string {
  if (pipeline.dbscan) {
    throw new InputError(
      'A DBSCAN segmentation assigns by its core points (thousands of them), not by centres: it has no compact SQL form. Save a ' +
        'k-means, mini-batch, Ward or Gaussian mixture segmentation to score in the warehouse.',
      { field: 'model' },
    );
  }
  const d = DIALECTS[options.dialect];
  const literal = literalIn(d);
  const text = (value: string) => sqlText(options.dialect, value);
  const { preprocessor, centroids, segmentNames } = pipeline;
  const table = tablePath(options.table)
    .map((part) => d.quote(part))
    .join('.');
  const id = options.idColumn ? d.quote(options.idColumn) : 'ROW_NUMBER() OVER ()';
  const drop = preprocessor.missing === 'drop';

  // Each output column of the transformed space as an expression over the source row.
  const w = sqlWriter(options.dialect);
  const numeric = preprocessor.numeric.map(
    (step) => `(${numericValueSql(w, step, drop)} - ${literal(step.center)}) / ${literal(step.scale)}`,
  );
  const indicators = preprocessor.categorical.flatMap((step) => {
    const level = levelValueSql(w, step, drop);
    return step.levels.map((l) => `CASE WHEN ${level} = ${text(l)} THEN ${literal(step.weight)} ELSE ${literal(0)} END`);
  });
  // A "never" value's indicator reads the value as stored.
  const flags = (preprocessor.flags ?? []).map(
    (flag) =>
      `CASE WHEN CAST(${d.quote(flag.name)} AS ${d.double}) = ${literal(flag.value)} THEN ${literal(flag.weight)} ELSE ${literal(0)} END`,
  );
  const columns = [...numeric, ...indicators, ...flags];
  const z = (j: number) => `z${j}`;
  // Rows the drop rule drops: any feature missing (or empty text).
  const missing = [
    ...preprocessor.numeric.map((s) =>
      s.missingValue === undefined
        ? `${d.quote(s.name)} IS NULL`
        : `${d.quote(s.name)} IS NULL OR CAST(${d.quote(s.name)} AS ${d.double}) = ${literal(s.missingValue)}`,
    ),
    ...preprocessor.categorical.map((s) => `${d.quote(s.name)} IS NULL OR CAST(${d.quote(s.name)} AS ${d.string}) = ''`),
  ].join(' OR ');

  const scores = centroids.map((centre, c) => {
    if (pipeline.gmm) {
      // log w − ½ Σ (log 2π var + (z − μ)² / var): the constant part computed here.
      const variances = pipeline.gmm.variances[c];
      const constant = Math.log(pipeline.gmm.weights[c]) - 0.5 * variances.reduce((s, v) => s + Math.log(2 * Math.PI * v), 0);
      return (
        `${literal(constant)} - ${literal(0.5)} * ` +
        `(${centre.map((m, j) => `(${z(j)} - ${literal(m)}) * (${z(j)} - ${literal(m)}) / ${literal(variances[j])}`).join(' + ')})`
      );
    }
    return centre.map((m, j) => `(${z(j)} - ${literal(m)}) * (${z(j)} - ${literal(m)})`).join(' + ');
  });
  // Distances: the smallest wins; mixture scores: the largest. The first on ties, as indexOf does.
  const better = pipeline.gmm ? '>=' : '<=';
  const s = (c: number) => `s${c}`;
  const k = centroids.length;
  const winner = (value: (c: number) => string) =>
    `CASE ${Array.from(
      { length: k - 1 },
      (_, c) =>
        `WHEN ${Array.from({ length: k }, (_, o) => o)
          .filter((o) => o > c)
          .map((o) => `${s(c)} ${better} ${s(o)}`)
          .join(' AND ')} THEN ${value(c)}`,
    ).join(' ')} ELSE ${value(k - 1)} END`;
  // Later WHENs only see rows earlier ones did not take, so each needs only the higher segments.
  const distanceOf = (c: number) =>
    pipeline.gmm
      ? `SQRT(${centroids[c].map((m, j) => `(${z(j)} - ${literal(m)}) * (${z(j)} - ${literal(m)})`).join(' + ')})`
      : `SQRT(${s(c)})`;

  const ofSegment = (value: (c: number) => string) =>
    `CASE segment ${centroids.map((_, c) => `WHEN ${c + 1} THEN ${value(c)}`).join(' ')} END`;

  // PostgreSQL inlines a CTE read once, repeating each distance in every comparison of the
  // CASEs below (k² times): 38 s for 200,000 rows. Materialised, each is computed once a row.
  const cte = options.dialect === 'postgres' ? 'AS MATERIALIZED' : 'AS';
  const lines = [
    '-- Customer Segments: a saved segmentation as one query (score.sql).',
    `-- ${k} segments, ${pipeline.options.algorithm}, features: ${pipelineFeatures(pipeline)
      .join(', ')
      .replace(/[\u0000-\u001f\u007f]/g, ' ')}.`,
    `-- segment is the number the dashboard shows (1..${k}); NULL where the missing-value rule drops the customer.`,
    `WITH transformed ${cte} (`,
    `  SELECT ${id} AS customer_id,`,
    drop ? `    CASE WHEN ${missing} THEN 1 ELSE 0 END AS dropped,` : '    0 AS dropped,',
    columns.map((expr, j) => `    ${expr} AS ${z(j)}`).join(',\n'),
    `  FROM ${table}`,
    `), scored ${cte} (`,
    '  SELECT customer_id, dropped,',
    scores.map((expr, c) => `    ${expr} AS ${s(c)}`).join(',\n') +
      (pipeline.gmm ? ',\n' + columns.map((_, j) => `    ${z(j)}`).join(',\n') : ''),
    '  FROM transformed',
    // The winner found once a row: its name and distance read from it (three cascades of
    // comparisons cost DuckDB a second more on five million rows).
    // Not materialised anywhere: PostgreSQL repeating this one cascade over stored scores costs less than storing it.
    '), assigned AS (',
    `  SELECT customer_id, ${[...centroids.map((_, c) => s(c)), ...(pipeline.gmm ? columns.map((_, j) => z(j)) : [])].join(', ')},`,
    `    CASE WHEN dropped = 1 THEN NULL ELSE ${winner((c) => String(c + 1))} END AS segment`,
    '  FROM scored',
    ')',
    'SELECT customer_id, segment,',
    `  ${ofSegment((c) => text(segmentNames[c]))} AS segment_name,`,
    `  ${ofSegment(distanceOf)} AS distance`,
    'FROM assigned',
  ];
  return `${lines.join('\n')}\n`;
}
