/**
 * Cluster quality with scikit-learn's definitions, for any labels: metrics know nothing of
 * the algorithm. Rows labelled below zero (DBSCAN noise) are left out.
 */
import { SEED } from '../defaults.ts';
import { clusterMeans } from './cluster/assign.ts';
import { ownDistances } from './kernels/cluster-sums.ts';
import { clusterDistanceSums } from './kernels/silhouette.ts';
import { createMatrix, selectRows, squaredDistance, type Matrix } from './matrix.ts';
import { sampleIndices } from './random.ts';
import { stopPoint } from './progress.ts';

export interface ClusterMetrics {
  inertia: number;
  silhouette: number;
  /** True when the silhouette was computed on a sample. */
  silhouetteSampled: boolean;
  daviesBouldin: number;
  calinskiHarabasz: number;
}

/** Silhouette is exact up to this many rows... */
export const SILHOUETTE_EXACT_LIMIT = 10_000;
/**
 * ...and above it estimated on a seeded sample of this many (standard error about 0.005):
 * the exact score is quadratic, and on 10,000 rows alone it takes a second.
 */
export const SILHOUETTE_SAMPLE = 5_000;

function withoutNoise(x: Matrix, labels: Int32Array): { x: Matrix; labels: Int32Array } {
  let noise = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] < 0) noise++;
  if (noise === 0) return { x, labels };
  const keep: number[] = [];
  labels.forEach((l, i) => l >= 0 && keep.push(i));
  return { x: selectRows(x, keep), labels: Int32Array.from(keep, (i) => labels[i]) };
}

function labelCount(labels: Int32Array): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max + 1;
}

export function clusterSizes(labels: Int32Array, k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  // Indexed loops over labels: the iterator costs 20 ms a pass on a million rows.
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) sizes[labels[i]]++;
  return sizes;
}

/** Mean of (b - a) / max(a, b) from each row's summed distances to every cluster (sums[l * n + i]). */
function meanSilhouette(sums: Float64Array, labels: Int32Array, sizes: number[], k: number): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i];
    if (sizes[li] <= 1) continue;
    const a = sums[li * n + i] / (sizes[li] - 1);
    let b = Infinity;
    for (let l = 0; l < k; l++) if (l !== li && sizes[l] > 0) b = Math.min(b, sums[l * n + i] / sizes[l]);
    const denom = Math.max(a, b);
    total += denom > 0 ? (b - a) / denom : 0;
  }
  return total / n;
}

/**
 * Mean silhouette over all rows (Euclidean), as scikit-learn's silhouette_score; 0 for
 * singletons. The rows are regrouped by cluster, so each row meets every cluster as one
 * contiguous block; the pair loop over them, the whole cost of the score, runs in
 * WebAssembly (kernels/silhouette.wat).
 */
export function silhouette(x: Matrix, labels: Int32Array): number {
  const clean = withoutNoise(x, labels);
  const n = clean.x.rows;
  const k = labelCount(clean.labels);
  if (k < 2) return Number.NaN;
  const sizes = clusterSizes(clean.labels, k);
  const start = new Int32Array(k + 1);
  for (let l = 0; l < k; l++) start[l + 1] = start[l] + sizes[l];
  const order = new Int32Array(n);
  const fill = start.slice(0, k);
  for (let i = 0; i < n; i++) order[fill[clean.labels[i]]++] = i;
  const groupedLabels = new Int32Array(n);
  for (let l = 0; l < k; l++) groupedLabels.fill(l, start[l], start[l + 1]);
  return meanSilhouette(clusterDistanceSums(clean.x, order, start), groupedLabels, sizes, k);
}

/** Silhouette, exact up to SILHOUETTE_EXACT_LIMIT rows and on a seeded sample above. */
export function silhouetteScore(x: Matrix, labels: Int32Array, seed = SEED): { value: number; sampled: boolean } {
  if (x.rows <= SILHOUETTE_EXACT_LIMIT) return { value: silhouette(x, labels), sampled: false };
  const sample = sampleIndices(x.rows, SILHOUETTE_SAMPLE, seed);
  return {
    value: silhouette(
      selectRows(x, sample),
      Int32Array.from(sample, (i) => labels[i]),
    ),
    sampled: true,
  };
}

