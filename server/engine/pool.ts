/**
 * A bounded pool of analysis workers with a queue. Identical tasks, queued or running, share
 * one run; a worker that dies is replaced and its callers get the error. A task nobody waits
 * for any more (its clients went away, or newer requests of their views replaced it) is
 * dropped from the queue, or stopped at its next stop point if it runs.
 */
import { MAX_QUEUED_TASKS, TASK_TIMEOUT_MS } from '../defaults.ts';
import { Worker } from 'node:worker_threads';
import { BusyError, InputError, SupersededError } from '../errors.ts';
import { askToStop, cancelFlags, type CancelFlags } from './cancel-flags.ts';

/**
 * From the sources (tsx), an entry that registers the TypeScript loader in the worker; from
 * the bundle npm start runs (dist/main.js), the bundled worker beside it (scripts/build.mjs).
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./worker-entry.mjs', import.meta.url)
  : new URL('./engine/worker.js', import.meta.url);

import type { ProgressStep } from '../analysis/progress.ts';
import type { WorkerReply, WorkerSetup, WorkerTask } from './worker.ts';

/**
 * The worker's short-lived objects are small (its bulk is typed arrays, outside the V8 heap),
 * so a smaller young generation than V8's default costs little time and saves about 20 MB
 * of resident memory.
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** A task as the engine states it: the pool numbers it. */
type TaskBody = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'id'> : never) : never;

/** Who asked for a task, so a newer request from the same view can replace a queued one. */
export interface RunContext {
  /** One browser view (tab and page): a newer task from it replaces its queued ones. */
  view?: string;
  /** Aborted when the client goes away: work only it waited for is dropped or stopped. */
  signal?: AbortSignal;
  /** Where the running task is ("fitting k = 5"), a few times a second. */
  onProgress?: (step: ProgressStep) => void;
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** One request's tasks share a context and never replace each other. */
  context: RunContext;
}

interface Queued {
  body: TaskBody;
  /** Work no chart of a first view waits for (sweeps, stability): fits and updates go first. */
  background: boolean;
  /** Tasks with the same key are the same work. */
  key: string;
  waiters: Waiter[];
}

interface Slot {
  worker: Worker;
  /** The worker reads them at each stop point (cancel-flags.ts). */
  cancel: CancelFlags;
  busy: boolean;
  pending?: Queued;
  /** The id of the task it runs. */
  taskId: number;
  /** Its task was told to stop: new callers of the same work queue a fresh run. */
  stopping: boolean;
  /** Its background task was told to stop for a view's request: it goes back to the queue, not to its callers. */
  yielding: boolean;
  /** Cancels the running task's time limit (the watchdog). */
  cancelWatchdog?: () => void;
}

/** A fit that takes the sweep's fit at its k when there is one (prepared.ts): k-means and mini-batch. */
function reusesSweptFit(body: TaskBody): body is Extract<TaskBody, { kind: 'segment' }> {
  return body.kind === 'segment' && (body.options.algorithm === 'kmeans' || body.options.algorithm === 'minibatch');
}

/** Starts a task's time limit, calling `expire` when it runs out; returns how to cancel it. */
export type Watchdog = (expire: () => void, ms: number) => () => void;

