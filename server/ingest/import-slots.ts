/**
 * How many imports read and convert their files at once. Parsing runs on the request
 * thread in small batches that yield, but five imports side by side still put five
 * batches between two turns of the event loop (40 ms); two keep a turn under 20 ms. The
 * others wait their turn without holding anything, and the total time is the same: the
 * work is bound by this one thread either way.
 */
const PARALLEL_IMPORTS = 2;

let running = 0;
const waiting: (() => void)[] = [];

export async function inImportSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL_IMPORTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next import in line, or is freed.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
