/**
 * A saved segmentation's rules (segmentation/segment-rules.ts) as one SELECT: customer_id,
 * segment (1..k, as the dashboard numbers them) and segment_name, in every dialect score.sql
 * has. The values are read as the segmentation reads them (gaps filled, outliers clipped),
 * so the query places each customer exactly where the reported fidelity counts them.
 */
import type { FittedPipeline } from '../segmentation/fitted-pipeline.ts';
import type { ModelRules, RuleCondition } from '../segmentation/rule-types.ts';
import { adoptedRules } from '../segmentation/rule-assign.ts';
import { levelValueSql, numericValueSql, scoreSql, sqlWriter, tablePath, type ScoreSqlOptions, type SqlWriter } from './score-sql.ts';

function conditionSql(w: SqlWriter, pipeline: FittedPipeline, c: RuleCondition, drop: boolean): string {
  const p = pipeline.preprocessor;
  const numeric = p.numeric.find((s) => s.name === c.feature);
  if (typeof c.value === 'number' && (c.op === '<' || c.op === '>=') && numeric) {
    return `${numericValueSql(w, numeric, drop)} ${c.op} ${w.literal(c.value)}`;
  }
  const category = p.categorical.find((s) => s.name === c.feature);
  const op = c.op === '=' ? '=' : '<>';
  if (category) return `${levelValueSql(w, category, drop)} ${op} ${w.text(String(c.value))}`;
  // A "never" value's flag reads the value as stored: a missing one is not it.
  return `COALESCE(CAST(${w.quote(c.feature)} AS ${w.double}) ${op} ${w.literal(Number(c.value))}, ${c.op === '=' ? 'FALSE' : 'TRUE'})`;
}

export function rulesSql(pipeline: FittedPipeline, rules: ModelRules, options: ScoreSqlOptions): string {
  const w = sqlWriter(options.dialect);
  const drop = pipeline.preprocessor.missing === 'drop';
  const table = tablePath(options.table)
    .map((part) => w.quote(part))
    .join('.');
  const id = options.idColumn ? w.quote(options.idColumn) : 'ROW_NUMBER() OVER ()';
  // Under "drop", a customer missing a feature has no segment, whatever the rules say.
  const missing = drop
    ? [
        ...pipeline.preprocessor.numeric.map((s) => `${numericValueSql(w, s, true)} IS NULL`),
        ...pipeline.preprocessor.categorical.map((s) => `${levelValueSql(w, s, true)} IS NULL OR ${levelValueSql(w, s, true)} = ''`),
      ]
    : [];
  const whens = (value: (segment: number) => string) => [
    ...(missing.length ? [`    WHEN ${missing.join(' OR ')} THEN NULL`] : []),
    ...rules.ordered.map(({ segment, rule }) => {
      const test = rule.conditions.length ? rule.conditions.map((c) => `(${conditionSql(w, pipeline, c, drop)})`).join(' AND ') : '1 = 1';
      return `    WHEN ${test} THEN ${value(segment)}`;
    }),
  ];
  return [
    '-- Customer Segments: a saved segmentation as rules (rules.sql).',
    `-- ${rules.leaves} rules place ${(rules.fidelity * 100).toFixed(1)}% of the segmentation's customers in its own segment` +
      (rules.assignedBy === 'rules' ? ' (measured when the rules were adopted as its assignment).' : '.'),
    `SELECT ${id} AS customer_id,`,
    '  CASE',
    ...whens((segment) => String(segment + 1)),
    '  END AS segment,',
    '  CASE',
    ...whens((segment) => w.text(pipeline.segmentNames[segment])),
    '  END AS segment_name',
    `FROM ${table};`,
    '',
  ].join('\n');
}

/** The query that assigns as the dashboard does (score.sql): by the rules a segmentation adopted, else by its centres. */
export function assigningSql(pipeline: FittedPipeline, options: ScoreSqlOptions): string {
  return pipeline.rules ? rulesSql(pipeline, adoptedRules(pipeline.rules, pipeline.segmentNames), options) : scoreSql(pipeline, options);
}
