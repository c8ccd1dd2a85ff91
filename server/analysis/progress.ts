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
  /**
   * When the task is told to stop only to make room for a view's request (a background task
   * yields), the k that request asks for; 0 when it has none or the task is told to stop.
   */
  yieldingFor?(): number;
  report(step: ProgressStep): void;
}

let current: TaskMonitor | undefined;
/** The k whose work runs to its end for a request that waits for that k (finishingK). */
let finishing: number | undefined;

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
  if (current.cancelled() && (finishing === undefined || current.yieldingFor?.() !== finishing)) throw new CancelledError();
  if (step) current.report(step);
}

/**
 * Runs a background task's work for one k (the sweep's fit and scores at k) to its end when
 * the view's request it is told to make room for asks for that same k: the request then takes
 * that fit instead of starting it again, a few hundred ms on a million customers. The sweep
 * scores the shown k's neighbours first, the k a person moves the slider to first. Any other
 * stop still stops it at once.
 */
export function finishingK<T>(k: number, work: () => T): T {
  const previous = finishing;
  finishing = k;
  try {
    return work();
  } finally {
    finishing = previous;
  }
}

/** Reports a step without a cancellation check (a cheap label before heavy work). */
export function reportStep(step: ProgressStep): void {
  current?.report(step);
}
