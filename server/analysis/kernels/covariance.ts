/**
 * A PCA's column means and centred cross-products in WebAssembly (covariance.wat), a chunk of
 * rows copied in at a time (no second copy of the data): the same sums, in the same order,
 * as the scalar loops they replaced.
 */
import type { Matrix } from '../matrix.ts';
import { instantiate, reserve } from './instance.ts';
import { WASM_BASE64 } from './covariance-wasm.ts';

interface CovarianceExports {
  addMeans: (rows: number, d: number, data: number, mean: number, total: number) => void;
  addCrossProducts: (rows: number, d: number, stride: number, data: number, mean: number, centred: number, cov: number) => void;
}

let kernel: ReturnType<typeof instantiate<CovarianceExports>> | undefined;
const CHUNK_ROWS = 4096;

/** Column means, and the centred cross-products' upper triangle (cross[a * d + b], b >= a), summed over the rows. */
export function meansAndCrossProducts(x: Matrix): { mean: Float64Array; cross: Float64Array } {
  const { rows, cols: d } = x;
  const stride = (d + 2) & ~1;
  kernel ??= instantiate<CovarianceExports>(WASM_BASE64);
  const chunk = Math.max(1, Math.min(CHUNK_ROWS, rows));
  const meanAt = chunk * d * 8;
  const centredAt = meanAt + stride * 8;
  const crossAt = centredAt + stride * 8;
  const needed = crossAt + d * stride * 8;
  const memory = reserve(kernel.memory, needed);
  const data = new Float64Array(memory, 0, chunk * d);
  const mean = new Float64Array(memory, meanAt, stride);
  const cross = new Float64Array(memory, crossAt, d * stride);
  new Float64Array(memory, meanAt, (needed - meanAt) / 8).fill(0);
  // Two passes over the rows, as the definition: the means first, then products about them.
  const eachChunk = (run: (n: number) => void) => {
    for (let from = 0; from < rows; from += chunk) {
      const n = Math.min(chunk, rows - from);
      data.set(x.data.subarray(from * d, (from + n) * d));
      run(n);
    }
  };
  eachChunk((n) => kernel!.addMeans(n, d, 0, meanAt, rows));
  eachChunk((n) => kernel!.addCrossProducts(n, d, stride, 0, meanAt, centredAt, crossAt));
  const out = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) out[a * d + b] = cross[a * stride + b];
  return { mean: mean.slice(0, d), cross: out };
}
