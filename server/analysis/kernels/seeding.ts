/**
 * Greedy k-means++'s candidate scoring in WebAssembly (seeding.wat). The rows are copied in
 * column-major once per seeding. Seedings of up to SHARED_BYTES (every restart on a sample)
 * reuse one instance per thread; a bigger one gets its own, whose memory goes with it.
 */
import type { Matrix } from '../matrix.ts';
import { instantiate, reserve } from './instance.ts';
import { WASM_BASE64 } from './seeding-wasm.ts';

interface SeedingExports {
  candidatePotential: (n: number, cols: number, data: number, candidate: number, closest: number, out: number) => number;
}

let shared: ReturnType<typeof instantiate<SeedingExports>> | undefined;
const SHARED_BYTES = 16 << 20;

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

export interface SeedingRows {
  /** Distance buffers in the kernel's memory, n each; the caller decides which is which. */
  buffers: [Float64Array, Float64Array, Float64Array];
  /** out[i] = min(closest[i], squared distance from row i to row `candidate`); returns the sum of out. */
  score: (candidate: number, closest: Float64Array, out: Float64Array) => number;
}

export function seedingRows(x: Matrix): SeedingRows {
  const { rows: n, cols } = x;
  const candidateAt = align16(n * cols * 8 + 8);
  const buffersAt = candidateAt + align16(cols * 8);
  const bufferBytes = align16(n * 8);
  // 16 bytes past the last buffer: an odd last row's lane reads one value beyond its buffer.
  const needed = buffersAt + 3 * bufferBytes + 16;
  const fresh = () => instantiate<SeedingExports>(WASM_BASE64);
  const wasm = needed <= SHARED_BYTES ? (shared ??= fresh()) : fresh();
  const memory = reserve(wasm.memory, needed);
  const data = new Float64Array(memory, 0, n * cols);
  const src = x.data;
  for (let c = 0; c < cols; c++) for (let i = 0, to = c * n, from = c; i < n; i++, from += cols) data[to + i] = src[from];
  const candidateValues = new Float64Array(memory, candidateAt, cols);
  const buffers = [0, 1, 2].map((b) => new Float64Array(memory, buffersAt + b * bufferBytes, n)) as SeedingRows['buffers'];
  return {
    buffers,
    score: (candidate, closest, out) => {
      candidateValues.set(src.subarray(candidate * cols, (candidate + 1) * cols));
      return wasm.candidatePotential(n, cols, 0, candidateAt, closest.byteOffset, out.byteOffset);
    },
  };
}
