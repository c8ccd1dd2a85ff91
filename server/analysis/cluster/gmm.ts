/**
 * Gaussian mixture with diagonal covariances ("diag" in scikit-learn's terms: one variance
 * per segment and feature), fitted by EM. Each restart starts from k-means++ centres (the
 * customers assigned to the nearest one, as scikit-learn's init_params="k-means++"), seeded
 * seed, seed+1, ...; the highest log-likelihood wins. Soft segments: every customer has a
 * probability for each segment, and its segment is the most probable one.
 */
import { formatCount } from '../../format.ts';
import { N_INIT } from '../../defaults.ts';
import { InputError } from '../../errors.ts';
import { mixtureKernel, type MixtureKernel } from '../kernels/mixture.ts';
import { createMatrix, type Matrix } from '../matrix.ts';
import { stopPoint } from '../progress.ts';
import { assignNearest } from './assign.ts';
import { kmeansPlusPlus } from './init.ts';
import { validateK } from './kmeans.ts';
import type { ClusterFit } from './types.ts';

export const GMM_COVARIANCE = 'diag';

export interface GmmOptions {
  k: number;
  seed: number;
  nInit?: number;
  maxIterations?: number;
  /** Stop when the mean log-likelihood per customer changes by less than this (scikit-learn's tol). */
  tolerance?: number;
  /** Added to every variance, as scikit-learn's reg_covar: no segment collapses onto one point. */
  regularisation?: number;
}

/** What a prediction needs besides the means (the centroids). */
export interface GmmParameters {
  weights: number[];
  /** variances[c][j]: segment c's variance of output column j. */
  variances: number[][];
}

export interface GmmFit extends ClusterFit, GmmParameters {
  /** Total log-likelihood of the rows under the mixture. */
  logLikelihood: number;
  /** Bayesian information criterion: −2 log-likelihood + parameters × ln(rows). Lower is better. */
  bic: number;
}

const DEFAULTS = { nInit: N_INIT, maxIterations: 100, tolerance: 1e-3, regularisation: 1e-6 };
const LOG_2PI = Math.log(2 * Math.PI);

/** log(weight_c) + log N(x | mean_c, diag(var_c)) for each segment c, into `out`. */
export function componentLogDensities(
  x: ArrayLike<number>,
  offset: number,
  means: Float64Array,
  variances: Float64Array,
  logWeights: Float64Array,
  d: number,
  out: Float64Array,
): void {
  const k = logWeights.length;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0, p = c * d; j < d; j++, p++) {
      const diff = x[offset + j] - means[p];
      s += Math.log(variances[p]) + (diff * diff) / variances[p];
    }
    out[c] = logWeights[c] - 0.5 * (d * LOG_2PI + s);
  }
}

/** log Σ exp(values), without overflow. */
export function logSumExp(values: Float64Array): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

interface EmResult {
  means: Float64Array;
  variances: Float64Array;
  weights: Float64Array;
  logLikelihood: number;
  iterations: number;
}

/**
 * EM from hard starting segments, its passes over the rows in the mixture kernel. The M step
 * takes each segment's weight, mean and mean square in one pass (variance = mean square −
 * squared mean, as scikit-learn's diag estimate); the E step reads per segment a log
 * normaliser and inverse variances made once per iteration.
 */
function runEm(
  kernel: MixtureKernel,
  x: Matrix,
  start: Int32Array,
  k: number,
  maxIterations: number,
  tolerance: number,
  reg: number,
): EmResult {
  const { rows: n, cols: d } = x;
  const { kp, resp, weights, sums, squares, means, inverse, logNorm } = kernel;
  resp.fill(0);
  for (let i = 0; i < n; i++) resp[i * kp + start[i]] = 1;
  const variances = new Float64Array(k * d);
  const mixing = new Float64Array(k);
  let previous = -Infinity;
  let logLikelihood = -Infinity;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    stopPoint();
    // M step: weights, means and variances from the responsibilities.
    kernel.moments();
    for (let c = 0; c < k; c++) {
      const nk = weights[c] + 10 * Number.EPSILON;
      let logDet = 0;
      for (let j = 0, p = c; j < d; j++, p += kp) {
        means[p] = sums[p] / nk;
        const variance = Math.max(squares[p] / nk - means[p] * means[p], 0) + reg;
        variances[c * d + j] = variance;
        inverse[p] = 1 / variance;
        logDet += Math.log(variance);
      }
      mixing[c] = nk / n;
      logNorm[c] = Math.log(mixing[c]) - 0.5 * (d * LOG_2PI + logDet);
    }
    // E step: responsibilities and the log-likelihood they come with.
    kernel.logDensities();
    let total = 0;
    for (let i = 0, row = 0; i < n; i++, row += kp) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (resp[row + c] > max) max = resp[row + c];
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(resp[row + c] - max);
        resp[row + c] = e;
        sum += e;
      }
      const scale = 1 / sum;
      for (let c = 0; c < k; c++) resp[row + c] *= scale;
      if (kp > k) resp[row + k] = 0;
      total += max + Math.log(sum);
    }
    logLikelihood = total;
    if (Math.abs(total / n - previous / n) < tolerance) {
      iterations++;
      break;
    }
    previous = total;
  }
  const rowMajorMeans = new Float64Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) rowMajorMeans[c * d + j] = means[j * kp + c];
  return { means: rowMajorMeans, variances, weights: mixing, logLikelihood, iterations };
}

