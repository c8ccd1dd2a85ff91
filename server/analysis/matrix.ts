/** Row-major dense matrix over one Float64Array: a tenth of the memory of number[][]. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

export function createMatrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data && data.length !== rows * cols) throw new Error(`matrix data has ${data.length} values, expected ${rows * cols}`);
  return { data: data ?? new Float64Array(rows * cols), rows, cols };
}

export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const m = createMatrix(rows.length, cols);
  rows.forEach((row, i) => m.data.set(row, i * cols));
  return m;
}

export function toRows(m: Matrix): number[][] {
  const out: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  return out;
}

export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = createMatrix(indices.length, m.cols);
  for (let i = 0; i < indices.length; i++) {
    out.data.set(m.data.subarray(indices[i] * m.cols, (indices[i] + 1) * m.cols), i * m.cols);
  }
  return out;
}

/** Squared Euclidean distance between row i of a and row j of b. */
export function squaredDistance(a: Matrix, i: number, b: Matrix, j: number): number {
  const cols = a.cols;
  const ad = a.data;
  const bd = b.data;
  let sum = 0;
  for (let c = 0, p = i * cols, q = j * cols; c < cols; c++, p++, q++) {
    const d = ad[p] - bd[q];
    sum += d * d;
  }
  return sum;
}

/** Values read for a fingerprint: enough to tell a buffer refilled with other rows. */
const FINGERPRINT_READS = 32;

/**
 * A cheap check that a matrix still holds what it held: its shape and a weighted sum of values
 * spread over it. Work kept per matrix object (restarts, the mean variance) is read only when
 * the fingerprint still matches, as a guard: a buffer refilled in place (mini-batch's batch)
 * is the same object with other values.
 */
export function fingerprint(m: Matrix): number {
  const n = m.data.length;
  let sum = m.rows * 31 + m.cols;
  for (let r = 0; r < FINGERPRINT_READS && n > 0; r++) {
    const v = m.data[Math.floor((r * (n - 1)) / (FINGERPRINT_READS - 1))];
    sum = sum * 1.000001 + (Number.isNaN(v) ? 0.5 : v) * (r + 1);
  }
  return sum;
}
