/**
 * Hartigan's single-point moves after Lloyd: move a row to another cluster whenever that
 * lowers the total inertia, accounting for both centroids shifting. Lloyd stops at points
 * where such moves still help; this escapes them, so each restart lands lower.
 */
import type { Matrix } from '../matrix.ts';
import { nearestTwo, type NearestTwo } from './assign.ts';

export interface RefinedClusters {
  labels: Int32Array;
  centroids: Matrix;
  moves: number;
}

export function hartiganRefine(x: Matrix, labels: Int32Array, centroids: Matrix, maxPasses = 20): RefinedClusters {
  const k = centroids.rows;
  const cols = x.cols;
  const c = Float64Array.from(centroids.data);
  const out = Int32Array.from(labels);
  const sizes = new Float64Array(k);
  for (const l of out) sizes[l]++;
  // Recompute exact means: the centroids passed in may predate the final assignment.
  c.fill(0);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < cols; j++) c[out[i] * cols + j] += x.data[i * cols + j];
  for (let l = 0; l < k; l++) for (let j = 0; j < cols; j++) c[l * cols + j] /= sizes[l] || 1;
  let moves = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    let movedThisPass = 0;
    for (let i = 0; i < x.rows; i++) {
      const from = out[i];
      if (sizes[from] <= 1) continue;
      const base = i * cols;
      let dFrom = 0;
      for (let j = 0; j < cols; j++) dFrom += (x.data[base + j] - c[from * cols + j]) ** 2;
      const removeGain = (sizes[from] / (sizes[from] - 1)) * dFrom;
      let bestCost = removeGain;
      let to = from;
      for (let l = 0; l < k; l++) {
        if (l === from) continue;
        let d = 0;
        for (let j = 0; j < cols; j++) d += (x.data[base + j] - c[l * cols + j]) ** 2;
        const addCost = (sizes[l] / (sizes[l] + 1)) * d;
        // A small margin keeps float noise from moving points back and forth.
        if (addCost < bestCost * (1 - 1e-12)) {
          bestCost = addCost;
          to = l;
        }
      }
      if (to === from) continue;
      for (let j = 0; j < cols; j++) {
        const v = x.data[base + j];
        c[from * cols + j] += (c[from * cols + j] - v) / (sizes[from] - 1);
        c[to * cols + j] += (v - c[to * cols + j]) / (sizes[to] + 1);
      }
      sizes[from]--;
      sizes[to]++;
      out[i] = to;
      movedThisPass++;
    }
    moves += movedThisPass;
    if (movedThisPass === 0) break;
  }
  return { labels: out, centroids: { data: c, rows: k, cols }, moves };
}

export interface SwapCandidate {
  /** Which centroid to replace, and by which row. */
  centroid: number;
  row: number;
  /** Inertia right after the swap, before any Lloyd step. */
  inertia: number;
}

/**
 * One local-search step of k-means++ with local search (Lattanzi and Sohler, 2019): draw a
 * row with probability proportional to its squared distance to the nearest centroid, and
 * find the centroid whose replacement by that row lowers inertia most. O(n k d).
 */
export function bestSwap(x: Matrix, centroids: Matrix, rng: () => number): SwapCandidate {
  const k = centroids.rows;
  const cols = x.cols;
  const best1 = new Float64Array(x.rows);
  const best2 = new Float64Array(x.rows);
  const nearest = new Int32Array(x.rows);
  let total = 0;
  const near: NearestTwo = { index: 0, best: 0, second: 0 };
  for (let i = 0; i < x.rows; i++) {
    nearestTwo(x.data, i * cols, centroids.data, k, cols, near);
    best1[i] = near.best;
    best2[i] = near.second;
    nearest[i] = near.index;
    total += near.best;
  }
  let target = rng() * total;
  let row = x.rows - 1;
  for (let i = 0; i < x.rows; i++) {
    target -= best1[i];
    if (target <= 0) {
      row = i;
      break;
    }
  }
  // Cost with centroid l replaced by `row`: every row keeps min(d(row), its best centroid
  // other than l); only rows whose nearest is l fall back to their second best.
  let common = 0;
  const extra = new Float64Array(k);
  for (let i = 0; i < x.rows; i++) {
    let dp = 0;
    for (let j = 0; j < cols; j++) dp += (x.data[i * cols + j] - x.data[row * cols + j]) ** 2;
    const keep = Math.min(dp, best1[i]);
    common += keep;
    extra[nearest[i]] += Math.min(dp, best2[i]) - keep;
  }
  let centroid = 0;
  for (let l = 1; l < k; l++) if (extra[l] < extra[centroid]) centroid = l;
  return { centroid, row, inertia: common + extra[centroid] };
}
