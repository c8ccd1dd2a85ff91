/**
 * DBSCAN as scikit-learn defines it: a point is core when at least minPts points (itself
 * included) lie within eps (inclusive); clusters grow from core points in row order and
 * border points join the first cluster that reaches them; the rest is noise.
 */
import { formatCount } from '../../format.ts';
import { SEED } from '../../defaults.ts';
import { InputError } from '../../errors.ts';
import { stopPoint } from '../progress.ts';
import { createMatrix, selectRows, squaredDistance, type Matrix } from '../matrix.ts';
import { sampleIndices } from '../random.ts';
import { clusterMeans } from './assign.ts';
import { NOISE, type ClusterFit } from './types.ts';

export interface DbscanOptions {
  eps: number;
  minPts: number;
}

export interface DbscanFit extends ClusterFit {
  k: number;
  noiseCount: number;
  /** Core points and their labels: what prediction needs. */
  corePoints: Matrix;
  coreLabels: Int32Array;
}

export function validateDbscan(options: DbscanOptions): void {
  if (!(options.eps > 0) || !Number.isFinite(options.eps)) {
    throw new InputError(`eps must be a positive number; got ${options.eps}.`, { field: 'eps' });
  }
  if (!Number.isInteger(options.minPts) || options.minPts < 1) {
    throw new InputError(`minPts must be a whole number of at least 1; got ${options.minPts}.`, { field: 'minPts' });
  }
}

/**
 * DBSCAN compares every customer with every other and keeps each one's neighbours: work
 * and memory grow with the square of the rows, and with eps. Bounded so one request cannot
 * hold the worker for minutes or run it out of memory (eps 1000 on 20,000 rows took 30 s
 * and 3.8 GB; 50,000 rows ran out of memory).
 */
export const DBSCAN_MAX_ROWS = 20_000;
export const DBSCAN_MAX_NEIGHBOURS = 10_000_000;

function neighbours(x: Matrix, i: number, eps2: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < x.rows; j++) if (squaredDistance(x, i, x, j) <= eps2) out.push(j);
  return out;
}

export function fitDbscan(x: Matrix, options: DbscanOptions): DbscanFit {
  validateDbscan(options);
  const eps2 = options.eps * options.eps;
  const n = x.rows;
  if (n > DBSCAN_MAX_ROWS) {
    throw new InputError(
      `DBSCAN compares every pair of customers, which is too much work for ${formatCount(n)} of them (at most ` +
        `${formatCount(DBSCAN_MAX_ROWS)}); use k-means or mini-batch k-means.`,
      { field: 'algorithm' },
    );
  }
  let held = 0;
  const neighbourLists = Array.from({ length: n }, (_, i) => {
    if (i % 512 === 0) stopPoint();
    const list = neighbours(x, i, eps2);
    held += list.length;
    if (held > DBSCAN_MAX_NEIGHBOURS) {
      throw new InputError(
        `eps ${options.eps} makes most customers neighbours of each other (over ${formatCount(DBSCAN_MAX_NEIGHBOURS)} pairs); choose a ` +
          `smaller eps.`,
        { field: 'eps' },
      );
    }
    return list;
  });
  const isCore = neighbourLists.map((list) => list.length >= options.minPts);
  const labels = new Int32Array(n).fill(NOISE);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== NOISE || !isCore[i]) continue;
    const stack = [i];
    labels[i] = k;
    while (stack.length) {
      const p = stack.pop()!;
      if (!isCore[p]) continue;
      for (const q of neighbourLists[p]) {
        if (labels[q] === NOISE) {
          labels[q] = k;
          stack.push(q);
        }
      }
    }
    k++;
  }
  const coreRows = isCore.flatMap((core, i) => (core ? [i] : []));
  let noiseCount = 0;
  for (let i = 0; i < n; i++) if (labels[i] === NOISE) noiseCount++;
  const notes = [
    `DBSCAN found ${k} segment${k === 1 ? '' : 's'} and ${noiseCount} noise point${noiseCount === 1 ? '' : 's'} (eps ${options.eps}, ` +
      `minPts ${options.minPts}).`,
  ];
  return {
    labels,
    centroids: k > 0 ? clusterMeans(x, labels, k) : createMatrix(0, x.cols),
    k,
    noiseCount,
    corePoints: selectRows(x, coreRows),
    coreLabels: Int32Array.from(coreRows, (r) => labels[r]),
    notes,
  };
}

/** The label of the nearest core point within eps, or NOISE. */
export function predictDbscan(point: ArrayLike<number>, corePoints: Matrix, coreLabels: Int32Array, eps: number): number {
  let best = Infinity;
  let label = NOISE;
  for (let j = 0; j < corePoints.rows; j++) {
    let d = 0;
    for (let c = 0; c < corePoints.cols; c++) d += (point[c] - corePoints.data[j * corePoints.cols + c]) ** 2;
    if (d < best) {
      best = d;
      label = coreLabels[j];
    }
  }
  return best <= eps * eps ? label : NOISE;
}

/**
 * Suggests eps at the knee of the sorted k-distance curve (distance of each point to its
 * minPts-th nearest neighbour, itself counted), computed on at most 2,000 sampled points.
 */
export function suggestEps(x: Matrix, minPts: number, seed = SEED): { eps: number; curve: number[] } {
  const sample = sampleIndices(x.rows, 2000, seed);
  const curve: number[] = [];
  const kth = Math.min(Math.max(minPts, 2), x.rows) - 1;
  for (const i of sample) {
    const d = new Float64Array(x.rows);
    for (let j = 0; j < x.rows; j++) d[j] = squaredDistance(x, i, x, j);
    d.sort();
    curve.push(Math.sqrt(d[kth]));
  }
  curve.sort((a, b) => a - b);
  const first = curve[0];
  const last = curve[curve.length - 1];
  let bestIndex = curve.length - 1;
  let bestGap = -Infinity;
  // Kneedle on an increasing convex curve: furthest below the chord from first to last.
  for (let i = 0; i < curve.length; i++) {
    const xNorm = curve.length > 1 ? i / (curve.length - 1) : 0;
    const yNorm = last > first ? (curve[i] - first) / (last - first) : 0;
    if (xNorm - yNorm > bestGap) {
      bestGap = xNorm - yNorm;
      bestIndex = i;
    }
  }
  const eps = Math.max(Number(curve[bestIndex].toPrecision(3)), 1e-6);
  return { eps, curve };
}
