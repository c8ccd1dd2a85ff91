/**
 * Segment numbers that stay put when k moves. Segment numbers (and so colours) follow a
 * chain of reference fits: k = 2 numbered by size, largest first; each next k keeps the
 * numbers of the segments matched to the k before it (minimum total distance between
 * centres, Hungarian), and its new segment takes the next number. A fit is numbered by
 * matching its centres to the chain's at its own k. The references are k-means fits with
 * the view's seed and restarts, so the numbering depends only on the data, those and k: a
 * copied URL shows it again. Another seed that finds the same segments at every k up to
 * this one gives the same numbers.
 */
import { SEED } from '../defaults.ts';
import { assignNearest } from './cluster/assign.ts';
import { fitKMeans, restartSample, RESTART_SAMPLE_ROWS, type FitMemo, type KMeansFit } from './cluster/kmeans.ts';
import { hungarian } from './hungarian.ts';
import { createMatrix, selectRows, squaredDistance, type Matrix } from './matrix.ts';
import { clusterSizes } from './metrics.ts';
import { sampleIndices } from './random.ts';

/**
 * The first reference's segments (k = 2, numbered by size) are counted on at most this many
 * rows: numbers need the order of the sizes, not their last digits.
 */
export const SIZING_ROWS = 20_000;
/** The seed that draws that sample of a large matrix: the same rows whatever the view's seed. */
const SAMPLE_SEED = SEED;

/**
 * What the references are fitted with: the view's own seed and restarts, so that a k-means
 * reference is the best of the very restarts the view's fit at that k runs (both read the
 * matrix's FitMemo), and each k's numbers follow its neighbouring k's fit. A reference is
 * the best restart without the view's polish (Hartigan moves and swaps): it moves a centre
 * by a few customers, never to another segment, and the chain up to k = 5 took two thirds
 * of the sample's results partial with it.
 */
export interface LineageOptions {
  seed: number;
  nInit: number;
  /** The view's matrix's FitMemo (kmeans.ts): where the references start from the view's own restarts. */
  memo?: FitMemo;
}

/** Each k's reference centres, numbered along the chain (row i is segment i). */
export type Lineage = Map<number, Matrix>;

/** Rows of `centres` ordered by newId: row newId[old] of the result is row old. */
function renumberRows(centres: Matrix, newId: ArrayLike<number>): Matrix {
  const out = createMatrix(centres.rows, centres.cols);
  for (let old = 0; old < centres.rows; old++)
    out.data.set(centres.data.subarray(old * centres.cols, (old + 1) * centres.cols), newId[old] * centres.cols);
  return out;
}

/**
 * newId for each of `centres` (k rows) matched to `numbered` (at most k rows): a matched
 * centre takes its match's number, the ones left over the numbers after, in their own order.
 */
export function matchNumbers(numbered: Matrix, centres: Matrix): Int32Array {
  const k = centres.rows;
  // Square cost: rows are numbers (padded with free rows), columns are centres.
  const cost = Array.from({ length: k }, (_, n) =>
    Array.from({ length: k }, (_, c) => (n < numbered.rows ? squaredDistance(numbered, n, centres, c) : 0)),
  );
  const centreOfNumber = hungarian(cost);
  const newId = new Int32Array(k).fill(-1);
  for (let n = 0; n < numbered.rows; n++) newId[centreOfNumber[n]] = n;
  let next = numbered.rows;
  for (let c = 0; c < k; c++) if (newId[c] < 0) newId[c] = next++;
  return newId;
}

/** Numbers by size, largest first (ties to the lower index). */
export function numbersBySize(labels: Int32Array, k: number): Int32Array {
  const sizes = clusterSizes(labels, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const newId = new Int32Array(k);
  order.forEach((old, i) => (newId[old] = i));
  return newId;
}

/** The rows the first reference's segments are sized on: all of them, or one fixed sample of a large matrix. */
function sizingRows(x: Matrix): Matrix {
  return x.rows <= SIZING_ROWS ? x : selectRows(x, sampleIndices(x.rows, SIZING_ROWS, SAMPLE_SEED));
}

/**
 * The reference at k: the best of the view's plain restarts, on the very rows they run on.
 * Up to RESTART_SAMPLE_ROWS that is x; above it, the seeded sample every fit with this seed
 * restarts on (kmeans.ts), without the fit on every row that follows for the view: the
 * restarts are those the view's fit and the sweep's at k already ran.
 */
function referenceFit(x: Matrix, k: number, options: LineageOptions): KMeansFit {
  const fitOptions = { k, seed: options.seed, nInit: options.nInit, refine: false };
  if (x.rows <= RESTART_SAMPLE_ROWS) return fitKMeans(x, { ...fitOptions, memo: options.memo });
  const sample = restartSample(x, options.seed, options.memo);
  return fitKMeans(sample.matrix, { ...fitOptions, memo: sample });
}

/** The chain's numbered centres at k, fitting the references it lacks into `lineage` (kept by the caller per matrix and options). */
export function referenceCentres(x: Matrix, k: number, lineage: Lineage, options: LineageOptions): Matrix {
  const known = lineage.get(k);
  if (known) return known;
  let from = k;
  while (from > 2 && !lineage.has(from - 1)) from--;
  for (let j = from; j <= k; j++) {
    const fit = referenceFit(x, j, options);
    // The first numbers go by size, counted on the same rows whatever the seed.
    const newId =
      j === 2 || !lineage.has(j - 1)
        ? numbersBySize(x.rows <= RESTART_SAMPLE_ROWS ? fit.labels : assignNearest(sizingRows(x), fit.centroids).labels, j)
        : matchNumbers(lineage.get(j - 1)!, fit.centroids);
    lineage.set(j, renumberRows(fit.centroids, newId));
  }
  return lineage.get(k)!;
}

/** newId for a fit's segments (its centres, in the same space as x): the chain's numbers at its k. */
export function lineageNumbers(x: Matrix, centres: Matrix, lineage: Lineage, options: LineageOptions): Int32Array {
  const k = centres.rows;
  if (k < 2 || k > x.rows) return Int32Array.from({ length: k }, (_, i) => i);
  return matchNumbers(referenceCentres(x, k, lineage, options), centres);
}
