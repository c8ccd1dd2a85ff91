/**
 * A control change on the sample, as the Clusters tab answers it, against scikit-learn doing
 * the same work in the same run (when /usr/bin/python3 has it):
 * - the fit region for a setting never seen before, k given (a new seed each time), against
 *   KMeans (10 restarts) + silhouette + PCA on the same features;
 * - GET /api/sweep for a new seed, against KMeans (10 restarts) + silhouette for k = 2..10;
 * - the fit region for a preprocessing never seen before (scaling, missing-value and outlier
 *   rules in turn), against the same KMeans + silhouette + PCA;
 * - mini-batch and Ward fit regions, against MiniBatchKMeans / AgglomerativeClustering +
 *   silhouette + PCA;
 * - the Gaussian mixture's fit region, against GaussianMixture(covariance_type='diag') with
 *   the same k, restarts, starts (k-means++), tolerance and iteration limit + silhouette + PCA,
 *   and the log-likelihood per customer each side reaches.
 * The analysis runs on the request thread here (no worker), so the figures are the work and
 * the rendering, not a thread hop.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitGmm } from '../../server/analysis/cluster/gmm.ts';
import { MISSING_STRATEGIES, OUTLIER_RULES, SCALING_METHODS } from '../../server/analysis/preprocess-types.ts';
import { prepare } from '../../server/segmentation/prepared.ts';
import { DEFAULT_OPTIONS } from '../../server/segmentation/options.ts';
import { getDataset, loadDataTable } from '../../server/store/datasets.ts';
import { defaultFeatures } from '../../server/web/params.ts';
import { withSampleApp } from '../support/listening-app.ts';
import { percentiles, type LatencyFigures } from './clusters.ts';

export interface ControlFigures {
  name: string;
  ours: LatencyFigures;
  /** scikit-learn's p95 for the same work, in ms. */
  sklearnP95?: number;
  /** The mixture's log-likelihood per customer, ours and scikit-learn's (best of 3 seeds each). */
  logLikelihood?: { ours: number; sklearn?: number };
}

const REPEATS = 20;

const SKLEARN = `
import sys, time, numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans, AgglomerativeClustering
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
rows, cols, path, repeats = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
X = np.fromfile(path, dtype=np.float64).reshape(rows, cols)
def p95(f):
    times = []
    for r in range(repeats):
        s = time.perf_counter(); f(r); times.append(time.perf_counter() - s)
    times.sort()
    return times[min(len(times) - 1, int(0.95 * len(times)))] * 1000
def kmeans(r):
    m = KMeans(5, n_init=10, random_state=r).fit(X); silhouette_score(X, m.labels_); PCA(2).fit_transform(X)
def sweep(r):
    for k in range(2, 11):
        m = KMeans(k, n_init=10, random_state=r).fit(X); silhouette_score(X, m.labels_)
def minibatch(r):
    m = MiniBatchKMeans(5, n_init=3, batch_size=1024, random_state=r).fit(X); silhouette_score(X, m.labels_); PCA(2).fit_transform(X)
def ward(r):
    m = AgglomerativeClustering(5).fit(X); silhouette_score(X, m.labels_); PCA(2).fit_transform(X)
def mixture(r, k=5):
    m = GaussianMixture(k, covariance_type='diag', n_init=10, init_params='k-means++', tol=1e-3, max_iter=100, reg_covar=1e-6, random_state=r).fit(X)
    silhouette_score(X, m.predict(X)); PCA(2).fit_transform(X)
    return m
scores = [mixture(r).score(X) for r in range(3)]
print(p95(kmeans), p95(sweep) if repeats else 0, p95(minibatch), p95(ward), p95(mixture), max(scores))
`;

