/**
 * Big data through the real server stack (createApp, Engine, one analysis worker as npm start
 * runs it): a synthetic dataset of n customers is imported, then the Clusters view is timed
 * with a keep-alive client. Runs in a child process so its peak RSS is the server's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeBigCsv } from '../fixtures/big-csv.ts';
import { listenWithClient } from '../support/listening-app.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

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
  peakRssMb: number;
}

async function child(dbPath: string): Promise<void> {
  const { openDatabase } = await import('../../server/store/db.ts');
  const { createApp } = await import('../../server/app.ts');
  const { Engine } = await import('../../server/engine/engine.ts');
  const { WorkerPool } = await import('../../server/engine/pool.ts');
  const db = openDatabase(dbPath);
  const pool = new WorkerPool(1);
  const engine = new Engine(db, { pool });
  const client = await listenWithClient(createApp({ db, engine }));
  const timed = async (path: string) => (await client.timedGet(path)) / 1000;
  const firstViewSeconds = await timed('/clusters?dataset=1&k=5');
  let rerunSeconds = 0;
  for (const k of [3, 4, 6, 8]) rerunSeconds = Math.max(rerunSeconds, await timed(`/clusters?dataset=1&k=${k}`));
  const sweepSeconds = await timed('/api/sweep?dataset=1&seed=7');
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const freshFitSeconds = await timed('/clusters?dataset=1&k=12');
  delay.disable();
  const figures: Omit<ScaleFigures, 'rows'> = {
    firstViewSeconds, sweepSeconds, rerunSeconds, freshFitSeconds,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    // maxRSS is in kilobytes on Linux, and covers the worker threads of this process.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(figures));
  await client.close();
  await pool.close();
  db.close();
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
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/bench/scale.ts', 'child', dbPath], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (run.status !== 0) throw new Error(`scale bench failed (exit ${run.status})`);
    return { rows, ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as Omit<ScaleFigures, 'rows'>) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]);
