/**
 * Big data through the real server: the bundle npm start runs (dist/, one analysis worker)
 * in its own process, with a synthetic dataset of n customers imported. Each tab is timed
 * with a keep-alive client; the peak RSS is the server process's own (VmHWM).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBigCsv } from '../fixtures/big-csv.ts';
import { keepAliveClient } from '../support/listening-app.ts';
import { DEFAULT_OPTIONS } from '../../server/segmentation/options.ts';
import { prepare } from '../../server/segmentation/prepared.ts';
import { getDataset, loadDataTable } from '../../server/store/datasets.ts';
import type { Db } from '../../server/store/db.ts';
import { defaultFeatures } from '../../server/web/params.ts';
import { exposeGarbageCollection } from '../../server/engine/collect-garbage.ts';
import { buildServer, startServerProcess } from '../support/server-process.ts';

const LOOP_PROBE = fileURLToPath(new URL('../support/loop-probe.mjs', import.meta.url));

export interface ScaleFigures {
  rows: number;
  /** Opening Clusters on a fresh dataset with k given: load, fit, every chart of the fit region. */
  firstViewSeconds: number;
  /** Then its #cluster-sweep region: the curves over k, the recommended k, stability. */
  sweepRegionSeconds: number;
  /** A new k asked for while that region is still being computed: what a person does first. */
  earlyRerunSeconds: number;
  /** The same a second after the first view (another seed): the sweep scores the shown k's neighbours first. */
  secondLaterRerunSeconds: number;
  /** scikit-learn on the same prepared matrix: KMeans (10 restarts) + silhouette on 10,000 sampled rows + PCA. */
  sklearnFirstViewSeconds?: number;
  /** scikit-learn's sweep 2..10 (10 restarts each, silhouette on 10,000 sampled rows), with BENCH_SKLEARN_SWEEP=1. */
  sklearnSweepSeconds?: number;
  /** The k sweep 2..10 alone (a new seed, so nothing is reused). */
  sweepSeconds: number;
  /** A new k after the first view, every chart included: the slowest of the re-runs. */
  rerunSeconds: number;
  /** A k outside the swept range: a full k-means fit on every row, every chart included. */
  freshFitSeconds: number;
  /** Event-loop delay p99 on the server's request thread while the fresh fit ran. */
  loopDelayP99Ms: number;
  /** The Overview tab (column statistics, histograms, correlations, outliers). */
  overviewSeconds: number;
  /** pandas computing the same numbers on the same CSV, already read into a DataFrame. */
  pandasOverviewSeconds?: number;
  /** The Predict tab (input ranges of every feature). */
  predictSeconds: number;
  /** Registering one customer (validated against the data, assigned a segment, stored). */
  registrationSeconds: number;
  /** The Clusters view after that registration: the new version loaded, the fit extended. */
  afterRegistrationSeconds: number;
  /** Peak resident memory of the server process, worker threads included. */
  peakRssMb: number;
}

const SKLEARN = `
import os, sys, time, numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
rows, cols, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
X = np.fromfile(path, dtype=np.float64).reshape(rows, cols)
s = time.perf_counter()
m = KMeans(5, n_init=10, random_state=0).fit(X); silhouette_score(X, m.labels_, sample_size=10000, random_state=0); PCA(2).fit_transform(X)
first = time.perf_counter() - s
sweep = 0
if os.environ.get('BENCH_SKLEARN_SWEEP') == '1':
    s = time.perf_counter()
    for k in range(2, 11):
        m = KMeans(k, n_init=10, random_state=0).fit(X); silhouette_score(X, m.labels_, sample_size=10000, random_state=0)
    sweep = time.perf_counter() - s
print(first, sweep)
`;

/**
 * The Overview's numbers in pandas, timed after read_csv: every numeric column's count, mean,
 * standard deviation, extremes and quartiles, missing counts, a 20-bin histogram, the
 * correlation matrix, rows outside the IQR fences, the standardised columns' boxes, and every
 * text column's distinct count, missing count and most frequent values.
 */
