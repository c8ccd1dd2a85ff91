/** Nearest-centroid assignment and cluster means, shared by every algorithm. */
import { createMatrix, type Matrix } from '../matrix.ts';

export interface Assignment {
  labels: Int32Array;
  /** Sum of squared distances to the assigned centroid. */
  inertia: number;
}

export function assignNearest(x: Matrix, centroids: Matrix): Assignment {
  const labels = new Int32Array(x.rows);
  const { cols } = x;
  const xd = x.data;
  const cd = centroids.data;
  let inertia = 0;
  for (let i = 0; i < x.rows; i++) {
    let best = Infinity;
    let bestK = 0;
    const base = i * cols;
    for (let k = 0; k < centroids.rows; k++) {
      let d = 0;
      const cb = k * cols;
      for (let c = 0; c < cols; c++) {
        const diff = xd[base + c] - cd[cb + c];
        d += diff * diff;
      }
      if (d < best) {
        best = d;
        bestK = k;
      }
    }
    labels[i] = bestK;
    inertia += best;
  }
  return { labels, inertia };
}

/** Mean of each label's rows (labels < 0 are ignored); an empty cluster keeps zeros. */
export function clusterMeans(x: Matrix, labels: Int32Array, k: number): Matrix {
  const means = createMatrix(k, x.cols);
  const counts = new Float64Array(k);
  for (let i = 0; i < x.rows; i++) {
    const l = labels[i];
    if (l < 0) continue;
    counts[l]++;
    for (let c = 0; c < x.cols; c++) means.data[l * x.cols + c] += x.data[i * x.cols + c];
  }
  for (let l = 0; l < k; l++) for (let c = 0; c < x.cols; c++) means.data[l * x.cols + c] /= counts[l] || 1;
  return means;
}

/** Mean per-column variance: scikit-learn scales its k-means tolerance by it. */
export function meanVariance(x: Matrix): number {
  let total = 0;
  for (let c = 0; c < x.cols; c++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < x.rows; i++) {
      const v = x.data[i * x.cols + c];
      s += v;
      s2 += v * v;
    }
    const m = s / x.rows;
    total += s2 / x.rows - m * m;
  }
  return total / (x.cols || 1);
}
