/**
 * Load and soak against the real server process (npm start's entry, one analysis worker).
 * load: autocannon, 50 connections on the Clusters partial and on /api/predict.
 * soak: 20 live-update (SSE) clients connected while registrations flow; server RSS sampled.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildServer, startServerProcess, type ServerProcess } from '../support/server-process.ts';

export interface LoadFigures {
  name: string;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

const PREDICT_BODY = JSON.stringify({ customer: { age: 35, annual_income: 62000, spending_score: 71, membership_years: 4, purchase_frequency: 12, last_purchase_amount: 180 } });

async function cannon(name: string, options: autocannon.Options): Promise<LoadFigures> {
  const result = await autocannon(options);
  return {
    name,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requestsPerSecond: result.requests.average,
  };
}

/** The Clusters partial (k cycling 2..10, as a user moving the slider) and /api/predict. */
export async function runLoad(server: ServerProcess, seconds: number, connections = 50): Promise<LoadFigures[]> {
  // Warm the caches a first visitor would fill (the k sweep).
  await (await fetch(`${server.base}/clusters`)).text();
  const clusters = await cannon('GET /clusters partial (k 2..10)', {
    url: server.base, connections, duration: seconds,
    requests: Array.from({ length: 9 }, (_, i) => ({ method: 'GET' as const, path: `/clusters?k=${i + 2}`, headers: { 'HX-Request': 'true' } })),
  });
  const predict = await cannon('POST /api/predict', {
    url: server.base, connections, duration: seconds,
    requests: [{ method: 'POST', path: '/api/predict', headers: { 'Content-Type': 'application/json' }, body: PREDICT_BODY }],
  });
  return [clusters, predict];
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

export interface SoakFigures {
  seconds: number;
  registrations: number;
  failedRegistrations: number;
  sseClients: number;
  eventsReceived: number;
  rssAfterWarmupMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  growthMb: number;
}

/** Registrations every `intervalMs` while `clients` event streams stay open; RSS growth after warm-up. */
export async function runSoak(server: ServerProcess, seconds: number, clients = 20, intervalMs = 250, warmupSeconds = 30): Promise<SoakFigures> {
  const pid = server.child.pid!;
  let eventsReceived = 0;
  const controllers = Array.from({ length: clients }, () => new AbortController());
  await Promise.all(controllers.map(async (controller) => {
    const res = await fetch(`${server.base}/events?dataset=1`, { signal: controller.signal });
    const reader = res.body!.getReader();
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          eventsReceived += (new TextDecoder().decode(value).match(/^event:/gm) ?? []).length;
        }
      } catch { /* aborted at the end */ }
    })();
  }));
  let registrations = 0;
  let failedRegistrations = 0;
  let i = 0;
  const register = async () => {
    const customer = { age: 20 + (i % 50), gender: i % 2 ? 'Male' : 'Female', annual_income: 30000 + (i * 137) % 90000, spending_score: (i * 7) % 100, membership_years: i % 10, purchase_frequency: (i % 30) + 1, last_purchase_amount: 20 + (i * 13) % 500, preferred_category: 'Books' };
    i++;
    const res = await fetch(`${server.base}/api/customers?dataset=1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(customer) });
    await res.text();
    if (res.status === 201) registrations++;
    else failedRegistrations++;
  };
  const started = Date.now();
  let rssAfterWarmupMb = 0;
  let rssMaxMb = 0;
  while (Date.now() - started < seconds * 1000) {
    await register();
    // A dashboard reader now and then, as the live refresh would cause.
    if (i % 20 === 0) await (await fetch(`${server.base}/clusters?k=5`, { headers: { 'HX-Request': 'true' } })).text();
    const rss = rssMb(pid);
    rssMaxMb = Math.max(rssMaxMb, rss);
    if (!rssAfterWarmupMb && Date.now() - started >= warmupSeconds * 1000) rssAfterWarmupMb = rss;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const rssEndMb = rssMb(pid);
  controllers.forEach((c) => c.abort());
  return {
    seconds, registrations, failedRegistrations, sseClients: clients, eventsReceived,
    rssAfterWarmupMb, rssEndMb, rssMaxMb, growthMb: rssEndMb - rssAfterWarmupMb,
  };
}

/** npm run load / npm run soak: prints the figures for the closing note. */
async function main(mode: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-load-'));
  buildServer();
  const server = await startServerProcess(join(dir, 'load.db'), { WORKERS: '1' }, { built: true });
  try {
    if (mode === 'load') {
      for (const f of await runLoad(server, Number(process.env.LOAD_SECONDS ?? 30))) console.log(JSON.stringify(f));
    } else {
      console.log(JSON.stringify(await runSoak(server, Number(process.env.SOAK_SECONDS ?? 600))));
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'load' || process.argv[2] === 'soak') await main(process.argv[2]);
