/**
 * Long analysis says where it is, and stops when nobody waits for it any more. The kernels
 * call `stopPoint` between units of work (a restart, an iteration, a value of k, a chunk of
 * rows); whoever runs the task (the worker) installs a monitor that reads a cancellation
 * flag and forwards progress. Without a monitor (tests, the request thread) a stop point
 * costs one comparison.
 */
import { CancelledError } from '../errors.ts';

/** One step as a person reads it: "fitting k = 5", "scoring k 3 of 9". */
export interface ProgressStep {
  step: string;
  /** Units done and in all, for a progress bar; absent when the step has no count. */
  done?: number;
  total?: number;
}

export interface TaskMonitor {
  cancelled(): boolean;
  report(step: ProgressStep): void;
}

let current: TaskMonitor | undefined;

/** Runs `work` with this monitor installed (one task at a time per thread). */
export function monitored<T>(monitor: TaskMonitor | undefined, work: () => T): T {
  const previous = current;
  current = monitor;
  try {
    return work();
  } finally {
    current = previous;
  }
}

/** Throws CancelledError when the task is no longer wanted; reports the step if one is given. */
export function stopPoint(step?: ProgressStep): void {
  if (current === undefined) return;
  if (current.cancelled()) throw new CancelledError();
  if (step) current.report(step);
}

/** Reports a step without a cancellation check (a cheap label before heavy work). */
export function reportStep(step: ProgressStep): void {
  current?.report(step);
}
