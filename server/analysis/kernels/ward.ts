/**
 * The scan of Ward's nearest-neighbour chain in WebAssembly (ward.wat). The chain's state
 * lives in the kernel's memory, as views the caller reads and writes between scans.
 */
import { WASM_BASE64 } from './ward-wasm.ts';

interface WardExports {
  memory: WebAssembly.Memory;
  best: WebAssembly.Global;
  nearest: (means: number, sizes: number, ids: number, count: number, d: number, pa: number, prev: number) => number;
}

let module: WebAssembly.Module | undefined;

export interface WardSlots {
  /** Slot m's cluster mean at m * d. */
  means: Float64Array;
  sizes: Float64Array;
  /** The cluster in each slot. */
  ids: Int32Array;
  /** The slot nearest to slot pa among slots 0..count-1 (prev wins ties), and its cost. */
  nearest: (count: number, pa: number, prev: number) => { slot: number; cost: number };
}

const PAGE = 65_536;

/** A fresh instance with room for n clusters of d columns (a chain at a time, so nothing is shared). */
export function wardSlots(n: number, d: number): WardSlots {
  module ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  const wasm = new WebAssembly.Instance(module).exports as unknown as WardExports;
  const sizesAt = n * d * 8;
  const idsAt = sizesAt + n * 8;
  const needed = idsAt + n * 4;
  const have = wasm.memory.buffer.byteLength;
  if (have < needed) wasm.memory.grow(Math.ceil((needed - have) / PAGE));
  const buffer = wasm.memory.buffer;
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
