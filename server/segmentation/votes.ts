/**
 * Choosing k as a panel: the k each index prefers, among the k the recommendation may pick
 * (those whose smallest segment holds at least minShare of the customers, within kMin..kMax).
 * - silhouette: highest mean silhouette;
 * - Calinski-Harabasz: highest; Davies-Bouldin: lowest;
 * - gap statistic (Tibshirani, Walther and Hastie 2001): the smallest k with
 *   gap(k) >= gap(k+1) - s(k+1), from seeded uniform reference draws in the data's bounding box;
 * - bootstrap stability: the highest mean adjusted Rand index between each k's fit and refits
 *   on resamples.
 * The gap and stability votes work on a seeded sample of at most VOTE_SAMPLE_ROWS rows, with
 * one k-means start per fit: they rank values of k, and the ranking settles long before the
 * fits are polished.
 */
import { assignNearest } from '../analysis/cluster/assign.ts';
import { fitKMeans } from '../analysis/cluster/kmeans.ts';
import { createMatrix, selectRows, type Matrix } from '../analysis/matrix.ts';
import { adjustedRandIndex } from '../analysis/metrics.ts';
import { stopPoint } from '../analysis/progress.ts';
import { createRng, sampleIndices } from '../analysis/random.ts';

export interface KVotes {
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  gap: number;
  stability: number;
}

/** One k's scores on the curves (sweep.ts), what the votes read. */
export interface SweepRow {
  k: number;
  inertia: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  /** Share of the customers in this k's smallest segment (0–1). */
  smallestShare: number;
  /** Share of the customers in this k's largest segment (0–1). */
  largestShare?: number;
  /** A Gaussian mixture's BIC (lower is better), when the sweep fits mixtures. */
  bic?: number;
}
/** Rows the gap and stability votes use at most. */
export const VOTE_SAMPLE_ROWS = 1000;
/** Uniform reference draws per k for the gap statistic. */
export const GAP_REFERENCES = 5;
/** Resamples per k for the stability vote. */
export const VOTE_RESAMPLES = 3;

/** Gap(k) and its s(k) on x, for each k in ks. */
export function gapStatistic(x: Matrix, ks: number[], seed: number, references = GAP_REFERENCES): { gap: number[]; s: number[] } {
  const cols = x.cols;
  const low = new Float64Array(cols).fill(Infinity);
  const high = new Float64Array(cols).fill(-Infinity);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = x.data[i * cols + j];
      if (v < low[j]) low[j] = v;
      if (v > high[j]) high[j] = v;
    }
  }
  const rng = createRng(seed ^ 0x9a9);
  const draws = Array.from({ length: references }, () =>
    createMatrix(
      x.rows,
      cols,
      Float64Array.from({ length: x.rows * cols }, (_, p) => low[p % cols] + rng() * (high[p % cols] - low[p % cols])),
    ),
  );
  const logW = (m: Matrix, k: number, s: number) =>
    Math.log(Math.max(fitKMeans(m, { k, seed: s, nInit: 1, refine: false }).inertia, Number.MIN_VALUE));
  const gap: number[] = [];
  const sd: number[] = [];
  for (const k of ks) {
    stopPoint();
    const reference = draws.map((d, b) => logW(d, k, seed + 31 * b));
    const mean = reference.reduce((a, v) => a + v, 0) / references;
    const variance = reference.reduce((a, v) => a + (v - mean) ** 2, 0) / references;
    gap.push(mean - logW(x, k, seed));
    sd.push(Math.sqrt(variance) * Math.sqrt(1 + 1 / references));
  }
  return { gap, s: sd };
}

/** Mean ARI between each k's fit on x and fits on resamples, per k. */
export function stabilityByK(x: Matrix, ks: number[], seed: number, resamples = VOTE_RESAMPLES): number[] {
  const rng = createRng(seed ^ 0x5ab);
  const picks = Array.from({ length: resamples }, () => Int32Array.from({ length: x.rows }, () => Math.floor(rng() * x.rows)));
  return ks.map((k) => {
    stopPoint();
    const labels = fitKMeans(x, { k, seed, nInit: 1, refine: false }).labels;
    let total = 0;
    picks.forEach((rows, b) => {
      const refit = fitKMeans(selectRows(x, rows), { k, seed: seed + 1 + b, nInit: 1, refine: false });
      total += adjustedRandIndex(labels, assignNearest(x, refit.centroids).labels);
    });
    return Math.max(0, total / resamples);
  });
}

