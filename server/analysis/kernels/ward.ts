/**
 * The scan of Ward's nearest-neighbour chain in WebAssembly (ward.wat). The chain's state
 * lives in the kernel's memory, as views the caller reads and writes between scans.
 */
import { instantiate, reserve } from './instance.ts';
import { WASM_BASE64 } from './ward-wasm.ts';

interface WardExports {
  best: WebAssembly.Global;
  nearest: (means: number, sizes: number, ids: number, count: number, d: number, pa: number, prev: number) => number;
}

export interface WardSlots {
  /** Slot m's cluster mean at m * d. */
  means: Float64Array;
  sizes: Float64Array;
  /** The cluster in each slot. */
  ids: Int32Array;
  /** The slot nearest to slot pa among slots 0..count-1 (prev wins ties), and its cost. */
  nearest: (count: number, pa: number, prev: number) => { slot: number; cost: number };
}

/** A fresh instance with room for n clusters of d columns (a chain at a time, so nothing is shared). */
export function wardSlots(n: number, d: number): WardSlots {
  const wasm = instantiate<WardExports>(WASM_BASE64);
  const sizesAt = n * d * 8;
  const idsAt = sizesAt + n * 8;
  const needed = idsAt + n * 4;
  const buffer = reserve(wasm.memory, needed);
  const result = { slot: -1, cost: 0 };
  return {
    means: new Float64Array(buffer, 0, n * d),
    sizes: new Float64Array(buffer, sizesAt, n),
    ids: new Int32Array(buffer, idsAt, n),
    nearest: (count, pa, prev) => {
      result.slot = wasm.nearest(0, sizesAt, idsAt, count, d, pa, prev);
      result.cost = wasm.best.value as number;
      return result;
    },
  };
}
