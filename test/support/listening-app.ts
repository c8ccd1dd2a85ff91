/**
 * An app listening on a loopback port with one keep-alive client, as a browser talks to it:
 * a timed request is the server's work plus one local round trip.
 */
import type { Express } from 'express';
import { Agent, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import { DEFAULT_DATASET_PATH } from '../../server/config.ts';
import type { Engine } from '../../server/engine/engine.ts';
import { buildServices } from '../../server/services.ts';
import { openDatabase, type Db } from '../../server/store/db.ts';
import { seedDefaultDataset } from '../../server/ingest/seed.ts';

export interface ListeningApp {
  /** GET as an htmx request; resolves with the milliseconds it took, rejects on a non-200. */
  timedGet: (path: string) => Promise<number>;
  close: () => Promise<void>;
}

export async function listenWithClient(app: Express): Promise<ListeningApp> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const client = keepAliveClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    timedGet: client.timedGet,
    close: async () => {
      await client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The same client for a server running elsewhere (another process). */
export function keepAliveClient(base: string): ListeningApp {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    timedGet: (path) => new Promise<number>((resolve, reject) => {
      const started = performance.now();
      httpGet(base + path, { agent, headers: { 'HX-Request': 'true' } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${path} answered ${response.statusCode}`))));
      }).on('error', reject);
    }),
    close: async () => agent.destroy(),
  };
}

/**
 * The sample dataset in a temporary database, served on a loopback port with one keep-alive
 * client, analysis on the request thread: what the latency benchmarks time. `run` gets them
 * and the temporary directory is removed after it, whatever happens.
 */
export async function withSampleApp<T>(label: string, run: (app: { db: Db; engine: Engine; client: ListeningApp }) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `cs-bench-${label}-`));
  const db = openDatabase(join(dir, 'bench.db'));
  try {
    await seedDefaultDataset(db, DEFAULT_DATASET_PATH, 'Sample customers');
    const services = buildServices(db);
    const { engine } = services;
    const client = await listenWithClient(createApp({ db, ...services }));
    try {
      return await run({ db, engine, client });
    } finally {
      await client.close();
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