/** scikit-learn's p95 for [k-means partial, sweep, mini-batch, Ward, mixture partials] and its mixture's log-likelihood per row, or undefined without it. */
function sklearnFigures(matrix: Float64Array, rows: number, cols: number): number[] | undefined {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-controls-sk-'));
  try {
    writeFileSync(join(dir, 'x.bin'), Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength));
    writeFileSync(join(dir, 'bench.py'), SKLEARN);
    const { OPENBLAS_CORETYPE: _core, OPENBLAS_L2_SIZE: _l2, ...env } = process.env;
    const run = spawnSync('/usr/bin/python3', [join(dir, 'bench.py'), String(rows), String(cols), join(dir, 'x.bin'), String(REPEATS)], { encoding: 'utf8', env });
    if (run.status !== 0) {
      console.error(`scikit-learn comparison skipped: ${run.stderr.trim().split('\n').pop()}`);
      return undefined;
    }
    return run.stdout.trim().split(/\s+/).map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Between two sweeps of the benchmark: a person looking at the curves. */
const SWEEP_PAUSE_MS = 1000;

export function benchControls(): Promise<ControlFigures[]> {
  return withSampleApp('controls', async ({ db, client }) => {
    // The same features, missing values and scaling the dashboard fits on, for scikit-learn.
    const features = defaultFeatures(getDataset(db, 1));
    const prepared = prepare(loadDataTable(db, 1, { analysisOnly: true }), { ...DEFAULT_OPTIONS, features });
    const timedRuns = async (path: (i: number) => string, pauseMs = 0) => {
      await client.timedGet(path(-1)); // compiled templates and warmed code, as a running server has
      const samples: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        samples.push(await client.timedGet(path(i)));
      }
      return percentiles(samples);
    };
    // A new seed each time: a setting never seen, nothing reused.
    const kmeans = await timedRuns((i) => `/clusters?k=5&seed=${1000 + i}`);
    // A sweep leaves work for when the server is idle (the exact scores of every swept k, so
    // that moving k afterwards is instant): a second between changes, as a person takes to
    // look at the curves, lets it end. Back to back, each sweep also waits for the last one's.
    const sweep = await timedRuns((i) => `/api/sweep?seed=${2000 + i}`, SWEEP_PAUSE_MS);
    const minibatch = await timedRuns((i) => `/clusters?k=5&algorithm=minibatch&seed=${3000 + i}`);
    // Ward ignores the seed, but a new seed is a new cache key: the fit runs again.
    const ward = await timedRuns((i) => `/clusters?k=5&algorithm=agglomerative&seed=${4000 + i}`);
    // Preprocessing never seen: every scaling, missing-value and outlier rule in turn (all six features).
    const preprocessing = SCALING_METHODS.filter((s) => s !== 'none').flatMap((scaling) =>
      MISSING_STRATEGIES.flatMap((missing) => OUTLIER_RULES.map((outliers) => `scaling=${scaling}&missing=${missing}&outliers=${outliers}`)),
    );
    const rules = await timedRuns((i) => `/clusters?k=5&${preprocessing[i + 1]}`);
    const mixture = await timedRuns((i) => `/clusters?k=5&algorithm=gmm&seed=${5000 + i}`);
    const ourLogLikelihood = Math.max(...[0, 1, 2].map((seed) => fitGmm(prepared.fitX, { k: 5, seed }).logLikelihood / prepared.fitX.rows));
    const sk = sklearnFigures(prepared.fitX.data, prepared.fitX.rows, prepared.fitX.cols);
    return [
      { name: 'sample: Clusters fit region, a new seed (k = 5)', ours: kmeans, sklearnP95: sk?.[0] },
      { name: 'sample: Clusters fit region, new scaling/missing/outlier rules', ours: rules, sklearnP95: sk?.[0] },
      { name: 'sample: GET /api/sweep, a new seed (k 2..10)', ours: sweep, sklearnP95: sk?.[1] },
      { name: 'sample: mini-batch fit region, a new seed', ours: minibatch, sklearnP95: sk?.[2] },
      { name: 'sample: Ward fit region, a new seed', ours: ward, sklearnP95: sk?.[3] },
      {
        name: 'sample: Gaussian mixture fit region, a new seed (k = 5)',
        ours: mixture,
        sklearnP95: sk?.[4],
        logLikelihood: { ours: ourLogLikelihood, sklearn: sk?.[5] },
      },
    ];
  });
}