/** Davies-Bouldin from the cluster means and each cluster's summed distance to its mean. */
function daviesBouldinOf(centers: Matrix, scatterSums: Float64Array, sizes: number[]): number {
  const k = centers.rows;
  const scatter = scatterSums.map((s, l) => s / (sizes[l] || 1));
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

/** A sample of rows to score the silhouette on instead of silhouetteScore's: a sweep scores every k on the same one. */
export type SilhouetteSource = { sample: Matrix; rows: Int32Array };

export function computeMetrics(x: Matrix, labels: Int32Array, seed = SEED, source?: SilhouetteSource): ClusterMetrics {
  let sil: { value: number; sampled: boolean };
  if (!source) sil = silhouetteScore(x, labels, seed);
  else
    sil = {
      value: silhouette(
        source.sample,
        Int32Array.from(source.rows, (i) => labels[i]),
      ),
      sampled: true,
    };
  // Each part is 20 to 30 ms on a million rows: work told to make room stops between them.
  stopPoint();
  return { ...centreScores(x, labels), silhouette: sil.value, silhouetteSampled: sil.sampled };
}

/**
 * Inertia (summed squared distance to the cluster's mean), Davies-Bouldin (mean over
 * clusters of the worst (s_i + s_j) / d(c_i, c_j), lower is better) and Calinski-Harabasz
 * (between- over within-cluster dispersion, scaled by (n - k) / (k - 1)), as scikit-learn
 * defines them, from one set of cluster means and one pass of distances to them: on a
 * million customers a pass of its own for each took 150 ms apiece.
 */
export function centreScores(x: Matrix, labels: Int32Array): Pick<ClusterMetrics, 'inertia' | 'daviesBouldin' | 'calinskiHarabasz'> {
  const clean = withoutNoise(x, labels);
  const n = clean.x.rows;
  const k = labelCount(clean.labels);
  const centers = clusterMeans(clean.x, clean.labels, k);
  const sizes = clusterSizes(clean.labels, k);
  const { within, scatter } = ownDistances(clean.x, clean.labels, centers);
  if (k < 2) return { inertia: within, daviesBouldin: Number.NaN, calinskiHarabasz: Number.NaN };
  // The overall mean from the cluster means and sizes: a second pass over every row cost 40 ms
  // a million rows for the same figure (to rounding).
  const overall = createMatrix(1, clean.x.cols);
  for (let l = 0; l < k; l++) for (let c = 0; c < clean.x.cols; c++) overall.data[c] += (sizes[l] * centers.data[l * clean.x.cols + c]) / n;
  let between = 0;
  for (let l = 0; l < k; l++) between += sizes[l] * squaredDistance(centers, l, overall, 0);
  const calinski = n <= k ? Number.NaN : within === 0 ? 1 : (between * (n - k)) / (within * (k - 1));
  return { inertia: within, daviesBouldin: daviesBouldinOf(centers, scatter, sizes), calinskiHarabasz: calinski };
}

/** Adjusted Rand index between two labelings of the same rows (Hubert and Arabie). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error('labelings differ in length');
  const n = a.length;
  // Labels are small integers (noise is -1): a dense contingency table, not a map of pairs.
  let minA = Infinity,
    maxA = -Infinity,
    minB = Infinity,
    maxB = -Infinity;
  for (let i = 0; i < n; i++) {
    if (a[i] < minA) minA = a[i];
    if (a[i] > maxA) maxA = a[i];
    if (b[i] < minB) minB = b[i];
    if (b[i] > maxB) maxB = b[i];
  }
  const pairs = (m: number) => (m * (m - 1)) / 2;
  if (n === 0) return 1;
  const rowsOfA = maxA - minA + 1;
  const colsOfB = maxB - minB + 1;
  if (!Number.isInteger(minA + minB + maxA + maxB) || rowsOfA * colsOfB > 1e7) throw new Error('labels must be small integers');
  const contingency = new Float64Array(rowsOfA * colsOfB);
  for (let i = 0; i < n; i++) contingency[(a[i] - minA) * colsOfB + (b[i] - minB)]++;
  let index = 0;
  let sumA = 0;
  const colSums = new Float64Array(colsOfB);
  for (let r = 0; r < rowsOfA; r++) {
    let rowSum = 0;
    for (let c = 0; c < colsOfB; c++) {
      const v = contingency[r * colsOfB + c];
      index += pairs(v);
      rowSum += v;
      colSums[c] += v;
    }
    sumA += pairs(rowSum);
  }
  let sumB = 0;
  for (const v of colSums) sumB += pairs(v);
  const expected = (sumA * sumB) / pairs(n);
  const max = (sumA + sumB) / 2;
  // Both labelings put everything in one cluster or each row alone: identical partitions.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
