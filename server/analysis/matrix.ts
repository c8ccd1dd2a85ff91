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
