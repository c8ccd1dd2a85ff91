/**
 * Rules as a segmentation's assignment: a customer is placed by the first rule they meet,
 * read on the values as the segmentation reads them (gaps filled, outliers clipped), exactly
 * as rules.sql compares them. Predictions, registrations, audiences, exports, the change feed
 * and score.sql all assign through predictTransformed, which comes here when the pipeline
 * has adopted its rules.
 */
import { formatExact } from '../format.ts';
import { NOISE } from '../analysis/cluster/types.ts';
import type { FittedPreprocessor } from '../analysis/preprocess-types.ts';
import type { FittedPipeline } from './fitted-pipeline.ts';
import type { AssignedBy, AssigningRules, ModelRules, RuleCondition } from './rule-types.ts';

/** What places a pipeline's customers. */
export const assignedBy = (pipeline: Pick<FittedPipeline, 'rules'>): AssignedBy => (pipeline.rules ? 'rules' : 'centres');

const OP_WORDS: Record<RuleCondition['op'], string> = { '<': '<', '>=': '≥', '=': 'is', '!=': 'is not' };

/** A rule in words: "income ≥ 61,000 and age < 35". */
export function ruleText(conditions: readonly RuleCondition[]): string {
  if (conditions.length === 0) return 'every customer';
  return conditions
    .map((c) => `${c.feature} ${OP_WORDS[c.op]} ${typeof c.value === 'number' ? formatExact(c.value) : c.value}`)
    .join(' and ');
}

/** One condition on a transformed customer (x) and its numbers as filled and clipped (raw). */
type Test = (x: Float64Array, raw: Float64Array) => boolean;

function conditionTest(p: FittedPreprocessor, c: RuleCondition, width: number): Test {
  const j = p.numeric.findIndex((s) => s.name === c.feature);
  if (j >= 0 && typeof c.value === 'number' && (c.op === '<' || c.op === '>=')) {
    const value = c.value;
    return c.op === '<' ? (_x, raw) => raw[j] < value : (_x, raw) => raw[j] >= value;
  }
  let column = -1;
  let offset = p.numeric.length;
  for (const step of p.categorical) {
    if (step.name === c.feature) column = step.levels.indexOf(String(c.value)) < 0 ? -2 : offset + step.levels.indexOf(String(c.value));
    offset += step.levels.length;
  }
  const flags = p.flags ?? [];
  const flag = flags.findIndex((f) => f.name === c.feature && f.value === c.value);
  if (column === -1 && flag >= 0) column = width - flags.length + flag;
  // A level the segmentation never saw: no customer is it, every customer is not it.
  const is: (x: Float64Array) => boolean = column >= 0 ? (x) => x[column] > 0 : () => false;
  return c.op === '=' ? (x) => is(x) : (x) => !is(x);
}

const compiled = new WeakMap<AssigningRules, { segment: number; tests: Test[] }[]>();

/** The segment the first matching rule gives, or NOISE when no rule matches (as the SQL's NULL). */
export function segmentByRules(p: FittedPreprocessor, rules: AssigningRules, x: Float64Array, raw: Float64Array): number {
  let tried = compiled.get(rules);
  if (!tried) {
    tried = rules.ordered.map(({ segment, conditions }) => ({ segment, tests: conditions.map((c) => conditionTest(p, c, x.length)) }));
    compiled.set(rules, tried);
  }
  for (const { segment, tests } of tried) if (tests.every((test) => test(x, raw))) return segment;
  return NOISE;
}

/** The rule that places a customer, in words (for the Predict tab's "why"). */
export function placingRule(p: FittedPreprocessor, rules: AssigningRules, x: Float64Array, raw: Float64Array): string | undefined {
  const index = rules.ordered.findIndex(({ conditions }) => conditions.every((c) => conditionTest(p, c, x.length)(x, raw)));
  return index < 0 ? undefined : ruleText(rules.ordered[index].conditions);
}

/** Grown rules, adopted: what the pipeline keeps of them. */
export function adoptRules(grown: ModelRules): AssigningRules {
  return {
    ordered: grown.ordered.map(({ segment, rule }) => ({ segment, conditions: rule.conditions })),
    fidelity: grown.fidelity,
    customers: grown.customers,
    segments: grown.segments.map(({ share, fidelity }) => ({ share, fidelity })),
  };
}

/** Adopted rules told as grown ones are, with the segmentation's current names. */
export function adoptedRules(rules: AssigningRules, segmentNames: readonly string[]): ModelRules {
  const ordered = rules.ordered.map(({ segment, conditions }) => ({ segment, rule: { text: ruleText(conditions), conditions } }));
  return {
    fidelity: rules.fidelity,
    leaves: ordered.length,
    customers: rules.customers,
    segments: rules.segments.map((s, index) => ({
      index,
      name: segmentNames[index] ?? `Segment ${index + 1}`,
      ...s,
      rules: ordered.filter((o) => o.segment === index).map((o) => o.rule),
    })),
    ordered,
    assignedBy: 'rules',
  };
}