const PANDAS_OVERVIEW = `
import sys, time, numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1])
s = time.perf_counter()
num = df.select_dtypes('number'); text = df.select_dtypes(exclude='number')
num.describe(); num.isna().sum()
for c in num:
    np.histogram(num[c].dropna().values, bins=20)
num.corr()
q1, q3 = num.quantile(0.25), num.quantile(0.75); iqr = q3 - q1
((num < q1 - 1.5 * iqr) | (num > q3 + 1.5 * iqr)).any(axis=1).sum()
((num - num.mean()) / num.std()).quantile([0.25, 0.5, 0.75])
for c in text:
    df[c].value_counts().head(12); df[c].nunique(); df[c].isna().sum()
print(time.perf_counter() - s)
`;

function pandasOverviewSeconds(dir: string, csv: string): number | undefined {
  if (!existsSync('/usr/bin/python3')) return undefined;
  writeFileSync(join(dir, 'overview.py'), PANDAS_OVERVIEW);
  const run = spawnSync('/usr/bin/python3', [join(dir, 'overview.py'), csv], { encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(`pandas comparison skipped: ${run.stderr.trim().split('\n').pop()}`);
    return undefined;
  }
  return Number(run.stdout.trim());
}

/** scikit-learn timed on the matrix the dashboard fits (default features, missing values, scaling). */
async function sklearnOnPrepared(db: Db, dir: string, rowCount: number): Promise<[number, number | undefined] | undefined> {
  if (!existsSync('/usr/bin/python3')) return undefined;
  // The rows imported, without the customer the server registered since.
  const prepared = prepare(loadDataTable(db, 1, { analysisOnly: true, rowCount }), { ...DEFAULT_OPTIONS, features: defaultFeatures(getDataset(db, 1)) });
  const { data, rows, cols } = prepared.fitX;
  writeFileSync(join(dir, 'x.bin'), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  writeFileSync(join(dir, 'bench.py'), SKLEARN);
  const { OPENBLAS_CORETYPE: _core, OPENBLAS_L2_SIZE: _l2, ...env } = process.env;
  const run = spawnSync('/usr/bin/python3', [join(dir, 'bench.py'), String(rows), String(cols), join(dir, 'x.bin')], { encoding: 'utf8', env });
  rmSync(join(dir, 'x.bin'), { force: true });
  if (run.status !== 0) {
    console.error(`scikit-learn comparison skipped: ${run.stderr.trim().split('\n').pop()}`);
    return undefined;
  }
  const [first, sweep] = run.stdout.trim().split(/\s+/).map(Number);
  return [first, sweep > 0 ? sweep : undefined];
}

/** Peak resident set of a process so far, from Linux's /proc (kB there). */
function peakRssMb(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  if (!match) throw new Error('no VmHWM in /proc status');
  return Number(match[1]) / 1024;
}

export async function benchScale(rows: number): Promise<ScaleFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-scale-'));
  try {
    const csv = join(dir, 'customers.csv');
    const dbPath = join(dir, 'scale.db');
    await writeBigCsv(csv, rows);
    const { openDatabase } = await import('../../server/store/db.ts');
    const { importCsvFile } = await import('../../server/ingest/stream-import.ts');
    const db = openDatabase(dbPath);
    await importCsvFile(db, csv, { name: `${rows} customers`, maxBytes: 1e12 });
    db.close();
    const ours = await measureServer(dbPath, rows);
    // scikit-learn after the server, not before: preparing its matrix here left this process a
    // few hundred MB of garbage, whose collection (on helper threads, while this process only
    // waited for answers) took the server's cores and added 0.5 s to its first view.
    const sklearnDb = openDatabase(dbPath);
    const sklearn = await sklearnOnPrepared(sklearnDb, dir, rows);
    sklearnDb.close();
    const pandasOverview = pandasOverviewSeconds(dir, csv);
    return { ...ours, sklearnFirstViewSeconds: sklearn?.[0], sklearnSweepSeconds: sklearn?.[1], pandasOverviewSeconds: pandasOverview };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Collects this process's garbage now: what the benchmarks before left (matrices of a
 * million rows, an import) was otherwise collected by V8's helper threads on the server's
 * two cores during its first view (0.2 s more in `npm run bench` than alone).
 */
function collectHarnessGarbage(): void {
  exposeGarbageCollection()();
}

/** How long after the first view the slider moves: the curves are still being computed then. */
const EARLY_RERUN_AFTER_MS = 150;

/** The server's figures, from its first view on (the bundle, as `npm start` runs it). */
async function measureServer(
  dbPath: string,
  rows: number,
): Promise<Omit<ScaleFigures, 'sklearnFirstViewSeconds' | 'sklearnSweepSeconds' | 'pandasOverviewSeconds'>> {
  buildServer();
  collectHarnessGarbage();
  const server = await startServerProcess(dbPath, { WORKERS: '1' }, { built: true, ipc: true, nodeArgs: ['--import', LOOP_PROBE] });
  const client = keepAliveClient(server.base);
  try {
    const timed = async (path: string) => (await client.timedGet(path)) / 1000;
    const firstViewSeconds = await timed('/clusters?dataset=1&k=5');
    // The browser asks for the curves next (on its own connection), and the person moves the
    // slider before they arrive; new values of k after that are served from the sweep.
    const curvesClient = keepAliveClient(server.base);
    const curves = curvesClient.timedGet('/clusters/sweep?dataset=1&k=5&shown=5').finally(() => curvesClient.close());
    await new Promise((resolve) => setTimeout(resolve, EARLY_RERUN_AFTER_MS));
    const earlyRerunSeconds = await timed('/clusters?dataset=1&k=6');
    const sweepRegionSeconds = (await curves) / 1000;
    let rerunSeconds = 0;
    for (const k of [3, 4, 7, 8]) rerunSeconds = Math.max(rerunSeconds, await timed(`/clusters?dataset=1&k=${k}`));
    const sweepSeconds = await timed('/api/sweep?dataset=1&seed=7');
    const loopDelay = new Promise<{ loopDelayP99Ms: number }>((resolve) => server.child.once('message', (m) => resolve(m as { loopDelayP99Ms: number })));
    server.child.send('loop-delay:start');
    const freshFitSeconds = await timed('/clusters?dataset=1&k=12');
    server.child.send('loop-delay:stop');
    const { loopDelayP99Ms } = await loopDelay;
    const overviewSeconds = await timed('/?dataset=1');
    const predictSeconds = await timed('/predict?dataset=1&k=5');
    const customer = { age: 41, gender: 'Female', annual_income: 58000, spending_score: 62, membership_years: 3, purchase_frequency: 11, last_purchase_amount: 120, preferred_category: 'Books' };
    const registering = performance.now();
    const registered = await fetch(`${server.base}/api/customers?dataset=1&k=5`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(customer) });
    if (registered.status !== 201) throw new Error(`registration answered ${registered.status}: ${await registered.text()}`);
    const registrationSeconds = (performance.now() - registering) / 1000;
    const afterRegistrationSeconds = await timed('/clusters?dataset=1&k=5');
    // Peak memory up to here: what follows is one more segmentation (another seed) cached.
    const peakRss = peakRssMb(server.child.pid!);
    await timed('/clusters?dataset=1&k=5&seed=43');
    const laterClient = keepAliveClient(server.base);
    const laterCurves = laterClient.timedGet('/clusters/sweep?dataset=1&k=5&shown=5&seed=43').finally(() => laterClient.close());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const secondLaterRerunSeconds = await timed('/clusters?dataset=1&k=6&seed=43');
    await laterCurves;
    return {
      rows, firstViewSeconds, sweepRegionSeconds, earlyRerunSeconds, sweepSeconds, rerunSeconds, freshFitSeconds, loopDelayP99Ms, overviewSeconds, predictSeconds,
      registrationSeconds, afterRegistrationSeconds, secondLaterRerunSeconds, peakRssMb: peakRss,
    };
  } finally {
    await client.close();
    server.child.kill('SIGTERM');
    await server.exited;
  }
}
