/**
 * Lloyd's k-means iterations over a flat Float64Array. Large matrices use Hamerly's bounds:
 * each row keeps an upper bound on the distance to its centre and a lower bound on the
 * distance to the second closest, and is only re-examined when the bounds overlap. Small ones
 * (the restarts, the sample, the lineage's references) assign every row each iteration in the
 * nearest kernel, which also sums each centre's rows. Same fixed point as plain Lloyd
 * (ml-kmeans stays the reference in the tests).
 */
import { createMatrix, squaredDistance, type Matrix } from '../matrix.ts';
import { stopPoint } from '../progress.ts';
import { nearestCentres } from '../kernels/nearest.ts';
import { nearestTwo, type NearestTwo } from './assign.ts';

/** How far beyond rounding the bounds must prove a label before the last pass keeps it. */
const SETTLE_MARGIN = 1e-9;

export interface LloydOptions {
  maxIterations: number;
  /** Stop when the total squared centre shift falls to this (absolute) value. */
  tolerance: number;
  /** The sum of the squares of x's values, when known (a big matrix's inertia is worked out from it). */
  sumOfSquares?: number;
}

export interface LloydResult {
  /** Each row's nearest centre among `centroids` (lowest index on ties), as assignNearest. */
  labels: Int32Array;
  centroids: Matrix;
  iterations: number;
  /** Summed squared distance of the rows to their centres (above PLAIN_LLOYD_ROWS from the centres' sums, to about 1e-12). */
  inertia: number;
}

/** Lloyd's iterations from the given centres until the centres move less than the tolerance. */
export function lloyd(x: Matrix, init: Matrix, options: LloydOptions): LloydResult {
  return x.rows <= PLAIN_LLOYD_ROWS ? plainLloyd(x, init, options) : boundedLloyd(x, init, options);
}

/**
 * Up to this many rows a whole assignment pass in the nearest kernel (WebAssembly, SIMD) costs
 * less than the bounds' bookkeeping in JavaScript saves: on the 2,400-row sample a restart took
 * half the time. Above it, the bounds skip most rows after the first few iterations.
 */
export const PLAIN_LLOYD_ROWS = 20_000;

/** Lloyd's iterations with every row assigned again each time, by the nearest kernel. */
function plainLloyd(x: Matrix, init: Matrix, options: LloydOptions): LloydResult {
  const { rows: n, cols: d } = x;
  const k = init.rows;
  const centroids = createMatrix(k, d, Float64Array.from(init.data));
  const centers = centroids.data;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let labels = new Int32Array(n);
  let next = new Int32Array(n);
  let inertia = nearestCentres(x, centroids, { labels, sums, counts });
  let iterations = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    stopPoint();
    // Move each centre to the mean of its rows (an empty cluster keeps its centre).
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let j = 0; j < d; j++) {
        const mean = sums[c * d + j] / counts[c];
        shift += (mean - centers[c * d + j]) ** 2;
        centers[c * d + j] = mean;
      }
    }
    // Every label is its row's nearest centre when the loop ends, as assignNearest gives it.
    inertia = nearestCentres(x, centroids, { labels: next, sums, counts });
    let changed = 0;
    for (let i = 0; i < n; i++) if (next[i] !== labels[i]) changed++;
    [labels, next] = [next, labels];
    if (shift <= options.tolerance || changed === 0) break;
  }
  return { labels, centroids, iterations, inertia };
}

/**
 * Lloyd's iterations with Hamerly's bounds (see the file's comment). Long on purpose: the
 * assignment, centre update, stopping test and settling pass work on the same local typed
 * arrays, the hot path of every fit on a big table (benchmarked in npm run bench), and stay
 * in one function so they share them.
 */
