/**
 * V8's full garbage collection as a function, for code that knows when a lot has just died
 * (the analysis worker after a task on a big table; a benchmark before it measures).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function exposeGarbageCollection(): () => void {
  setFlagsFromString('--expose-gc');
  // A new context sees the flag; the current one was created before it.
  return runInNewContext('gc') as () => void;
}
