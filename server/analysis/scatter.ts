/** Which customers a scatter plot draws: all when few, else a sample stratified by segment. */
import { sampleIndices } from './random.ts';

/** Browsers draw this many points without lag: beyond it the scatter shows a sample. */
export const SCATTER_MAX_POINTS = 5000;

/**
 * Rows to draw: every row when few, else a seeded sample stratified by segment: each segment
 * keeps its share of the points, and at least 50 (or all it has), so small segments stay
 * visible. The r-th member of a segment is found by counting in one pass over the labels, so
 * a million labels need no per-segment list of members.
 */
export function scatterRows(labels: Int32Array, seed: number, max = SCATTER_MAX_POINTS): Int32Array {
  if (labels.length <= max) return Int32Array.from({ length: labels.length }, (_, i) => i);
  // Per segment (noise, -1, at index 0): its size, then the ranks of its members to draw.
  let top = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > top) top = labels[i];
  const sizes = new Int32Array(top + 2);
  for (let i = 0; i < labels.length; i++) sizes[labels[i] + 1]++;
  const ranks = Array.from(sizes, (size, s) =>
    size === 0 ? new Int32Array(0) : sampleIndices(size, Math.min(size, Math.max(50, Math.round((size / labels.length) * max))), seed + s),
  );
  const next = new Int32Array(sizes.length);
  const seen = new Int32Array(sizes.length);
  const picked: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const s = labels[i] + 1;
    const r = ranks[s];
    if (next[s] < r.length && r[next[s]] === seen[s]) {
      picked.push(i);
      next[s]++;
    }
    seen[s]++;
  }
  return Int32Array.from(picked).sort();
}
