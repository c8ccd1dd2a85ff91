/** Server time of a Clusters re-run on the default dataset, render included. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import { DEFAULT_DATASET_PATH } from '../../server/config.ts';
import { Engine } from '../../server/engine/engine.ts';
import { openDatabase } from '../../server/store/db.ts';
import { seedDefaultDataset } from '../../server/store/seed.ts';
import { listenWithClient } from '../support/listening-app.ts';

export interface LatencyFigures {
  p50: number;
  p95: number;
  max: number;
}

export function percentiles(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

export async function benchClusters(requests = 200): Promise<{ rerun: LatencyFigures; cached: LatencyFigures; sweepMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-clusters-'));
  try {
    const db = openDatabase(join(dir, 'bench.db'));
    await seedDefaultDataset(db, DEFAULT_DATASET_PATH, 'Sample customers');
    const engine = new Engine(db);
    const client = await listenWithClient(createApp({ db, engine }));
    // A first view as the browser loads it: the fit region, then the curves region (the sweep).
    const sweepMs = (await client.timedGet('/clusters?k=5')) + (await client.timedGet('/clusters/sweep?k=5&shown=5'));
    const rerun: number[] = [];
    for (let i = 0; i < requests; i++) {
      engine.clearResults();
      rerun.push(await client.timedGet(`/clusters?k=${2 + (i % 9)}`));
    }
    for (let k = 2; k <= 10; k++) await client.timedGet(`/clusters?k=${k}`);
    const cached: number[] = [];
    for (let i = 0; i < requests; i++) cached.push(await client.timedGet(`/clusters?k=${2 + (i % 9)}`));
    await client.close();
    db.close();
    return { rerun: percentiles(rerun), cached: percentiles(cached), sweepMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
