/**
 * A fitted pipeline as one portable SELECT: the warehouse scores its own customers with the
 * exact steps the dashboard applies (preprocess.ts applySteps, predict.ts): imputation
 * constants (rows the drop rule drops get NULL), outlier clipping, scaling constants, weighted
 * one-hot indicators, the squared distance to every centre, and the nearest centre with ties
 * going to the lower segment, as indexOf(min) breaks them. A Gaussian mixture scores each
 * segment by its log-density instead (constants folded in here, so no LN at query time).
 * Column and table names are quoted per dialect: a name holding a quote stays a name.
 */
import { InputError } from '../errors.ts';
import type { FittedPipeline } from './predict.ts';

export const SQL_DIALECTS = ['ansi', 'sqlite', 'postgres', 'duckdb', 'bigquery', 'snowflake', 'spark'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

interface DialectRules {
  quote: (name: string) => string;
  /** A string literal. */
  text: (value: string) => string;
  double: string;
}

const doubleQuoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const standardText = (value: string) => `'${value.replaceAll("'", "''")}'`;
// BigQuery and Spark read backslash escapes inside literals and quoted names.
const backslashText = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

const DIALECTS: Record<SqlDialect, DialectRules> = {
  ansi: { quote: doubleQuoted, text: standardText, double: 'DOUBLE PRECISION' },
  sqlite: { quote: doubleQuoted, text: standardText, double: 'REAL' },
  postgres: { quote: doubleQuoted, text: standardText, double: 'DOUBLE PRECISION' },
  duckdb: { quote: doubleQuoted, text: standardText, double: 'DOUBLE' },
  snowflake: { quote: doubleQuoted, text: standardText, double: 'DOUBLE' },
  bigquery: { quote: (name) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``, text: backslashText, double: 'FLOAT64' },
  spark: { quote: (name) => `\`${name.replaceAll('`', '``')}\``, text: backslashText, double: 'DOUBLE' },
};

/** A number as SQL reads it back to the same double. */
function literal(value: number): string {
  if (!Number.isFinite(value)) throw new InputError('This segmentation holds a number that is not finite; it cannot be written as SQL.');
  return String(value);
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
    throw new InputError('A DBSCAN segmentation assigns by its core points (thousands of them), not by centres: it has no compact SQL form. Save a k-means, mini-batch, Ward or Gaussian mixture segmentation to score in the warehouse.', { field: 'model' });
  }
  const d = DIALECTS[options.dialect];
  const { preprocessor, centroids, segmentNames } = pipeline;
  const table = options.table.split('.').map((part) => d.quote(part)).join('.');
  const id = options.idColumn ? d.quote(options.idColumn) : 'ROW_NUMBER() OVER ()';
  const drop = preprocessor.missing === 'drop';

  // Each output column of the transformed space as an expression over the source row.
  const numeric = preprocessor.numeric.map((step) => {
    const raw = `CAST(${d.quote(step.name)} AS ${d.double})`;
    let value = drop ? raw : `COALESCE(${raw}, ${literal(step.fill)})`;
    if (step.clipLow !== null) value = `CASE WHEN ${value} < ${literal(step.clipLow)} THEN ${literal(step.clipLow)} ELSE ${value} END`;
    if (step.clipHigh !== null) value = `CASE WHEN ${value} > ${literal(step.clipHigh)} THEN ${literal(step.clipHigh)} ELSE ${value} END`;
    return `(${value} - ${literal(step.center)}) / ${literal(step.scale)}`;
  });
  const indicators = preprocessor.categorical.flatMap((step) => {
    const column = d.quote(step.name);
    const level = drop ? column : `CASE WHEN ${column} IS NULL OR ${column} = '' THEN ${d.text(step.fill)} ELSE ${column} END`;
    return step.levels.map((l) => `CASE WHEN ${level} = ${d.text(l)} THEN ${literal(step.weight)} ELSE 0 END`);
  });
  const columns = [...numeric, ...indicators];
  const z = (j: number) => `z${j}`;
  // Rows the drop rule drops: any feature missing (or empty text).
  const missing = [
    ...preprocessor.numeric.map((s) => `${d.quote(s.name)} IS NULL`),
    ...preprocessor.categorical.map((s) => `${d.quote(s.name)} IS NULL OR ${d.quote(s.name)} = ''`),
  ].join(' OR ');

  const scores = centroids.map((centre, c) => {
    if (pipeline.gmm) {
      // log w − ½ Σ (log 2π var + (z − μ)² / var): the constant part computed here.
      const variances = pipeline.gmm.variances[c];
      const constant = Math.log(pipeline.gmm.weights[c]) - 0.5 * variances.reduce((s, v) => s + Math.log(2 * Math.PI * v), 0);
      return `${literal(constant)} - 0.5 * (${centre.map((m, j) => `(${z(j)} - ${literal(m)}) * (${z(j)} - ${literal(m)}) / ${literal(variances[j])}`).join(' + ')})`;
    }
    return centre.map((m, j) => `(${z(j)} - ${literal(m)}) * (${z(j)} - ${literal(m)})`).join(' + ');
  });
  // Distances: the smallest wins; mixture scores: the largest. The first on ties, as indexOf does.
  const better = pipeline.gmm ? '>=' : '<=';
  const s = (c: number) => `s${c}`;
  const k = centroids.length;
  const winner = (value: (c: number) => string) => `CASE ${Array.from({ length: k - 1 }, (_, c) => `WHEN ${Array.from({ length: k }, (_, o) => o).filter((o) => o > c).map((o) => `${s(c)} ${better} ${s(o)}`).join(' AND ')} THEN ${value(c)}`).join(' ')} ELSE ${value(k - 1)} END`;
  // Later WHENs only see rows earlier ones did not take, so each needs only the higher segments.
  const distanceOf = (c: number) => (pipeline.gmm ? `SQRT(${centroids[c].map((m, j) => `(${z(j)} - ${literal(m)}) * (${z(j)} - ${literal(m)})`).join(' + ')})` : `SQRT(${s(c)})`);

  const lines = [
    '-- Customer Segments: a saved segmentation as one query (score.sql).',
    `-- ${k} segments, ${pipeline.options.algorithm}, features: ${[...preprocessor.numeric, ...preprocessor.categorical].map((st) => st.name).join(', ').replaceAll('\n', ' ')}.`,
    `-- segment is the number the dashboard shows (1..${k}); NULL where the missing-value rule drops the customer.`,
    'WITH transformed AS (',
    `  SELECT ${id} AS customer_id,`,
    drop ? `    CASE WHEN ${missing} THEN 1 ELSE 0 END AS dropped,` : '    0 AS dropped,',
    columns.map((expr, j) => `    ${expr} AS ${z(j)}`).join(',\n'),
    `  FROM ${table}`,
    '), scored AS (',
    '  SELECT customer_id, dropped,',
    scores.map((expr, c) => `    ${expr} AS ${s(c)}`).join(',\n') + (pipeline.gmm ? ',\n' + columns.map((_, j) => `    ${z(j)}`).join(',\n') : ''),
    '  FROM transformed',
    ')',
    'SELECT customer_id,',
    `  CASE WHEN dropped = 1 THEN NULL ELSE ${winner((c) => String(c + 1))} END AS segment,`,
    `  CASE WHEN dropped = 1 THEN NULL ELSE ${winner((c) => d.text(segmentNames[c]))} END AS segment_name,`,
    `  CASE WHEN dropped = 1 THEN NULL ELSE ${winner(distanceOf)} END AS distance`,
    'FROM scored',
  ];
  return `${lines.join('\n')}\n`;
}