function boundedLloyd(x: Matrix, init: Matrix, options: LloydOptions): LloydResult {
  const n = x.rows;
  const d = x.cols;
  const k = init.rows;
  const data = x.data;
  const centers = Float64Array.from(init.data);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  // The centres as a matrix over the same values: they move in place.
  const centroids = createMatrix(k, d, centers);
  const halfGap = new Float64Array(k);
  const moved = new Float64Array(k);

  // Full assignment: nearest and second-nearest centre of every row as the bounds, and each
  // centre's sum and count of its rows, in one pass of the nearest kernel (WebAssembly).
  nearestCentres(x, init, { labels, best: upper, second: lower, roots: true, sums, counts });
  const near: NearestTwo = { index: 0, best: 0, second: 0 };
  // The centres' last move, not yet added to the bounds: the settling pass does it as it goes.
  let unapplied = false;
  let maxMove = 0;
  let maxMoveK = 0;
  let secondMove = 0;

  let iterations = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    stopPoint();
    // Move each centre to the mean of its rows (an empty cluster keeps its centre).
    let shift = 0;
    maxMove = 0;
    maxMoveK = 0;
    secondMove = 0;
    for (let c = 0; c < k; c++) {
      let m = 0;
      if (counts[c] > 0) {
        for (let j = 0; j < d; j++) {
          const next = sums[c * d + j] / counts[c];
          const diff = next - centers[c * d + j];
          m += diff * diff;
          centers[c * d + j] = next;
        }
      }
      shift += m;
      moved[c] = Math.sqrt(m);
      if (moved[c] > maxMove) {
        secondMove = maxMove;
        maxMove = moved[c];
        maxMoveK = c;
      } else if (moved[c] > secondMove) secondMove = moved[c];
    }
    // Half the distance from each centre to its nearest other centre.
    for (let a = 0; a < k; a++) {
      let nearest = Infinity;
      for (let b = 0; b < k; b++) {
        if (a === b) continue;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const diff = centers[a * d + j] - centers[b * d + j];
          s += diff * diff;
        }
        if (s < nearest) nearest = s;
      }
      halfGap[a] = Math.sqrt(nearest) / 2;
    }
    if (shift <= options.tolerance) {
      unapplied = true;
      break;
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      upper[i] += moved[a];
      lower[i] -= a === maxMoveK ? secondMove : maxMove;
      const bound = Math.max(halfGap[a], lower[i]);
      if (upper[i] <= bound) continue;
      upper[i] = Math.sqrt(squaredDistance(x, i, centroids, a));
      if (upper[i] <= bound) continue;
      nearestTwo(data, i * d, centers, k, d, near);
      upper[i] = Math.sqrt(near.best);
      lower[i] = Math.sqrt(near.second);
      if (near.index !== a) {
        changed++;
        moveRow(x, i, a, near.index, sums, counts);
        labels[i] = near.index;
      }
    }
    if (changed === 0) {
      // Labels are stable: one more centre update gives the exact means, then stop.
      for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) centers[c * d + j] = sums[c * d + j] / counts[c];
      break;
    }
  }
  // Every label is its row's nearest centre, exactly as assignNearest would give it, so a
  // fit's labels agree with what predicting the same rows says: the stop on the tolerance
  // comes a step before the labels settle, and the bounds above carry rounding. A row keeps
  // its label when its bounds prove it by a margin far above rounding; the rest are measured
  // and, if need be, assigned again (on a million rows a few thousand, instead of a full pass
  // of distances after the fit). The centres' sums follow, for the inertia.
  for (let i = 0; i < n; i++) {
    const a = labels[i];
    if (unapplied) {
      upper[i] += moved[a];
      lower[i] -= a === maxMoveK ? secondMove : maxMove;
    }
    const bound = Math.max(halfGap[a], lower[i]) * (1 - SETTLE_MARGIN);
    if (upper[i] * (1 + SETTLE_MARGIN) < bound) continue;
    if (Math.sqrt(squaredDistance(x, i, centroids, a)) * (1 + SETTLE_MARGIN) < bound) continue;
    nearestTwo(data, i * d, centers, k, d, near);
    if (near.index === a) continue;
    moveRow(x, i, a, near.index, sums, counts);
    labels[i] = near.index;
  }
  const inertia = inertiaFromSums(options.sumOfSquares ?? sumOfSquares(x), centroids, sums, counts);
  return { labels, centroids, iterations, inertia };
}

/** Row i of x leaves centre `from` for centre `to`: both centres' sums and counts follow. */
function moveRow(x: Matrix, i: number, from: number, to: number, sums: Float64Array, counts: Float64Array): void {
  const { cols: d, data } = x;
  counts[from]--;
  counts[to]++;
  for (let j = 0, at = i * d; j < d; j++, at++) {
    sums[from * d + j] -= data[at];
    sums[to * d + j] += data[at];
  }
}

/** The sum of the squares of every value of x. */
export function sumOfSquares(x: Matrix): number {
  let total = 0;
  for (let i = 0; i < x.data.length; i++) total += x.data[i] * x.data[i];
  return total;
}

/**
 * The summed squared distance of every row to its centre, from the sums of each centre's rows:
 * sum |x|^2 - 2 c . S + n |c|^2 over the centres, instead of a distance a row. Rounding
 * leaves it within about 1e-12 of the distances' sum (relative to the matrix's sum of
 * squares); it is never below 0.
 */
function inertiaFromSums(squares: number, centres: Matrix, sums: Float64Array, counts: Float64Array): number {
  const { rows: k, cols: d, data: c } = centres;
  let total = squares;
  for (let l = 0; l < k; l++) {
    let dot = 0;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      dot += c[l * d + j] * sums[l * d + j];
      norm += c[l * d + j] * c[l * d + j];
    }
    total += counts[l] * norm - 2 * dot;
  }
  return Math.max(0, total);
}
