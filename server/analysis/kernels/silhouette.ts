/**
 * The pair loop of the exact silhouette in WebAssembly (silhouette.wat): two distances per
 * instruction, the same sums to the bit as the scalar loop it replaced. One instance per
 * thread, its memory grown to the largest table asked for and kept.
 */
import type { Matrix } from '../matrix.ts';
import { instantiate, reserve } from './instance.ts';
import { WASM_BASE64 } from './silhouette-wasm.ts';

interface SilhouetteKernel {
  clusterDistanceSums: (n: number, cols: number, k: number, data: number, start: number, out: number) => void;
}

let kernel: ReturnType<typeof instantiate<SilhouetteKernel>> | undefined;

/**
 * The rows of x taken in `order`, which groups them by cluster (cluster l is order[start[l]]
 * .. order[start[l + 1] - 1]): sums[l * n + g] is the summed distance from the g-th row so
 * taken to the rows of cluster l.
 */
export function clusterDistanceSums(x: Matrix, order: Int32Array, start: Int32Array): Float64Array {
  const k = start.length - 1;
  const n = order.length;
  const cols = x.cols;
  const wasm = (kernel ??= instantiate<SilhouetteKernel>(WASM_BASE64));
  // data (column-major, 16 bytes of padding), start, out: each 8-byte aligned.
  const dataBytes = n * cols * 8 + 16;
  const startAt = dataBytes;
  const outAt = startAt + Math.ceil(((k + 1) * 4) / 8) * 8;
  const needed = outAt + k * n * 8;
  const buffer = reserve(wasm.memory, needed);
  const data = new Float64Array(buffer, 0, n * cols + 2);
  const src = x.data;
  for (let g = 0; g < n; g++) for (let c = 0, p = order[g] * cols; c < cols; c++) data[c * n + g] = src[p + c];
  data[n * cols] = 0;
  data[n * cols + 1] = 0;
  new Int32Array(buffer, startAt, k + 1).set(start);
  const out = new Float64Array(buffer, outAt, k * n);
  out.fill(0);
  wasm.clusterDistanceSums(n, cols, k, 0, startAt, outAt);
  return out.slice();
}
