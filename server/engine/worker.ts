/**
 * The analysis worker: runs tasks off the request thread. It reads the datasets from the
 * database itself (read-only), so tables never cross threads and the request thread holds
 * none of them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { monitored, type ProgressStep, type TaskMonitor } from '../analysis/progress.ts';
import { CancelledError, InputError } from '../errors.ts';
import { openReader, type Db } from '../store/db.ts';
import { TaskRunner, type AnalysisTask } from './tasks.ts';
import { exposeGarbageCollection } from './collect-garbage.ts';
import { stopAsked, yieldingFor, type CancelFlags } from './cancel-flags.ts';

export type WorkerTask = AnalysisTask & { id: number; dbPath: string };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; status?: number; field?: string; input: boolean; cancelled?: boolean } }
  | { id: number; progress: ProgressStep };

/** What the pool gives each worker: the flags it writes to stop a running task (cancel-flags.ts). */
export interface WorkerSetup {
  cancel: CancelFlags;
}

/** A new step is sent at once; counts within one step at most this often. */
const PROGRESS_INTERVAL_MS = 150;

/**
 * After a task on a big table the worker collects its garbage at once: V8 otherwise lets
 * dead typed arrays (tens of MB each on a million customers) wait for a later collection,
 * and the process's peak memory is what they add up to.
 */
const BIG_TABLE_ROWS = 100_000;
const collectGarbage = exposeGarbageCollection();

const runner = new TaskRunner({ collectGarbage });
const databases = new Map<string, Db>();

function databaseAt(path: string): Db {
  let db = databases.get(path);
  if (!db) {
    db = openReader(path);
    databases.set(path, db);
  }
  return db;
}

const { cancel } = workerData as WorkerSetup;

function monitorFor(id: number): TaskMonitor {
  let last = 0;
  let lastStep = '';
  return {
    cancelled: () => stopAsked(cancel, id),
    yieldingFor: () => yieldingFor(cancel),
    report: (progress) => {
      const now = Date.now();
      if (progress.step === lastStep && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      lastStep = progress.step;
      parentPort!.postMessage({ id, progress } satisfies WorkerReply);
    },
  };
}

/** Answers the task; returns whether it ran to its end (a stopped one did not). */
function answer(task: WorkerTask): boolean {
  let reply: WorkerReply;
  try {
    reply = { id: task.id, ok: true, value: monitored(monitorFor(task.id), () => runner.run(databaseAt(task.dbPath), task)) };
  } catch (error) {
    const err = error as Error;
    reply = {
      id: task.id,
      ok: false,
      error: {
        message: err.message,
        status: (err as InputError).status,
        field: (err as InputError).field,
        input: err instanceof InputError,
        cancelled: err instanceof CancelledError,
      },
    };
  }
  parentPort!.postMessage(reply);
  return reply.ok || !reply.error.cancelled;
}

parentPort?.on('message', (task: WorkerTask) => {
  // A stopped task made room for another, which should not wait for a collection (10 ms on a
  // million customers): the garbage goes with the collection after that one.
  if (answer(task) && task.source.rowCount >= BIG_TABLE_ROWS) collectGarbage();
});
