/**
 * Nearest and second-nearest centre of every row in WebAssembly (nearest.wat), a chunk of
 * rows at a time: each chunk is copied into the kernel's memory (a memcpy, a few ms per
 * million rows), so a pass over a million rows needs no second copy of them. The same
 * labels and distances as assign.ts's nearestTwo, to the bit.
 */
import type { Matrix } from '../matrix.ts';
import { stopPoint } from '../progress.ts';
import { instantiate, reserve } from './instance.ts';
import { WASM_BASE64 } from './nearest-wasm.ts';

interface NearestExports {
  nearestTwo: (rows: number, d: number, k: number, data: number, centres: number, labels: number, bests: number, seconds: number) => void;
  addByLabel: (rows: number, d: number, data: number, labels: number, sums: number, counts: number) => void;
  rootsInPlace: (p: number, n: number) => void;
}

let kernel: ReturnType<typeof instantiate<NearestExports>> | undefined;
const CHUNK_ROWS = 4096;
/** A stop point every so many rows of a pass (a multiple of CHUNK_ROWS). */
const STOP_EVERY_ROWS = CHUNK_ROWS * 16;

/** Where the nearest pass writes: every row's label, and optionally its squared distances. */
export interface NearestOut {
  labels: Int32Array;
  best?: Float64Array;
  second?: Float64Array;
  /** best and second as distances (their square roots), as Hamerly's bounds keep them; the returned sum stays squared. */
  roots?: boolean;
  /** Each centre's sum of its rows (k × d, row-major) and their count, for Lloyd's next centres: overwritten. */
  sums?: Float64Array;
  counts?: Float64Array;
}

/** Fills `out` for every row of x; returns the summed squared distance to the nearest (rows in order). */
export function nearestCentres(x: Matrix, centres: Matrix, out: NearestOut): number {
  const { rows, cols: d } = x;
  const k = centres.rows;
  const kp = (k + 1) & ~1;
  kernel ??= instantiate<NearestExports>(WASM_BASE64);
  const chunk = Math.min(CHUNK_ROWS, rows);
  const centresAt = chunk * d * 8;
  const labelsAt = centresAt + d * kp * 8;
  const bestsAt = labelsAt + Math.ceil((chunk * 4) / 8) * 8;
  const secondsAt = bestsAt + chunk * 8;
  const sumsAt = secondsAt + chunk * 8;
  const countsAt = sumsAt + k * d * 8;
  const needed = out.sums ? countsAt + k * 8 : sumsAt;
  const memory = reserve(kernel.memory, needed);
  const data = new Float64Array(memory, 0, chunk * d);
  const transposed = new Float64Array(memory, centresAt, d * kp);
  transposed.fill(0);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) transposed[j * kp + c] = centres.data[c * d + j];
  const labels = new Int32Array(memory, labelsAt, chunk);
  const bests = new Float64Array(memory, bestsAt, chunk);
  const seconds = new Float64Array(memory, secondsAt, chunk);
  if (out.sums) new Float64Array(memory, sumsAt, k * d + k).fill(0);
  let inertia = 0;
  for (let from = 0; from < rows; from += chunk) {
    // A pass over a million rows takes 50 ms: work told to make room stops within a few.
    if (from % STOP_EVERY_ROWS === 0 && from > 0) stopPoint();
    const n = Math.min(chunk, rows - from);
    data.set(x.data.subarray(from * d, (from + n) * d));
    kernel.nearestTwo(n, d, k, 0, centresAt, labelsAt, bestsAt, secondsAt);
    if (out.sums) kernel.addByLabel(n, d, 0, labelsAt, sumsAt, countsAt);
    for (let i = 0; i < n; i++) inertia += bests[i];
    if (out.roots) {
      kernel.rootsInPlace(bestsAt, n);
      kernel.rootsInPlace(secondsAt, n);
    }
    out.labels.set(n === chunk ? labels : labels.subarray(0, n), from);
    if (out.best) out.best.set(n === chunk ? bests : bests.subarray(0, n), from);
    if (out.second) out.second.set(n === chunk ? seconds : seconds.subarray(0, n), from);
  }
  out.sums?.set(new Float64Array(memory, sumsAt, k * d));
  out.counts?.set(new Float64Array(memory, countsAt, k));
  return inertia;
}
