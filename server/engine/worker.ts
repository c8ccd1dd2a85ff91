/**
 * The analysis worker: runs tasks off the request thread. It reads the datasets from the
 * database itself (read-only), so tables never cross threads and the request thread holds
 * none of them.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { InputError } from '../errors.ts';
import { openReader, type Db } from '../store/db.ts';
import { TaskRunner, type AnalysisTask } from './tasks.ts';

export type WorkerTask = AnalysisTask & { id: number; dbPath: string };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; status?: number; field?: string; input: boolean } };

/**
 * After a task on a big table the worker collects its garbage at once: V8 otherwise lets
 * dead typed arrays (tens of MB each on a million customers) wait for a later collection,
 * and the process's peak memory is what they add up to.
 */
const BIG_TABLE_ROWS = 100_000;
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const runner = new TaskRunner();
const databases = new Map<string, Db>();

function databaseAt(path: string): Db {
  let db = databases.get(path);
  if (!db) {
    db = openReader(path);
    databases.set(path, db);
  }
  return db;
}

function answer(task: WorkerTask): void {
  let reply: WorkerReply;
  try {
    reply = { id: task.id, ok: true, value: runner.run(databaseAt(task.dbPath), task) };
  } catch (error) {
    const err = error as Error;
    reply = { id: task.id, ok: false, error: { message: err.message, status: (err as InputError).status, field: (err as InputError).field, input: err instanceof InputError } };
  }
  parentPort!.postMessage(reply);
}

parentPort?.on('message', (task: WorkerTask) => {
  answer(task);
  if (task.source.rowCount >= BIG_TABLE_ROWS) collectGarbage();
});
