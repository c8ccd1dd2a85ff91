/**
 * A threshold tree that reproduces a clustering's assignment with axis-aligned cuts, each
 * leaf a readable rule. First IMM (Dasgupta, Frost, Moshkovitz and Rashtchian, "Explainable
 * k-Means and k-Medians Clustering", ICML 2020): k leaves, each cut chosen to separate the
 * node's centres while sending the fewest points away from their own centre. Then leaves
 * are added as ExKMC does (Frost, Moshkovitz and Rashtchian, 2020) while a cut still places
 * enough customers back in their own segment. Leaves are labelled by the segment most of
 * their points belong to.
 */
import type { Matrix } from './matrix.ts';

export interface TreeCut {
  column: number;
  /** Points with a value at or above go right, below go left. */
  threshold: number;
}

export type ThresholdTree =
  { leaf: true; label: number; size: number } | { leaf: false; cut: TreeCut; left: ThresholdTree; right: ThresholdTree };

export interface TreeOptions {
  /** Leaves at the most; IMM's k leaves are always grown. */
  maxLeaves: number;
  /** Cuts on one path at the most, for the extra (ExKMC) leaves. */
  maxDepth: number;
  /** An extra leaf must place at least this share of the points back in their own segment. */
  minGain: number;
  /**
   * Where a cut may fall between two neighbouring values: their midpoint by default; the
   * caller may choose a rounder number strictly between them (a threshold people read).
   */
  between?: (column: number, below: number, above: number) => number;
}

/** The tree over `x` whose leaves reproduce `labels`, centres[c] the point segment c was built around. */
export function growThresholdTree(
  x: Matrix,
  labels: Int32Array,
  centres: readonly (readonly number[])[],
  options: TreeOptions,
): ThresholdTree {
  const between = options.between ?? ((_c: number, below: number, above: number) => (below + above) / 2);
  const all = Int32Array.from({ length: x.rows }, (_, i) => i);
  const present = [...new Set(labels)].filter((l) => l >= 0).sort((a, b) => a - b);
  let tree = imm(x, labels, centres, all, present, between);
  for (let leaves = countLeaves(tree); leaves < options.maxLeaves; leaves++) {
    const grown = growOneLeaf(x, labels, tree, options, between);
    if (!grown) break;
    tree = grown;
  }
  return tree;
}

export function countLeaves(tree: ThresholdTree): number {
  return tree.leaf ? 1 : countLeaves(tree.left) + countLeaves(tree.right);
}

/** Each leaf with the cuts on its path, in order from the root (`right`: the point is at or above). */
export function treePaths(
  tree: ThresholdTree,
  path: { cut: TreeCut; right: boolean }[] = [],
): { label: number; size: number; path: { cut: TreeCut; right: boolean }[] }[] {
  if (tree.leaf) return [{ label: tree.label, size: tree.size, path }];
  return [
    ...treePaths(tree.left, [...path, { cut: tree.cut, right: false }]),
    ...treePaths(tree.right, [...path, { cut: tree.cut, right: true }]),
  ];
}

function majority(labels: Int32Array, rows: Int32Array, fallback: number): number {
  const counts = new Map<number, number>();
  for (const r of rows) if (labels[r] >= 0) counts.set(labels[r], (counts.get(labels[r]) ?? 0) + 1);
  let best = fallback;
  let bestCount = 0;
  for (const [label, count] of counts) if (count > bestCount || (count === bestCount && label < best)) [best, bestCount] = [label, count];
  return best;
}

function leafOf(labels: Int32Array, rows: Int32Array, fallback: number): ThresholdTree {
  return { leaf: true, label: majority(labels, rows, fallback), size: rows.length };
}

function split(x: Matrix, rows: Int32Array, cut: TreeCut): [Int32Array, Int32Array] {
  const left: number[] = [];
  const right: number[] = [];
  for (const r of rows) (x.data[r * x.cols + cut.column] >= cut.threshold ? right : left).push(r);
  return [Int32Array.from(left), Int32Array.from(right)];
}

