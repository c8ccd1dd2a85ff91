/**
 * A saved segmentation as rules a person can read and a CRM can run: a threshold tree
 * (analysis/threshold-tree.ts) grown on the features in the data's own units, each leaf a
 * rule of at most MAX_CONDITIONS conditions, with the share of customers the rules place in
 * the segmentation's own segment (its fidelity) stated overall and per segment.
 */
import { SEED } from '../defaults.ts';
import { formatPercent } from '../format.ts';
import { InputError } from '../errors.ts';
import { createMatrix, type Matrix } from '../analysis/matrix.ts';
import { sampleIndices } from '../analysis/random.ts';
import { stepColumns, transformTableRow } from '../analysis/transform.ts';
import type { DataTable } from '../analysis/table.ts';
import { growThresholdTree, treePaths, type TreeCut } from '../analysis/threshold-tree.ts';
import type { FittedPipeline } from './fitted-pipeline.ts';
import { byCentres, predictTransformed } from './predict.ts';
import type { ModelRules, RuleCondition } from './rule-types.ts';
import { ruleText } from './rule-assign.ts';

/** Conditions a rule holds at the most: a filter a person still reads at a glance. */
export const MAX_CONDITIONS = 4;
/** Rows the tree is grown on at the most (a seeded sample); fidelity is measured on every row. */
const TREE_ROWS = 20_000;

export { ruleText } from './rule-assign.ts';
export type { AssignedBy, AssigningRules, ModelRules, RuleCondition, SegmentRule, SegmentRules } from './rule-types.ts';

/** What each column of the rules' feature space is: a numeric value, a category's level, a "never" flag. */
type RuleColumn =
  | { kind: 'numeric'; feature: string }
  | { kind: 'level'; feature: string; level: string }
  | { kind: 'flag'; feature: string; value: number };

function ruleColumns(pipeline: FittedPipeline): RuleColumn[] {
  const p = pipeline.preprocessor;
  return [
    ...p.numeric.map((s): RuleColumn => ({ kind: 'numeric', feature: s.name })),
    ...p.categorical.flatMap((s) => s.levels.map((level): RuleColumn => ({ kind: 'level', feature: s.name, level }))),
    ...(p.flags ?? []).map((f): RuleColumn => ({ kind: 'flag', feature: f.name, value: f.value })),
  ];
}

/** The segmentation's centres in the rules' space: numbers in their own units, levels and flags as shares. */
function rawCentres(pipeline: FittedPipeline): number[][] {
  const p = pipeline.preprocessor;
  const weights = [...p.categorical.flatMap((s) => s.levels.map(() => s.weight)), ...(p.flags ?? []).map((f) => f.weight)];
  return pipeline.centroids.map((c) =>
    c.map((v, j) => (j < p.numeric.length ? v * p.numeric[j].scale + p.numeric[j].center : v / weights[j - p.numeric.length])),
  );
}

/** A round number strictly above `below` and at most `above`: "income ≥ 61,000", not 61,234.5. */
export function roundBetween(below: number, above: number): number {
  for (let digits = 1; digits <= 17; digits++) {
    for (const candidate of [Number(above.toPrecision(digits)), Number(((below + above) / 2).toPrecision(digits))]) {
      if (candidate > below && candidate <= above) return candidate;
    }
  }
  return above;
}

/** A path's cuts as conditions, one bound per side of a number and one level test per category kept. */
function conditionsOf(path: { cut: TreeCut; right: boolean }[], columns: RuleColumn[]): RuleCondition[] {
  const lower = new Map<string, number>();
  const upper = new Map<string, number>();
  const equal = new Map<string, string | number>();
  const notEqual = new Map<string, (string | number)[]>();
  for (const { cut, right } of path) {
    const column = columns[cut.column];
    if (column.kind === 'numeric') {
      if (right) lower.set(column.feature, Math.max(lower.get(column.feature) ?? -Infinity, cut.threshold));
      else upper.set(column.feature, Math.min(upper.get(column.feature) ?? Infinity, cut.threshold));
      continue;
    }
    const value = column.kind === 'level' ? column.level : column.value;
    const key = `${column.kind}\u0000${column.feature}`;
    if (right) equal.set(key, value);
    else notEqual.set(key, [...(notEqual.get(key) ?? []), value]);
  }
  const conditions: RuleCondition[] = [];
  for (const [feature, value] of lower) conditions.push({ feature, op: '>=', value });
  for (const [feature, value] of upper) conditions.push({ feature, op: '<', value });
  for (const [key, value] of equal) conditions.push({ feature: key.split('\u0000')[1], op: '=', value });
  for (const [key, values] of notEqual) {
    if (equal.has(key)) continue;
    for (const value of values) conditions.push({ feature: key.split('\u0000')[1], op: '!=', value });
  }
  return conditions;
}

