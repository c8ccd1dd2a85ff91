/** 2-D PCA projection of the transformed matrix, with explained variance and loadings. */
import { PCA } from 'ml-pca';
import { meansAndCrossProducts } from './kernels/covariance.ts';
import type { Matrix } from './matrix.ts';

export interface FittedPca {
  mean: number[];
  /** Two rows of loadings (one per axis), each with its largest-magnitude entry positive. */
  components: number[][];
  /** Share of total variance per component, all components. */
  explainedVarianceRatio: number[];
}

/** Fixes each component's sign so its largest-magnitude loading is positive: stable pictures. */
function fixSign(component: number[]): number[] {
  let largest = 0;
  for (const v of component) if (Math.abs(v) > Math.abs(largest)) largest = v;
  return largest < 0 ? component.map((v) => -v) : component;
}

/** Sample covariance (n - 1), as ml-pca's covariance method computes it, from the kernel's cross-products. */
function covarianceMatrix(cross: Float64Array, d: number, rows: number): number[][] {
  const out: number[][] = Array.from({ length: d }, () => new Array<number>(d));
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) out[a][b] = out[b][a] = cross[a * d + b] / Math.max(1, rows - 1);
  return out;
}

/** The axes and explained variance alone: the projection is 16 MB on a million rows. */
export function fitPcaModel(x: Matrix): FittedPca {
  // Means and cross-products in one kernel (kernels/covariance.wat), over the flat data in
  // chunks: no number[][] copy of the rows, O(cols^2) memory whatever the number of rows.
  const moments = meansAndCrossProducts(x);
  const mean = Array.from(moments.mean);
  let components: number[][];
  let explainedVarianceRatio: number[];
  if (x.cols === 1) {
    components = [[1], [0]];
    explainedVarianceRatio = [1];
  } else {
    const pca = new PCA(covarianceMatrix(moments.cross, x.cols, x.rows), { isCovarianceMatrix: true });
    const vectors = pca.getEigenvectors().transpose().to2DArray();
    components = vectors.slice(0, 2).map(fixSign);
    // A covariance matrix has no negative eigenvalues: one a hair below zero (one-hot
    // columns make it singular) is rounding, and a saved model must not carry it (its
    // schema refuses negative shares, so such a model could not be imported again).
    explainedVarianceRatio = pca.getExplainedVariance().map((v) => Math.max(0, v));
  }
  return { mean, components, explainedVarianceRatio };
}

/** x, y of every row of x on the first two axes. */
export function projectRows(x: Matrix, pca: FittedPca): Float64Array {
  const { mean, components } = pca;
  const points = new Float64Array(x.rows * 2);
  for (let i = 0; i < x.rows; i++) {
    for (let a = 0; a < 2; a++) {
      let s = 0;
      for (let c = 0; c < x.cols; c++) s += (x.data[i * x.cols + c] - mean[c]) * components[a][c];
      points[i * 2 + a] = s;
    }
  }
  return points;
}

export function projectPoint(pca: FittedPca, point: ArrayLike<number>): [number, number] {
  const out: [number, number] = [0, 0];
  for (let a = 0; a < 2; a++) {
    let s = 0;
    for (let c = 0; c < pca.mean.length; c++) s += (point[c] - pca.mean[c]) * pca.components[a][c];
    out[a] = s;
  }
  return out;
}

/** The features that weigh most on one axis, strongest first. */
export function topLoadings(pca: FittedPca, featureNames: string[], axis: 0 | 1, count = 3): { feature: string; loading: number }[] {
  return featureNames
    .map((feature, c) => ({ feature, loading: pca.components[axis][c] }))
    .sort((a, b) => Math.abs(b.loading) - Math.abs(a.loading))
    .slice(0, count);
}
