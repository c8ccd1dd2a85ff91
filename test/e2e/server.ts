/** The app on an ephemeral loopback port, for browser tests. */
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { createTestApp, type TestApp } from '../http/harness.ts';
import { WorkerPool } from '../../server/engine/pool.ts';
import type { AuthSettings } from '../../server/web/auth.ts';
import type { SourceSettings } from '../../server/sources/source-service.ts';
import { CHROMIUM_PATH } from './browser.ts';

export interface RunningServer extends TestApp {
  baseUrl: string;
  /** Cuts every open connection, event streams included, as a network drop would. */
  dropConnections: () => void;
  stop: () => Promise<void>;
}

/** The app as `npm start` runs it: analysis in a worker thread. */
export async function startServer(options: { auth?: AuthSettings; sources?: Partial<SourceSettings> } = {}): Promise<RunningServer> {
  const pool = new WorkerPool(1);
  const t = await createTestApp({ pool, auth: options.auth, sources: options.sources });
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    ...t,
    baseUrl: `http://127.0.0.1:${port}`,
    dropConnections: () => server.closeAllConnections(),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
      t.close();
    },
  };
}

/** Browser tests need Debian's chromium (.ci/run installs it); without it they are skipped, loudly. */
export const browserSkip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium`;

/**
 * Each browser suite's own limit: a stuck wait fails the suite in minutes, and its after
 * hook still closes the browser and the server, so the file never hangs.
 */
export const BROWSER_TEST_TIMEOUT_MS = 180_000;