/** Each row's values in the rules' space (filled and clipped as the segmentation reads them), and its segment. */
function rulesSpace(pipeline: FittedPipeline, table: DataTable): { x: Matrix; labels: Int32Array } {
  const p = pipeline.preprocessor;
  const columns = stepColumns(p, table);
  const width = pipeline.centroids[0].length;
  const transformed = new Float64Array(width);
  const raw = new Float64Array(p.numeric.length);
  const centres = byCentres(pipeline);
  // One pass: each kept row's values are written as its segment is found (at most every row).
  const data = new Float64Array(table.rowCount * width);
  const labels = new Int32Array(table.rowCount);
  let kept = 0;
  for (let r = 0; r < table.rowCount; r++) {
    if (!transformTableRow(p, columns, r, transformed, raw)) continue;
    const segment = predictTransformed(centres, transformed).segment;
    if (segment < 0) continue;
    const out = data.subarray(kept * width, (kept + 1) * width);
    // Numbers as filled and clipped, before scaling (the values the SQL compares); levels and flags as 0 or 1.
    out.set(raw);
    for (let j = p.numeric.length; j < width; j++) out[j] = transformed[j] > 0 ? 1 : 0;
    labels[kept++] = segment;
  }
  return { x: createMatrix(kept, width, data.subarray(0, kept * width)), labels: labels.subarray(0, kept) };
}

/**
 * Rules grown to reproduce the segmentation's centres (an adopted set of rules is not regrown:
 * see rule-assign.ts), with their fidelity measured on every customer.
 */
export function segmentRules(pipeline: FittedPipeline, table: DataTable): ModelRules {
  if (pipeline.dbscan) {
    throw new InputError(
      'A DBSCAN segmentation has no centres to describe with rules; save a k-means, mini-batch, Ward or Gaussian mixture one.',
      { field: 'model' },
    );
  }
  const k = pipeline.centroids.length;
  const columns = ruleColumns(pipeline);
  const { x, labels } = rulesSpace(pipeline, table);
  if (x.rows === 0) throw new InputError("The segmentation assigns none of the dataset's customers: there is nothing to describe.");
  const sample = x.rows > TREE_ROWS ? sampleIndices(x.rows, TREE_ROWS, SEED) : Int32Array.from({ length: x.rows }, (_, i) => i);
  const treeX = createMatrix(sample.length, x.cols);
  sample.forEach((r, i) => treeX.data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols));
  const tree = growThresholdTree(
    treeX,
    Int32Array.from(sample, (r) => labels[r]),
    rawCentres(pipeline),
    {
      maxLeaves: 2 * k,
      maxDepth: MAX_CONDITIONS,
      minGain: 0.005,
      between: (_column, below, above) => roundBetween(below, above),
    },
  );
  const leaves = treePaths(tree);
  // Every customer through the tree: the share the rules place in the segmentation's own segment.
  const placed = new Int32Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let node = tree;
    while (!node.leaf) node = x.data[r * x.cols + node.cut.column] >= node.cut.threshold ? node.right : node.left;
    placed[r] = node.label;
  }
  const sizes = new Array<number>(k).fill(0);
  const kept = new Array<number>(k).fill(0);
  for (let r = 0; r < x.rows; r++) {
    sizes[labels[r]]++;
    if (placed[r] === labels[r]) kept[labels[r]]++;
  }
  const ordered = leaves.map((leaf) => {
    const conditions = conditionsOf(leaf.path, columns);
    return { segment: leaf.label, rule: { text: ruleText(conditions), conditions } };
  });
  const segments = pipeline.segmentNames.map((name, index) => ({
    index,
    name,
    share: sizes[index] / x.rows,
    fidelity: sizes[index] ? kept[index] / sizes[index] : 0,
    rules: ordered.filter((o) => o.segment === index).map((o) => o.rule),
  }));
  const fidelity = kept.reduce((a, b) => a + b, 0) / x.rows;
  return { fidelity, leaves: leaves.length, customers: x.rows, segments, ordered, assignedBy: 'centres' };
}

/** "Fidelity 91.2%": how the rules' fit reads beside them. */
export const fidelityText = (fidelity: number): string => `${formatPercent(fidelity)} of customers placed as the segmentation places them`;
