/**
 * A bounded pool of analysis workers with a queue. Identical tasks, queued or running, share
 * one run; a worker that dies is replaced and its callers get the error.
 */
import { Worker } from 'node:worker_threads';
import { BusyError, InputError, SupersededError } from '../errors.ts';

/**
 * From the sources (tsx), an entry that registers the TypeScript loader in the worker; from
 * the bundle npm start runs (dist/main.js), the bundled worker beside it (scripts/build.mjs).
 */
const WORKER_URL = import.meta.url.endsWith('.ts') ? new URL('./worker-entry.mjs', import.meta.url) : new URL('./engine/worker.js', import.meta.url);

import type { WorkerReply, WorkerTask } from './worker.ts';

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
  /** Aborted when the client goes away: queued work only it waited for is dropped. */
  signal?: AbortSignal;
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** One request's tasks share a context and never replace each other. */
  context: RunContext;
}

interface Queued {
  body: TaskBody;
  /** Tasks with the same key are the same work. */
  key: string;
  waiters: Waiter[];
}

interface Slot {
  worker: Worker;
  busy: boolean;
  pending?: Queued;
  /** Stops the running task once it has used its time (the watchdog). */
  watchdog?: NodeJS.Timeout;
}

/**
 * The longest one analysis may run (ANALYSIS_TIMEOUT_SECONDS). A million customers' first
 * view takes under 20 s; a task far past that holds the worker, and so every user's
 * analysis, and is stopped: its worker is replaced and its callers get a 503.
 */
export const DEFAULT_TASK_TIMEOUT_MS = 120_000;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closing = false;
  readonly stats = { runs: 0, shared: 0, superseded: 0 };

  /** More queued tasks than this are refused (503) rather than left to pile up. */
  constructor(size: number, private readonly maxQueued = 64, private readonly taskTimeoutMs = DEFAULT_TASK_TIMEOUT_MS) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const slot = { busy: false } as Slot;
      this.start(slot);
      this.slots.push(slot);
    }
  }

  private start(slot: Slot): void {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.on('message', (reply: WorkerReply) => this.finish(slot, reply));
    worker.on('error', (error) => this.fail(slot, error));
    worker.on('exit', (code) => {
      if (slot.worker === worker && !this.closing) this.fail(slot, new Error(`the analysis worker stopped (exit code ${code})`));
    });
    worker.unref();
    slot.worker = worker;
  }

  run<T>(body: TaskBody, key: string, context: RunContext = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (context.signal?.aborted) {
        reject(new SupersededError('The client went away before the analysis started.'));
        return;
      }
      const waiter: Waiter = { resolve: resolve as (v: unknown) => void, reject, context };
      if (context.view) this.supersede(context);
      context.signal?.addEventListener('abort', () => this.drop(waiter), { once: true });
      const same = this.queue.find((q) => q.key === key) ?? this.slots.find((s) => s.pending?.key === key)?.pending;
      if (same) {
        this.stats.shared++;
        same.waiters.push(waiter);
        return;
      }
      if (this.queue.length >= this.maxQueued) {
        reject(new BusyError());
        return;
      }
      this.queue.push({ body, key, waiters: [waiter] });
      this.dispatch();
    });
  }

  /** Queued (not yet running) tasks of this view for other work are answered as superseded. */
  private supersede(context: RunContext): void {
    for (const entry of [...this.queue]) {
      for (const waiter of entry.waiters.filter((w) => w.context.view === context.view && w.context !== context)) {
        this.removeWaiter(entry, waiter);
        waiter.reject(new SupersededError());
      }
    }
  }

  /** The client of this waiter went away: if its task is still queued, it stops waiting. */
  private drop(waiter: Waiter): void {
    const entry = this.queue.find((q) => q.waiters.includes(waiter));
    if (!entry) return; // running or done: the result still fills the caches
    this.removeWaiter(entry, waiter);
    waiter.reject(new SupersededError('The client went away before the analysis started.'));
  }

  private removeWaiter(entry: Queued, waiter: Waiter): void {
    entry.waiters.splice(entry.waiters.indexOf(waiter), 1);
    if (entry.waiters.length === 0) {
      this.queue.splice(this.queue.indexOf(entry), 1);
      this.stats.superseded++;
    }
  }

  /** Tasks waiting for a free worker. */
  get queued(): number {
    return this.queue.length;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const entry = this.queue.shift()!;
      slot.busy = true;
      slot.pending = entry;
      // A busy worker keeps the process alive until it answers; an idle one does not.
      slot.worker.ref();
      this.stats.runs++;
      slot.watchdog = setTimeout(() => {
        const seconds = Math.round(this.taskTimeoutMs / 1000);
        this.fail(slot, new BusyError(`This analysis ran for more than ${seconds} s and was stopped, so that other analyses can go on; choose fewer features, a smaller range of k or fewer restarts, or try again later.`));
      }, this.taskTimeoutMs);
      slot.worker.postMessage({ ...entry.body, id: this.nextId++ } as WorkerTask);
    }
  }

  private finish(slot: Slot, reply: WorkerReply): void {
    clearTimeout(slot.watchdog);
    const entry = slot.pending!;
    slot.busy = false;
    slot.pending = undefined;
    slot.worker.unref();
    for (const w of entry.waiters) {
      if (reply.ok) w.resolve(reply.value);
      else if (reply.error.input) w.reject(new InputError(reply.error.message, { status: reply.error.status, field: reply.error.field }));
      else w.reject(new Error(reply.error.message));
    }
    this.dispatch();
  }

  private fail(slot: Slot, error: Error): void {
    clearTimeout(slot.watchdog);
    if (this.closing) return;
    const entry = slot.pending;
    slot.busy = false;
    slot.pending = undefined;
    entry?.waiters.forEach((w) => w.reject(error));
    void slot.worker.terminate();
    this.start(slot);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const slot of this.slots) clearTimeout(slot.watchdog);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
