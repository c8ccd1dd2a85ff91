/** Server time of a Clusters re-run on the default dataset, render included. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app.ts';
import { DEFAULT_DATASET_PATH } from '../../server/config.ts';
import { Engine } from '../../server/engine/engine.ts';
import { openDatabase } from '../../server/store/db.ts';
import { seedDefaultDataset } from '../../server/store/seed.ts';

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
    // One listening server and a keep-alive client, as a browser talks to it: the time is the
    // server's work plus one local round trip.
    const server = createApp({ db, engine }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) => new Promise<void>((resolve, reject) => {
      httpGet(base + path, { agent, headers: { 'HX-Request': 'true' } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`${path} answered ${response.statusCode}`))));
      }).on('error', reject);
    });
    let started = performance.now();
    await get('/clusters?k=5');
    const sweepMs = performance.now() - started;
    const rerun: number[] = [];
    for (let i = 0; i < requests; i++) {
      engine.clearResults();
      started = performance.now();
      await get(`/clusters?k=${2 + (i % 9)}`);
      rerun.push(performance.now() - started);
    }
    for (let k = 2; k <= 10; k++) await get(`/clusters?k=${k}`);
    const cached: number[] = [];
    for (let i = 0; i < requests; i++) {
      started = performance.now();
      await get(`/clusters?k=${2 + (i % 9)}`);
      cached.push(performance.now() - started);
    }
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    db.close();
    return { rerun: percentiles(rerun), cached: percentiles(cached), sweepMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
