/**
 * Cluster quality with scikit-learn's definitions, for any labels: metrics know nothing of
 * the algorithm. Rows labelled below zero (DBSCAN noise) are left out.
 */
import { clusterMeans } from './cluster/assign.ts';
import { selectRows, squaredDistance, type Matrix } from './matrix.ts';
import { sampleIndices } from './random.ts';

export interface ClusterMetrics {
  inertia: number;
  silhouette: number;
  /** True when the silhouette was computed on a sample. */
  silhouetteSampled: boolean;
  daviesBouldin: number;
  calinskiHarabasz: number;
}

/** Silhouette is exact up to this many rows, then estimated on a seeded sample of this size. */
export const SILHOUETTE_EXACT_LIMIT = 10_000;

function withoutNoise(x: Matrix, labels: Int32Array): { x: Matrix; labels: Int32Array } {
  let noise = 0;
  for (const l of labels) if (l < 0) noise++;
  if (noise === 0) return { x, labels };
  const keep: number[] = [];
  labels.forEach((l, i) => l >= 0 && keep.push(i));
  return { x: selectRows(x, keep), labels: Int32Array.from(keep, (i) => labels[i]) };
}

function labelCount(labels: Int32Array): number {
  let max = -1;
  for (const l of labels) if (l > max) max = l;
  return max + 1;
}

export function clusterSizes(labels: Int32Array, k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) if (l >= 0) sizes[l]++;
  return sizes;
}

/** Sum of squared Euclidean distances of each row to its cluster's mean. */
export function inertia(x: Matrix, labels: Int32Array, centroids?: Matrix): number {
  const clean = withoutNoise(x, labels);
  const centers = centroids ?? clusterMeans(clean.x, clean.labels, labelCount(clean.labels));
  let sum = 0;
  for (let i = 0; i < clean.x.rows; i++) sum += squaredDistance(clean.x, i, centers, clean.labels[i]);
  return sum;
}

/** Mean of (b - a) / max(a, b) from each row's summed distances to every cluster. */
function meanSilhouette(sums: Float64Array, labels: Int32Array, sizes: number[], k: number): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i];
    if (sizes[li] <= 1) continue;
    const a = sums[i * k + li] / (sizes[li] - 1);
    let b = Infinity;
    for (let l = 0; l < k; l++) if (l !== li && sizes[l] > 0) b = Math.min(b, sums[i * k + l] / sizes[l]);
    const denom = Math.max(a, b);
    total += denom > 0 ? (b - a) / denom : 0;
  }
  return total / n;
}

/** Mean silhouette over all rows (Euclidean), as scikit-learn's silhouette_score; 0 for singletons. */
export function silhouette(x: Matrix, labels: Int32Array): number {
  const clean = withoutNoise(x, labels);
  const n = clean.x.rows;
  const k = labelCount(clean.labels);
  if (k < 2) return Number.NaN;
  const sizes = clusterSizes(clean.labels, k);
  // Sum of distances from each row to each cluster, filled pairwise once.
  const sums = new Float64Array(n * k);
  const xd = clean.x.data;
  const cols = clean.x.cols;
  for (let i = 0; i < n; i++) {
    const li = clean.labels[i];
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      for (let c = 0, p = i * cols, q = j * cols; c < cols; c++, p++, q++) {
        const diff = xd[p] - xd[q];
        d += diff * diff;
      }
      d = Math.sqrt(d);
      sums[i * k + clean.labels[j]] += d;
      sums[j * k + li] += d;
    }
  }
  return meanSilhouette(sums, clean.labels, sizes, k);
}

/** Condensed pairwise Euclidean distances (i < j, row by row): shared by a sweep's silhouettes. */
export function pairwiseDistances(x: Matrix): Float64Array {
  const n = x.rows;
  const cols = x.cols;
  const xd = x.data;
  const out = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      for (let c = 0, a = i * cols, b = j * cols; c < cols; c++, a++, b++) {
        const diff = xd[a] - xd[b];
        d += diff * diff;
      }
      out[p++] = Math.sqrt(d);
    }
  }
  return out;
}

/** The silhouette from precomputed distances (no noise labels); equal to silhouette(). */
export function silhouetteFromDistances(distances: Float64Array, labels: Int32Array): number {
  const n = labels.length;
  const k = labelCount(labels);
  if (k < 2) return Number.NaN;
  const sizes = clusterSizes(labels, k);
  const sums = new Float64Array(n * k);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i];
    for (let j = i + 1; j < n; j++) {
      const d = distances[p++];
      sums[i * k + labels[j]] += d;
      sums[j * k + li] += d;
    }
  }
  return meanSilhouette(sums, labels, sizes, k);
}

