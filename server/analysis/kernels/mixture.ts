/**
 * A diagonal Gaussian mixture's passes over the rows in WebAssembly (mixture.wat): the log
 * density of every row under every segment, and the responsibility-weighted sums the next
 * step's parameters come from. One instance per fit: the rows are copied in once for every
 * restart and iteration, and its memory (which cannot shrink) goes with the fit.
 */
import type { Matrix } from '../matrix.ts';
import { instantiate, reserve } from './instance.ts';
import { WASM_BASE64 } from './mixture-wasm.ts';

interface MixtureExports {
  logDensities: (rows: number, d: number, kp: number, data: number, means: number, inverse: number, logNorm: number, out: number) => void;
  moments: (rows: number, d: number, kp: number, data: number, resp: number, weights: number, sums: number, squares: number) => void;
}

/** The kernel's arrays (views on its memory) and its two passes. Per-segment arrays are feature-major: [j * kp + c]. */
export interface MixtureKernel {
  /** k rounded up to even: the stride of every array (the padding segment is ignored). */
  kp: number;
  means: Float64Array;
  inverse: Float64Array;
  logNorm: Float64Array;
  weights: Float64Array;
  sums: Float64Array;
  squares: Float64Array;
  /** rows × kp: the log densities after logDensities, the responsibilities the caller writes in their place. */
  resp: Float64Array;
  /** resp[i * kp + c] = logNorm[c] − ½ Σ_j (x_ij − means[j, c])² inverse[j, c]. */
  logDensities(): void;
  /** weights, sums and squares from zero: Σ_i r, Σ_i r x, Σ_i (r x) x with r = resp[i * kp + c]. */
  moments(): void;
}

export function mixtureKernel(x: Matrix, k: number): MixtureKernel {
  const { rows, cols: d } = x;
  const kp = (k + 1) & ~1;
  const kernel = instantiate<MixtureExports>(WASM_BASE64);
  // One array after another: per segment (feature-major), then per row, then the rows themselves.
  const segmentBytes = d * kp * 8;
  const meansAt = 0;
  const inverseAt = meansAt + segmentBytes;
  const logNormAt = inverseAt + segmentBytes;
  const weightsAt = logNormAt + kp * 8;
  const sumsAt = weightsAt + kp * 8;
  const squaresAt = sumsAt + segmentBytes;
  const respAt = squaresAt + segmentBytes;
  const dataAt = respAt + rows * kp * 8;
  const memory = reserve(kernel.memory, dataAt + rows * d * 8);
  new Float64Array(memory, dataAt, rows * d).set(x.data.subarray(0, rows * d));
  const view = (offset: number, length: number) => new Float64Array(memory, offset, length);
  const moments = { weights: view(weightsAt, kp), sums: view(sumsAt, d * kp), squares: view(squaresAt, d * kp) };
  return {
    kp,
    means: view(meansAt, d * kp),
    inverse: view(inverseAt, d * kp),
    logNorm: view(logNormAt, kp),
    ...moments,
    resp: view(respAt, rows * kp),
    logDensities: () => kernel.logDensities(rows, d, kp, dataAt, meansAt, inverseAt, logNormAt, respAt),
    moments: () => {
      moments.weights.fill(0);
      moments.sums.fill(0);
      moments.squares.fill(0);
      kernel.moments(rows, d, kp, dataAt, respAt, weightsAt, sumsAt, squaresAt);
    },
  };
}
