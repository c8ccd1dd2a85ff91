/**
 * Per-cluster sums over every row in the nearest kernel (nearest.wat), a chunk of rows copied
 * in at a time: each cluster's row sums and count (its mean), and each row's distance to its
 * cluster's centre. On a million rows the JavaScript passes took 35 and 40 ms, for every fit's
 * metrics and every k of a sweep; the sums are the same, in the same order, to the bit.
 */
import type { Matrix } from '../matrix.ts';
import { instantiate, reserve } from './instance.ts';
import { WASM_BASE64 } from './nearest-wasm.ts';

interface ClusterSumExports {
  addByLabel: (rows: number, d: number, data: number, labels: number, sums: number, counts: number) => void;
  addOwnDistances: (rows: number, d: number, data: number, labels: number, centres: number, scatter: number, within: number) => void;
}

let kernel: ReturnType<typeof instantiate<ClusterSumExports>> | undefined;
const CHUNK_ROWS = 4096;

type ChunkPass = (memory: ArrayBuffer, n: number, dataAt: number, labelsAt: number) => void;

/** Runs `pass` over x's rows and labels a chunk at a time, after `extra` bytes of the caller's own (zeroed) at offset 0. */
function eachChunk(x: Matrix, labels: Int32Array, extra: number, pass: ChunkPass): ArrayBuffer {
  kernel ??= instantiate<ClusterSumExports>(WASM_BASE64);
  const { rows, cols: d } = x;
  const chunk = Math.max(1, Math.min(CHUNK_ROWS, rows));
  const dataAt = Math.ceil(extra / 16) * 16;
  const labelsAt = dataAt + chunk * d * 8;
  const memory = reserve(kernel.memory, labelsAt + chunk * 4);
  new Uint8Array(memory, 0, dataAt).fill(0);
  const data = new Float64Array(memory, dataAt, chunk * d);
  const chunkLabels = new Int32Array(memory, labelsAt, chunk);
  for (let from = 0; from < rows; from += chunk) {
    const n = Math.min(chunk, rows - from);
    data.set(x.data.subarray(from * d, (from + n) * d));
    chunkLabels.set(labels.subarray(from, from + n));
    pass(memory, n, dataAt, labelsAt);
  }
  return memory;
}

/** Each cluster's sum of its rows (k × d, row-major) and its count; rows labelled below 0 are left out. */
export function clusterSums(x: Matrix, labels: Int32Array, k: number): { sums: Float64Array; counts: Float64Array } {
  const d = x.cols;
  const countsAt = k * d * 8;
  const memory = eachChunk(x, labels, countsAt + k * 8, (_, n, dataAt, labelsAt) =>
    kernel!.addByLabel(n, d, dataAt, labelsAt, 0, countsAt),
  );
  return { sums: new Float64Array(memory, 0, k * d).slice(), counts: new Float64Array(memory, countsAt, k).slice() };
}

/** The summed squared distance of every row to its cluster's centre, and each cluster's summed (unsquared) distance. */
export function ownDistances(x: Matrix, labels: Int32Array, centres: Matrix): { within: number; scatter: Float64Array } {
  const { cols: d } = x;
  const k = centres.rows;
  const scatterAt = k * d * 8;
  const withinAt = scatterAt + k * 8;
  let copied = false;
  const memory = eachChunk(x, labels, withinAt + 8, (memory, n, dataAt, labelsAt) => {
    if (!copied) new Float64Array(memory, 0, k * d).set(centres.data.subarray(0, k * d));
    copied = true;
    kernel!.addOwnDistances(n, d, dataAt, labelsAt, 0, scatterAt, withinAt);
  });
  return { within: new Float64Array(memory, withinAt, 1)[0], scatter: new Float64Array(memory, scatterAt, k).slice() };
}
