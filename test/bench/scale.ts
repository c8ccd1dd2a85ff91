/**
 * Big data through the real server: the bundle npm start runs (dist/, one analysis worker)
 * in its own process, with a synthetic dataset of n customers imported. Each tab is timed
 * with a keep-alive client; the peak RSS is the server process's own (VmHWM).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBigCsv } from '../fixtures/big-csv.ts';
import { keepAliveClient } from '../support/listening-app.ts';
import { buildServer, startServerProcess } from '../support/server-process.ts';

const LOOP_PROBE = fileURLToPath(new URL('../support/loop-probe.mjs', import.meta.url));

export interface ScaleFigures {
  rows: number;
  /** Opening Clusters on a fresh dataset: load, k sweep, fit, every chart. */
  firstViewSeconds: number;
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
  /** The Predict tab (input ranges of every feature). */
  predictSeconds: number;
  /** Registering one customer (validated against the data, assigned a segment, stored). */
  registrationSeconds: number;
  /** The Clusters view after that registration: the new version loaded, the fit extended. */
  afterRegistrationSeconds: number;
  /** Peak resident memory of the server process, worker threads included. */
  peakRssMb: number;
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
    buildServer();
    const server = await startServerProcess(dbPath, { WORKERS: '1' }, { built: true, ipc: true, nodeArgs: ['--import', LOOP_PROBE] });
    const client = keepAliveClient(server.base);
    try {
      const timed = async (path: string) => (await client.timedGet(path)) / 1000;
      const firstViewSeconds = await timed('/clusters?dataset=1&k=5');
      let rerunSeconds = 0;
      for (const k of [3, 4, 6, 8]) rerunSeconds = Math.max(rerunSeconds, await timed(`/clusters?dataset=1&k=${k}`));
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
      return {
        rows, firstViewSeconds, sweepSeconds, rerunSeconds, freshFitSeconds, loopDelayP99Ms, overviewSeconds, predictSeconds,
        registrationSeconds, afterRegistrationSeconds, peakRssMb: peakRssMb(server.child.pid!),
      };
    } finally {
      await client.close();
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
