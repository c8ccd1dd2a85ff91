/** The app on an ephemeral loopback port, for browser tests. */
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { createTestApp, type TestApp } from '../http/harness.ts';
import { CHROMIUM_PATH } from './browser.ts';

export interface RunningServer extends TestApp {
  baseUrl: string;
  stop: () => Promise<void>;
}

export async function startServer(): Promise<RunningServer> {
  const t = await createTestApp();
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    ...t,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      t.close();
    },
  };
}

/** Browser tests need Debian's chromium (.ci/run installs it); without it they are skipped, loudly. */
export const browserSkip = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium`;
