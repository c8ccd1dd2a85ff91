/**
 * WAL checkpoints in a thread of their own. SQLite's automatic checkpoint runs inside the
 * commit that crosses its threshold: after an import the next commit copied tens of
 * megabytes of log into the database file on the request thread (109 ms for 300,000 rows,
 * half a second after five imports), stalling every request. Connections of the request
 * thread turn the automatic checkpoint off and this thread checkpoints every second.
 */
import { Worker } from 'node:worker_threads';

const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./checkpoint-worker.mjs', import.meta.url)
  : new URL('../server/store/checkpoint-worker.mjs', import.meta.url);
const INTERVAL_MS = 1000;

export interface Checkpointer {
  close(): Promise<void>;
}

export function startCheckpointer(path: string): Checkpointer {
  const worker = new Worker(WORKER_URL, { workerData: { path, intervalMs: INTERVAL_MS } });
  worker.unref();
  let closing = false;
  // A database closed (and its folder removed) before the thread had opened it is no failure.
  worker.on('error', (error) => closing || console.error(`The background checkpoint thread stopped: ${error.message}`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    close: async () => {
      closing = true;
      worker.postMessage('close');
      await exited;
    },
  };
}
