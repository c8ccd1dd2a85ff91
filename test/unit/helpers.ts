/** Small tables and matrices for unit tests. */
import { fromRows, type Matrix } from '../../server/analysis/matrix.ts';
import { createRng, normal } from '../../server/analysis/random.ts';
import type { DataTable } from '../../server/analysis/table.ts';

/** Gaussian blobs around the given centres: well separated clusters with known truth. */
export function blobs(centres: number[][], perCluster: number, sd: number, seed = 1): { x: Matrix; truth: Int32Array } {
  const rng = createRng(seed);
  const rows: number[][] = [];
  const truth: number[] = [];
  centres.forEach((centre, c) => {
    for (let i = 0; i < perCluster; i++) {
      rows.push(centre.map((m) => normal(rng, m, sd)));
      truth.push(c);
    }
  });
  return { x: fromRows(rows), truth: Int32Array.from(truth) };
}

export function numericTable(columns: Record<string, number[]>, categorical: Record<string, (string | null)[]> = {}): DataTable {
  const names = Object.keys(columns);
  const rowCount = columns[names[0]].length;
  return {
    rowCount,
    columns: [
      ...names.map((name) => ({ name, kind: 'numeric' as const, values: Float64Array.from(columns[name]) })),
      ...Object.entries(categorical).map(([name, values]) => ({ name, kind: 'categorical' as const, values })),
    ],
  };
}