/** No segment of a default view holds more than this share: one segment of nearly everyone says nothing. */
export const LARGEST_SHARE = 0.85;

/**
 * The k the recommendation may pick: each segment between minShare and LARGEST_SHARE of the
 * customers; if no k has that, the k with the largest smallest segment.
 */
export function eligibleRows(rows: SweepRow[], minShare: number): SweepRow[] {
  const balanced = rows.filter((r) => r.smallestShare >= minShare && (r.largestShare ?? 0) <= LARGEST_SHARE);
  if (balanced.length > 0) return balanced;
  const largestSmallest = Math.max(...rows.map((r) => r.smallestShare));
  return rows.filter((r) => r.smallestShare >= Math.min(minShare, largestSmallest));
}

/** Each k's gap statistic (with its s) and bootstrap stability: what the gap and stability votes read. */
export interface KScores {
  ks: number[];
  gap: number[];
  gapS: number[];
  stability: number[];
}

export function kScores(x: Matrix, rows: SweepRow[], seed: number): KScores {
  const sample = x.rows > VOTE_SAMPLE_ROWS ? selectRows(x, sampleIndices(x.rows, VOTE_SAMPLE_ROWS, seed ^ 0x707e)) : x;
  const ks = rows.map((r) => r.k).filter((k) => k < sample.rows);
  const { gap, s } = gapStatistic(sample, ks, seed);
  return { ks, gap, gapS: s, stability: stabilityByK(sample, ks, seed) };
}

/** The k each index prefers among `candidates` (the first candidate for an index with no score there). */
export function votesAmong(rows: SweepRow[], scores: KScores, candidates: number[]): KVotes {
  const rowOf = new Map(rows.map((r) => [r.k, r]));
  const allowed = new Set(candidates);
  /** The k among the candidates with the highest score. */
  const argmax = (score: (k: number) => number) =>
    candidates
      .filter((k) => Number.isFinite(score(k)))
      .reduce<number | undefined>((a, k) => (a === undefined || score(k) > score(a) ? k : a), undefined) ?? candidates[0];
  const at = (values: number[]) => (k: number) => {
    const i = scores.ks.indexOf(k);
    return i < 0 ? Number.NaN : values[i];
  };
  // Tibshirani's rule: the smallest k whose gap is within one s of the next k's.
  const gapK =
    scores.ks.find((k, i) => allowed.has(k) && i + 1 < scores.ks.length && scores.gap[i] >= scores.gap[i + 1] - scores.gapS[i + 1]) ??
    argmax(at(scores.gap));
  return {
    silhouette: argmax((k) => rowOf.get(k)!.silhouette),
    calinskiHarabasz: argmax((k) => rowOf.get(k)!.calinskiHarabasz),
    daviesBouldin: argmax((k) => -rowOf.get(k)!.daviesBouldin),
    gap: gapK,
    stability: argmax(at(scores.stability)),
  };
}

/** Where a default k normally lies: fewer segments than three tell a marketer little, more than eight too much. */
export const USUAL_K: readonly [number, number] = [3, 8];

/**
 * The one eligible-k rule: the k the recommendation may pick, and the indices vote among, as
 * the curves, the API and the explanation show them. Eligible rows (eligibleRows) within
 * USUAL_K, or every eligible row when none lies there.
 */
export function candidateKs(rows: SweepRow[], minShare: number): number[] {
  const eligible = eligibleRows(rows, minShare);
  const usual = eligible.filter((r) => r.k >= USUAL_K[0] && r.k <= USUAL_K[1]);
  return (usual.length > 0 ? usual : eligible).map((r) => r.k);
}
