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
  // Segments in order of first appearance (noise is -1), with their sizes.
  const sizes = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) sizes.set(labels[i], (sizes.get(labels[i]) ?? 0) + 1);
  const wanted = new Map<number, { ranks: Int32Array; next: number; seen: number }>();
  for (const [segment, size] of sizes) {
    const quota = Math.min(size, Math.max(50, Math.round((size / labels.length) * max)));
    wanted.set(segment, { ranks: sampleIndices(size, quota, seed + segment + 1), next: 0, seen: 0 });
  }
  const picked: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const w = wanted.get(labels[i])!;
    if (w.next < w.ranks.length && w.ranks[w.next] === w.seen) {
      picked.push(i);
      w.next++;
    }
    w.seen++;
  }
  return Int32Array.from(picked).sort();
}