/** IMM: cut until each leaf holds one centre, each cut the one that separates the fewest points from their centres. */
function imm(
  x: Matrix,
  labels: Int32Array,
  centres: readonly (readonly number[])[],
  rows: Int32Array,
  ids: number[],
  between: NonNullable<TreeOptions['between']>,
): ThresholdTree {
  if (ids.length <= 1) return leafOf(labels, rows, ids[0] ?? 0);
  const own = new Set(ids);
  let best: { cut: TreeCut; mistakes: number; balance: number } | undefined;
  for (let column = 0; column < x.cols; column++) {
    const centreValues = ids.map((id) => centres[id][column]);
    const low = Math.min(...centreValues);
    const high = Math.max(...centreValues);
    if (!(high > low)) continue;
    // A point is separated from its centre where the cut falls between the two: count, for
    // each gap between neighbouring values, the intervals [min(x, c), max(x, c)) that hold it.
    const events: [number, number][] = [];
    const values: number[] = [];
    for (const r of rows) {
      const v = x.data[r * x.cols + column];
      values.push(v);
      if (!own.has(labels[r])) continue;
      const c = centres[labels[r]][column];
      if (v !== c) events.push([Math.min(v, c), 1], [Math.max(v, c), -1]);
    }
    for (const c of centreValues) values.push(c);
    values.sort((a, b) => a - b);
    events.sort((a, b) => a[0] - b[0]);
    let open = 0;
    let e = 0;
    for (let i = 0; i + 1 < values.length; i++) {
      if (values[i] === values[i + 1]) continue;
      while (e < events.length && events[e][0] <= values[i]) open += events[e++][1];
      const threshold = between(column, values[i], values[i + 1]);
      if (!(threshold > low && threshold <= high)) continue;
      const rightCentres = centreValues.filter((c) => c >= threshold).length;
      const balance = Math.abs(2 * rightCentres - ids.length);
      if (!best || open < best.mistakes || (open === best.mistakes && balance < best.balance))
        best = { cut: { column, threshold }, mistakes: open, balance };
    }
  }
  if (!best) return leafOf(labels, rows, ids[0]);
  const [left, right] = split(x, rows, best.cut);
  const leftIds = ids.filter((id) => centres[id][best.cut.column] < best.cut.threshold);
  const rightIds = ids.filter((id) => centres[id][best.cut.column] >= best.cut.threshold);
  return {
    leaf: false,
    cut: best.cut,
    left: imm(x, labels, centres, left, leftIds, between),
    right: imm(x, labels, centres, right, rightIds, between),
  };
}

/** The rows that reach each leaf, and its depth. */
function leavesWithRows(
  x: Matrix,
  tree: ThresholdTree,
  rows: Int32Array,
  depth = 0,
): { node: ThresholdTree & { leaf: true }; rows: Int32Array; depth: number }[] {
  if (tree.leaf) return [{ node: tree, rows, depth }];
  const [left, right] = split(x, rows, tree.cut);
  return [...leavesWithRows(x, tree.left, left, depth + 1), ...leavesWithRows(x, tree.right, right, depth + 1)];
}

/** ExKMC's step: the one cut of one leaf that places the most points back in their own segment. */
function growOneLeaf(
  x: Matrix,
  labels: Int32Array,
  tree: ThresholdTree,
  options: TreeOptions,
  between: NonNullable<TreeOptions['between']>,
): ThresholdTree | undefined {
  const all = Int32Array.from({ length: x.rows }, (_, i) => i);
  let best: { leaf: ThresholdTree; cut: TreeCut; gain: number; rows: Int32Array } | undefined;
  for (const { node, rows, depth } of leavesWithRows(x, tree, all)) {
    if (depth >= options.maxDepth || rows.length < 2) continue;
    const correct = rows.reduce((n, r) => n + (labels[r] === node.label ? 1 : 0), 0);
    const found = bestGainCut(x, labels, rows, between);
    if (found && found.correct - correct > (best?.gain ?? options.minGain * x.rows))
      best = { leaf: node, cut: found.cut, gain: found.correct - correct, rows };
  }
  if (!best) return undefined;
  const chosen = best;
  const [left, right] = split(x, chosen.rows, chosen.cut);
  const replacement: ThresholdTree = {
    leaf: false,
    cut: chosen.cut,
    left: leafOf(labels, left, chosen.leaf.leaf ? chosen.leaf.label : 0),
    right: leafOf(labels, right, chosen.leaf.leaf ? chosen.leaf.label : 0),
  };
  const replace = (t: ThresholdTree): ThresholdTree =>
    t === chosen.leaf ? replacement : t.leaf ? t : { ...t, left: replace(t.left), right: replace(t.right) };
  return replace(tree);
}

/** The cut of these rows after which the two sides' majorities hold the most points. */
function bestGainCut(
  x: Matrix,
  labels: Int32Array,
  rows: Int32Array,
  between: NonNullable<TreeOptions['between']>,
): { cut: TreeCut; correct: number } | undefined {
  const k = Math.max(0, ...rows.map((r) => labels[r])) + 1;
  let best: { cut: TreeCut; correct: number } | undefined;
  for (let column = 0; column < x.cols; column++) {
    const order = [...rows].sort((a, b) => x.data[a * x.cols + column] - x.data[b * x.cols + column]);
    const right = new Int32Array(k);
    const left = new Int32Array(k);
    for (const r of order) if (labels[r] >= 0) right[labels[r]]++;
    for (let i = 0; i + 1 < order.length; i++) {
      const l = labels[order[i]];
      if (l >= 0) {
        left[l]++;
        right[l]--;
      }
      const below = x.data[order[i] * x.cols + column];
      const above = x.data[order[i + 1] * x.cols + column];
      if (below === above) continue;
      const correct = Math.max(...left) + Math.max(...right);
      if (!best || correct > best.correct) best = { cut: { column, threshold: between(column, below, above) }, correct };
    }
  }
  return best;
}