const timerWatchdog: Watchdog = (expire, ms) => {
  const timer = setTimeout(expire, ms);
  return () => clearTimeout(timer);
};

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closing = false;
  readonly stats = { runs: 0, shared: 0, superseded: 0, stopped: 0, yielded: 0 };

  /**
   * More queued tasks than `maxQueued` are refused (503) rather than left to pile up. The
   * watchdog starts each task's time limit: a timer by default; a test passes one it fires.
   */
  constructor(
    size: number,
    private readonly maxQueued = MAX_QUEUED_TASKS,
    private readonly taskTimeoutMs = TASK_TIMEOUT_MS,
    private readonly watchdog: Watchdog = timerWatchdog,
  ) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const slot = { busy: false, taskId: 0, stopping: false, yielding: false } as Slot;
      this.start(slot);
      this.slots.push(slot);
    }
  }

  private start(slot: Slot): void {
    slot.cancel = cancelFlags();
    const workerData: WorkerSetup = { cancel: slot.cancel };
    const worker = new Worker(WORKER_URL, { workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.on('message', (reply: WorkerReply) => this.finish(slot, reply));
    worker.on('error', (error) => this.fail(slot, error));
    worker.on('exit', (code) => {
      if (slot.worker === worker && !this.closing) this.fail(slot, new Error(`the analysis worker stopped (exit code ${code})`));
    });
    worker.unref();
    slot.worker = worker;
  }

  run<T>(body: TaskBody, key: string, context: RunContext = {}, background = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (context.signal?.aborted) {
        reject(new SupersededError('The client went away before the analysis started.'));
        return;
      }
      const waiter: Waiter = { resolve: resolve as (v: unknown) => void, reject, context };
      if (context.view) this.supersede(context);
      context.signal?.addEventListener('abort', () => this.drop(waiter), { once: true });
      const same = this.queue.find((q) => q.key === key) ?? this.slots.find((s) => s.pending?.key === key && !s.stopping)?.pending;
      if (same) {
        this.stats.shared++;
        same.waiters.push(waiter);
        return;
      }
      if (this.queue.length >= this.maxQueued) {
        reject(new BusyError());
        return;
      }
      this.queue.push({ body, key, waiters: [waiter], background });
      if (!background) this.makeRoom(body);
      this.dispatch();
    });
  }

  /**
   * A view's request waits for no background work (sweeps, stability): when every worker
   * is busy and one runs such work, that work stops at its next stop point and goes back to
   * the queue behind the request. A sweep goes on from the values of k it had scored; told
   * the k the request asks for, it first finishes that k if it is fitting it (finishingK).
   */
  private makeRoom(body: TaskBody): void {
    if (this.slots.some((s) => !s.busy || s.yielding)) return;
    const slot = this.slots.find((s) => s.pending?.background && !s.stopping);
    if (!slot) return;
    slot.yielding = true;
    askToStop(slot.cancel, slot.taskId, reusesSweptFit(body) ? body.options.k : 0);
    this.stats.yielded++;
  }

  /** Earlier tasks of this view, queued or running, are answered as superseded. */
  private supersede(context: RunContext): void {
    const entries = [...this.queue, ...this.slots.flatMap((s) => (s.pending && !s.stopping ? [s.pending] : []))];
    for (const entry of entries) {
      for (const waiter of entry.waiters.filter((w) => w.context.view === context.view && w.context !== context)) {
        this.removeWaiter(entry, waiter);
        waiter.reject(new SupersededError());
      }
    }
  }

  /** The client of this waiter went away: it stops waiting, and its task stops if nobody else waits. */
  private drop(waiter: Waiter): void {
    const entry =
      this.queue.find((q) => q.waiters.includes(waiter)) ?? this.slots.find((s) => s.pending?.waiters.includes(waiter))?.pending;
    if (!entry) return; // done
    this.removeWaiter(entry, waiter);
    waiter.reject(new SupersededError('The client went away before the analysis finished.'));
  }

  private removeWaiter(entry: Queued, waiter: Waiter): void {
    entry.waiters.splice(entry.waiters.indexOf(waiter), 1);
    if (entry.waiters.length > 0) return;
    const queuedAt = this.queue.indexOf(entry);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      this.stats.superseded++;
      return;
    }
    const slot = this.slots.find((s) => s.pending === entry);
    if (slot && !slot.stopping) {
      // The worker's thread is busy: it sees this at its next stop point and answers cancelled.
      slot.stopping = true;
      askToStop(slot.cancel, slot.taskId);
      this.stats.stopped++;
    }
  }

  /** Tasks waiting for a free worker. */
  get queued(): number {
    return this.queue.length;
  }

  private dispatch(): void {
    if (this.closing) return;
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const next = this.queue.findIndex((q) => !q.background);
      const entry = this.queue.splice(next < 0 ? 0 : next, 1)[0];
      slot.busy = true;
      slot.pending = entry;
      slot.taskId = this.nextId++;
      slot.stopping = false;
      slot.yielding = false;
      // A busy worker keeps the process alive until it answers; an idle one does not.
      slot.worker.ref();
      this.stats.runs++;
      slot.cancelWatchdog = this.watchdog(() => {
        const seconds = Math.round(this.taskTimeoutMs / 1000);
        this.fail(
          slot,
          new BusyError(
            `This analysis ran for more than ${seconds} s and was stopped, so that other analyses can go on; choose fewer features, a ` +
              `smaller range of k or fewer restarts, or try again later.`,
          ),
        );
      }, this.taskTimeoutMs);
      slot.worker.postMessage({ ...entry.body, id: slot.taskId } as WorkerTask);
    }
  }

  private finish(slot: Slot, reply: WorkerReply): void {
    if ('progress' in reply) {
      if (reply.id === slot.taskId) for (const w of slot.pending?.waiters ?? []) w.context.onProgress?.(reply.progress);
      return;
    }
    slot.cancelWatchdog?.();
    const entry = slot.pending!;
    const requeue = slot.yielding && !slot.stopping && !reply.ok && reply.error.cancelled === true;
    slot.busy = false;
    slot.pending = undefined;
    slot.stopping = false;
    slot.yielding = false;
    // While closing, the worker stays referenced: its exit is what close() waits for.
    if (!this.closing) slot.worker.unref();
    if (requeue) {
      // First among the background work: dispatch still takes the views' requests before it.
      this.queue.unshift(entry);
      this.dispatch();
      return;
    }
    for (const w of entry.waiters) {
      if (reply.ok) w.resolve(reply.value);
      else if (reply.error.cancelled) w.reject(new SupersededError());
      else if (reply.error.input) w.reject(new InputError(reply.error.message, { status: reply.error.status, field: reply.error.field }));
      else w.reject(new Error(reply.error.message));
    }
    this.dispatch();
  }

  private fail(slot: Slot, error: Error): void {
    slot.cancelWatchdog?.();
    if (this.closing) return;
    const entry = slot.pending;
    slot.busy = false;
    slot.pending = undefined;
    slot.stopping = false;
    slot.yielding = false;
    entry?.waiters.forEach((w) => w.reject(error));
    void slot.worker.terminate();
    this.start(slot);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const slot of this.slots) {
      slot.cancelWatchdog?.();
      // An unreferenced worker's exit does not keep the process waiting: close() would never answer.
      slot.worker.ref();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
