/**
 * A bounded pool of analysis workers with a queue. Identical tasks, queued or running, share
 * one run; a worker that dies is replaced and its callers get the error.
 */
import { Worker } from 'node:worker_threads';
import type { DataTable } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import type { WorkerReply, WorkerTask } from './worker.ts';

type TaskBody = Omit<WorkerTask, 'id' | 'table'> & { table: DataTable };

interface Queued {
  body: TaskBody;
  /** Tasks with the same key are the same work. */
  key: string;
  waiters: { resolve: (v: unknown) => void; reject: (e: Error) => void }[];
}

interface Slot {
  worker: Worker;
  busy: boolean;
  tables: Set<string>;
  pending?: Queued;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closing = false;
  readonly stats = { runs: 0, shared: 0 };

  constructor(size: number) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const slot = { busy: false, tables: new Set<string>() } as Slot;
      this.start(slot);
      this.slots.push(slot);
    }
  }

  private start(slot: Slot): void {
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url));
    worker.on('message', (reply: WorkerReply) => this.finish(slot, reply));
    worker.on('error', (error) => this.fail(slot, error));
    worker.on('exit', (code) => {
      if (slot.worker === worker && !this.closing) this.fail(slot, new Error(`the analysis worker stopped (exit code ${code})`));
    });
    worker.unref();
    slot.worker = worker;
  }

  run<T>(body: TaskBody, key: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = { resolve: resolve as (v: unknown) => void, reject };
      const same = this.queue.find((q) => q.key === key) ?? this.slots.find((s) => s.pending?.key === key)?.pending;
      if (same) {
        this.stats.shared++;
        same.waiters.push(waiter);
        return;
      }
      this.queue.push({ body, key, waiters: [waiter] });
      this.dispatch();
    });
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
      const { table, ...rest } = entry.body;
      const sendTable = !slot.tables.has(rest.tableKey);
      if (sendTable) slot.tables.add(rest.tableKey);
      slot.worker.postMessage({ ...rest, id: this.nextId++, table: sendTable ? table : undefined } as WorkerTask);
    }
  }

  private finish(slot: Slot, reply: WorkerReply): void {
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
    if (this.closing) return;
    const entry = slot.pending;
    slot.busy = false;
    slot.pending = undefined;
    slot.tables.clear();
    entry?.waiters.forEach((w) => w.reject(error));
    void slot.worker.terminate();
    this.start(slot);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
