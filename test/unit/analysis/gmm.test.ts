/** Gaussian mixture (diagonal covariances) against scikit-learn's GaussianMixture on the Mall data. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fitGmm, gmmProbabilities } from '../../../server/analysis/cluster/gmm.ts';
import { fitPreprocess } from '../../../server/analysis/preprocess.ts';
import { loadCsvTable, loadSharedTable } from '../reference.ts';

interface GmmReference {
  features: string[];
  rows: number;
  fits: { k: number; logLikelihood: number; bic: number }[];
}

const ref = JSON.parse(readFileSync(new URL('../../fixtures/gmm-mall.json', import.meta.url), 'utf8')) as GmmReference;
const x = fitPreprocess(loadSharedTable('Mall_Customers.csv'), { features: ref.features, missing: 'mean', outliers: 'none', scaling: 'standard' }).matrix;

describe('Gaussian mixture', () => {
  it('reaches scikit-learn\'s best log-likelihood of 10 starts within 0.5% for every k from 2 to 7 (same covariance type)', () => {
    assert.equal(x.rows, ref.rows);
    for (const expected of ref.fits) {
      const fit = fitGmm(x, { k: expected.k, seed: 42, nInit: 10 });
      const shortfall = (expected.logLikelihood - fit.logLikelihood) / Math.abs(expected.logLikelihood);
      assert.ok(shortfall <= 0.005, `k=${expected.k}: ${fit.logLikelihood.toFixed(3)} vs scikit-learn ${expected.logLikelihood.toFixed(3)} (${(shortfall * 100).toFixed(2)}% short)`);
      // BIC from the same parameter count as scikit-learn's (diag: k·d means, k·d variances, k−1 weights).
      const parameters = expected.k * 2 * 2 + expected.k - 1;
      assert.ok(Math.abs(fit.bic - (-2 * fit.logLikelihood + parameters * Math.log(x.rows))) < 1e-9);
    }
  });

  it('reaches scikit-learn\'s log-likelihood per customer within 1e-3 on the bundled sample, where its own starts agree (k = 4, 5)', () => {
    const sample = JSON.parse(readFileSync(new URL('../../fixtures/gmm-sample.json', import.meta.url), 'utf8')) as {
      features: string[];
      rows: number;
      fits: { k: number; logLikelihoodPerRow: number }[];
    };
    const options = { features: sample.features, missing: 'mean', outliers: 'iqr-clip', scaling: 'standard' } as const;
    const prepared = fitPreprocess(loadCsvTable(new URL('../../../data/customers.csv', import.meta.url)), options).matrix;
    assert.equal(prepared.rows, sample.rows);
    for (const { k, logLikelihoodPerRow } of sample.fits) {
      for (const seed of [0, 7, 42]) {
        const ours = fitGmm(prepared, { k, seed }).logLikelihood / prepared.rows;
        assert.ok(Math.abs(ours - logLikelihoodPerRow) <= 1e-3, `k = ${k}, seed ${seed}: ${ours} per customer against scikit-learn's ${logLikelihoodPerRow}`);
      }
    }
  });

  it('is seeded: the same seed gives the same fit', () => {
    assert.deepEqual(fitGmm(x, { k: 4, seed: 3, nInit: 3 }).weights, fitGmm(x, { k: 4, seed: 3, nInit: 3 }).weights);
  });

  it('gives each customer probabilities that add up to 1, highest for its segment', () => {
    const fit = fitGmm(x, { k: 5, seed: 1, nInit: 3 });
    const centroids = Array.from({ length: 5 }, (_, c) => Array.from(fit.centroids.data.subarray(c * 2, c * 2 + 2)));
    for (let i = 0; i < x.rows; i += 7) {
      const p = gmmProbabilities(x.data.subarray(i * 2, i * 2 + 2), centroids, fit);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.equal(p.indexOf(Math.max(...p)), fit.labels[i]);
    }
    assert.ok(Math.abs(fit.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  });
});
