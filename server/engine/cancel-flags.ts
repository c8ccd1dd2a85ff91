/**
 * How the pool tells a busy worker to stop its task: through shared memory, because the
 * worker's thread is busy and reads no messages until the task ends. Each worker has its own
 * flags: the id of the task to stop and, when the stop only makes room for a view's request,
 * the k that request asks for (progress.ts's finishingK lets the work for that k end first).
 */
export type CancelFlags = Int32Array;

const STOP = 0;
const YIELDING_FOR = 1;

export function cancelFlags(): CancelFlags {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

/** Tells task `taskId` to stop at its next stop point; `yieldingFor` is the k of the request it makes room for (0: a plain stop). */
export function askToStop(flags: CancelFlags, taskId: number, yieldingFor = 0): void {
  Atomics.store(flags, YIELDING_FOR, yieldingFor);
  Atomics.store(flags, STOP, taskId);
}

export function stopAsked(flags: CancelFlags, taskId: number): boolean {
  return Atomics.load(flags, STOP) === taskId;
}

/** The k the stop makes room for, 0 when none. */
export function yieldingFor(flags: CancelFlags): number {
  return Atomics.load(flags, YIELDING_FOR);
}
