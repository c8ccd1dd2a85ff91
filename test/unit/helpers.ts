/** Small tables and matrices for unit tests. */
import { fromRows, type Matrix } from '../../server/analysis/matrix.ts';
import { createRng, normal } from '../../server/analysis/random.ts';
import type { DataTable } from '../../server/analysis/table.ts';
import { boxStatsOfSorted, type BoxStats } from '../../server/analysis/box-stats.ts';

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

/** Box statistics by their definition: the present values, sorted, read at their ranks. */
export function boxStats(values: ArrayLike<number>): BoxStats {
  return boxStatsOfSorted(Float64Array.from(values).filter((v) => !Number.isNaN(v)).sort());
}