/**
 * A restart's first responsibilities: each customer wholly in the segment of its nearest
 * k-means++ centre, which is where scikit-learn's init_params="k-means++" is after its first
 * E step. The centres come from plain D² sampling (one candidate each): the greedy variant's
 * starts were so alike that ten of them missed the best Mall fit at k = 3.
 */
function startingSegments(x: Matrix, k: number, seed: number): Int32Array {
  return assignNearest(x, kmeansPlusPlus(x, k, seed, 1)).labels;
}

/**
 * Restarts × segments × customers × columns that one request's mixtures may cost, each unit
 * up to maxIterations EM steps: at most about 3 s on this project's 2-core machines since
 * EM's passes run in WebAssembly (every start running all 100 iterations: 3.1 s per
 * 10,000,000 units; a sweep of k = 2..10 on the sample, 7.8 million units, takes 0.5 s).
 * Without a bound a sweep of k = 2..20 held the only worker for 18 s (the watchdog stops work
 * at 120 s, and every other user waits behind it), as mini-batch's batchSize × iterations
 * bound does for it.
 */
export const GMM_WORK_LIMIT = 10_000_000;

/** Refuses mixtures over the work bound for these values of k, saying what to lower. */
export function checkGmmWork(x: Pick<Matrix, 'rows' | 'cols'>, nInit: number, ks: readonly number[]): void {
  const work = nInit * x.rows * x.cols * ks.reduce((a, b) => a + b, 0);
  if (work <= GMM_WORK_LIMIT) return;
  const which = ks.length === 1 ? `k = ${ks[0]}` : `k = ${ks[0]} to ${ks[ks.length - 1]}`;
  throw new InputError(
    `A Gaussian mixture of ${which} with ${nInit} restart${nInit === 1 ? '' : 's'} on ${formatCount(x.rows)} customers × ${x.cols} ` +
      `columns is ${formatCount(work)} units of work; one request may ask for ${formatCount(GMM_WORK_LIMIT)}. Lower ` +
      `nInit${ks.length > 1 ? ', kMax' : ', k'} or the number of features.`,
    { field: 'nInit' },
  );
}

export function fitGmm(x: Matrix, options: GmmOptions): GmmFit {
  const { k, seed } = options;
  const { nInit, maxIterations, tolerance, regularisation } = { ...DEFAULTS, ...options };
  validateK(k, x.rows);
  checkGmmWork(x, nInit, [k]);
  let best: EmResult | undefined;
  const kernel = mixtureKernel(x, k);
  for (let run = 0; run < nInit; run++) {
    stopPoint();
    const start = startingSegments(x, k, seed + run);
    const result = runEm(kernel, x, start, k, maxIterations, tolerance, regularisation);
    if (!best || result.logLikelihood > best.logLikelihood) best = result;
  }
  const { means, variances, weights, logLikelihood, iterations } = best!;
  const d = x.cols;
  // The most probable segment of each row.
  const labels = new Int32Array(x.rows);
  const lp = new Float64Array(k);
  const logWeights = Float64Array.from(weights, Math.log);
  for (let i = 0; i < x.rows; i++) {
    componentLogDensities(x.data, i * d, means, variances, logWeights, d, lp);
    let top = 0;
    for (let c = 1; c < k; c++) if (lp[c] > lp[top]) top = c;
    labels[i] = top;
  }
  const parameters = k * d * 2 + (k - 1);
  return {
    labels,
    centroids: createMatrix(k, d, means),
    weights: Array.from(weights),
    variances: Array.from({ length: k }, (_, c) => Array.from(variances.subarray(c * d, (c + 1) * d))),
    logLikelihood,
    bic: -2 * logLikelihood + parameters * Math.log(x.rows),
    iterations,
    notes: [
      `Gaussian mixture with diagonal covariances (one variance per segment and feature), best of ${nInit} starts by log-likelihood.`,
    ],
  };
}

/** Each segment's probability for one transformed customer. */
interface FlatMixture {
  means: Float64Array;
  variances: Float64Array;
  logWeights: Float64Array;
}

/**
 * A mixture's parameters as flat arrays, made once per mixture: assigning a table calls
 * gmmProbabilities once a row. The gmm object and its means belong to one pipeline (a
 * renumbering makes new ones), so the gmm object is the key.
 */
const flatMixtures = new WeakMap<GmmParameters, FlatMixture>();

function flatMixture(centroids: number[][], gmm: GmmParameters): FlatMixture {
  let flat = flatMixtures.get(gmm);
  if (!flat) {
    flat = {
      means: Float64Array.from(centroids.flat()),
      variances: Float64Array.from(gmm.variances.flat()),
      logWeights: Float64Array.from(gmm.weights, Math.log),
    };
    flatMixtures.set(gmm, flat);
  }
  return flat;
}

export function gmmProbabilities(x: ArrayLike<number>, centroids: number[][], gmm: GmmParameters): number[] {
  const k = centroids.length;
  const d = centroids[0]?.length ?? 0;
  const { means, variances, logWeights } = flatMixture(centroids, gmm);
  const lp = new Float64Array(k);
  componentLogDensities(x, 0, means, variances, logWeights, d, lp);
  const lse = logSumExp(lp);
  return Array.from(lp, (v) => Math.exp(v - lse));
}
