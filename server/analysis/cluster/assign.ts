/** Nearest-centroid assignment and cluster means, shared by every algorithm. */
import { clusterSums } from '../kernels/cluster-sums.ts';
import { nearestCentres } from '../kernels/nearest.ts';
import { createMatrix, type Matrix } from '../matrix.ts';

export interface Assignment {
  labels: Int32Array;
  /** Sum of squared distances to the assigned centroid. */
  inertia: number;
}

/** Where a row stands against the centres: the nearest, its squared distance, and the runner-up's. */
export interface NearestTwo {
  index: number;
  best: number;
  second: number;
}

/** Fills `out` for the row starting at `base` in `data`: one pass over the k centres. */
export function nearestTwo(data: Float64Array, base: number, centers: Float64Array, k: number, d: number, out: NearestTwo): void {
  let best = Infinity;
  let second = Infinity;
  let index = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const cb = c * d;
    for (let j = 0; j < d; j++) {
      const diff = data[base + j] - centers[cb + j];
      s += diff * diff;
    }
    if (s < best) {
      second = best;
      best = s;
      index = c;
    } else if (s < second) second = s;
  }
  out.index = index;
  out.best = best;
  out.second = second;
}

/** Every row's nearest centroid (lowest index on ties), through the nearest kernel (kernels/nearest.wat). */
export function assignNearest(x: Matrix, centroids: Matrix): Assignment {
  const labels = new Int32Array(x.rows);
  const inertia = nearestCentres(x, centroids, { labels });
  return { labels, inertia };
}

/** Mean of each label's rows (labels < 0 are ignored); an empty cluster keeps zeros. */
export function clusterMeans(x: Matrix, labels: Int32Array, k: number): Matrix {
  const { sums, counts } = clusterSums(x, labels, k);
  for (let l = 0; l < k; l++) for (let c = 0; c < x.cols; c++) sums[l * x.cols + c] /= counts[l] || 1;
  return createMatrix(k, x.cols, sums);
}

/** Mean per-column variance: scikit-learn scales its k-means tolerance by it. One pass in row order. */
export function meanVariance(x: Matrix): number {
  const { rows, cols: d, data } = x;
  const s = new Float64Array(d);
  const s2 = new Float64Array(d);
  for (let i = 0, at = 0; i < rows; i++) {
    for (let c = 0; c < d; c++, at++) {
      const v = data[at];
      s[c] += v;
      s2[c] += v * v;
    }
  }
  let total = 0;
  for (let c = 0; c < d; c++) {
    const m = s[c] / rows;
    total += s2[c] / rows - m * m;
  }
  return total / (d || 1);
}