/** Silhouette, exact up to SILHOUETTE_EXACT_LIMIT rows and on a seeded sample above. */
export function silhouetteScore(x: Matrix, labels: Int32Array, seed = 42): { value: number; sampled: boolean } {
  if (x.rows <= SILHOUETTE_EXACT_LIMIT) return { value: silhouette(x, labels), sampled: false };
  const sample = sampleIndices(x.rows, SILHOUETTE_EXACT_LIMIT, seed);
  return { value: silhouette(selectRows(x, sample), Int32Array.from(sample, (i) => labels[i])), sampled: true };
}

/** Davies-Bouldin index: mean over clusters of the worst (s_i + s_j) / d(c_i, c_j). Lower is better. */
export function daviesBouldin(x: Matrix, labels: Int32Array): number {
  const clean = withoutNoise(x, labels);
  const k = labelCount(clean.labels);
  if (k < 2) return Number.NaN;
  const centers = clusterMeans(clean.x, clean.labels, k);
  const sizes = clusterSizes(clean.labels, k);
  const scatter = new Float64Array(k);
  for (let i = 0; i < clean.x.rows; i++) scatter[clean.labels[i]] += Math.sqrt(squaredDistance(clean.x, i, centers, clean.labels[i]));
  for (let l = 0; l < k; l++) scatter[l] /= sizes[l] || 1;
  let total = 0;
  for (let i = 0; i < k; i++) {
    let worst = 0;
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const separation = Math.sqrt(squaredDistance(centers, i, centers, j));
      // scikit-learn treats coincident centres as an infinite score, replaced by 0.
      const score = separation > 0 ? (scatter[i] + scatter[j]) / separation : 0;
      if (score > worst) worst = score;
    }
    total += worst;
  }
  return total / k;
}

/** Calinski-Harabasz: between-cluster over within-cluster dispersion, scaled by (n-k)/(k-1). */
export function calinskiHarabasz(x: Matrix, labels: Int32Array): number {
  const clean = withoutNoise(x, labels);
  const n = clean.x.rows;
  const k = labelCount(clean.labels);
  if (k < 2 || n <= k) return Number.NaN;
  const centers = clusterMeans(clean.x, clean.labels, k);
  const sizes = clusterSizes(clean.labels, k);
  const overall = clusterMeans(clean.x, new Int32Array(n), 1);
  let between = 0;
  for (let l = 0; l < k; l++) between += sizes[l] * squaredDistance(centers, l, overall, 0);
  let within = 0;
  for (let i = 0; i < n; i++) within += squaredDistance(clean.x, i, centers, clean.labels[i]);
  return within === 0 ? 1 : (between * (n - k)) / (within * (k - 1));
}

export function computeMetrics(x: Matrix, labels: Int32Array, seed = 42, distances?: Float64Array): ClusterMetrics {
  const sil = distances ? { value: silhouetteFromDistances(distances, labels), sampled: false } : silhouetteScore(x, labels, seed);
  return {
    inertia: inertia(x, labels),
    silhouette: sil.value,
    silhouetteSampled: sil.sampled,
    daviesBouldin: daviesBouldin(x, labels),
    calinskiHarabasz: calinskiHarabasz(x, labels),
  };
}

/** Adjusted Rand index between two labelings of the same rows (Hubert and Arabie). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error('labelings differ in length');
  const n = a.length;
  const contingency = new Map<string, number>();
  const rowsA = new Map<number, number>();
  const colsB = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    contingency.set(key, (contingency.get(key) ?? 0) + 1);
    rowsA.set(a[i], (rowsA.get(a[i]) ?? 0) + 1);
    colsB.set(b[i], (colsB.get(b[i]) ?? 0) + 1);
  }
  const pairs = (m: number) => (m * (m - 1)) / 2;
  let index = 0;
  for (const v of contingency.values()) index += pairs(v);
  let sumA = 0;
  for (const v of rowsA.values()) sumA += pairs(v);
  let sumB = 0;
  for (const v of colsB.values()) sumB += pairs(v);
  const expected = (sumA * sumB) / pairs(n);
  const max = (sumA + sumB) / 2;
  // Both labelings put everything in one cluster or each row alone: identical partitions.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
