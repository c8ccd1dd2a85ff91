/** One entry that fits any of the five algorithms (k-means, mini-batch, Ward, DBSCAN, Gaussian mixture) with its options. */
import type { Matrix } from '../matrix.ts';
import { fitAgglomerative } from './agglomerative.ts';
import { fitDbscan, type DbscanFit } from './dbscan.ts';
import { fitKMeans, type FitMemo } from './kmeans.ts';
import { fitMiniBatch } from './minibatch.ts';
import { fitGmm, type GmmParameters } from './gmm.ts';
import { assertUnreachable, type Algorithm, type ClusterFit } from './types.ts';

export interface AlgorithmOptions {
  algorithm: Algorithm;
  k: number;
  seed: number;
  nInit: number;
  batchSize: number;
  iterations: number;
  eps: number;
  minPts: number;
  /** Agglomerative fits on a sample above this many rows. */
  agglomerativeMaxRows: number;
  /** Warm start for k-means (retraining): one run from these centroids. */
  initialCentroids?: Matrix;
  /** What k-means fits on x share (kmeans.ts), from the matrix's owner. */
  memo?: FitMemo;
  /** Plain Lloyd without the local-search polish: for resampling checks. */
  quick?: boolean;
}

export interface AlgorithmFit extends ClusterFit {
  /** Number of segments (DBSCAN decides it; others take k). */
  k: number;
  dbscan?: Pick<DbscanFit, 'corePoints' | 'coreLabels' | 'noiseCount'>;
  gmm?: GmmParameters & { logLikelihood: number; bic: number };
}

export function fitAlgorithm(x: Matrix, options: AlgorithmOptions): AlgorithmFit {
  const { algorithm, k, seed } = options;
  switch (algorithm) {
    case 'kmeans':
      return {
        ...fitKMeans(x, {
          k,
          seed,
          nInit: options.nInit,
          initialCentroids: options.initialCentroids,
          memo: options.memo,
          refine: !options.initialCentroids && !options.quick,
        }),
        k,
      };
    case 'minibatch':
      return { ...fitMiniBatch(x, { k, seed, batchSize: options.batchSize, maxIterations: options.iterations }), k };
    case 'agglomerative':
      return { ...fitAgglomerative(x, { k, seed, maxRows: options.agglomerativeMaxRows }), k };
    case 'gmm': {
      const fit = fitGmm(x, { k, seed, nInit: options.quick ? Math.min(options.nInit, 3) : options.nInit });
      return {
        labels: fit.labels,
        centroids: fit.centroids,
        iterations: fit.iterations,
        notes: fit.notes,
        k,
        gmm: { weights: fit.weights, variances: fit.variances, logLikelihood: fit.logLikelihood, bic: fit.bic },
      };
    }
    case 'dbscan': {
      const fit = fitDbscan(x, { eps: options.eps, minPts: options.minPts });
      return { ...fit, dbscan: { corePoints: fit.corePoints, coreLabels: fit.coreLabels, noiseCount: fit.noiseCount } };
    }
    default:
      return assertUnreachable(algorithm, 'algorithm');
  }
}
