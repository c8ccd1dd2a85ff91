/** Bootstrap stability: scored on every row for small data, on a seeded sample for big data. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../server/segmentation/options.ts';
import { fitKMeans } from '../../../server/analysis/cluster/kmeans.ts';
import { bootstrapStability, STABILITY_SCORED_ROWS } from '../../../server/analysis/stability.ts';
import { blobs } from '../helpers.ts';

describe('bootstrap stability', () => {
  const options = { ...DEFAULT_OPTIONS, algorithm: 'kmeans' as const, k: 4, eps: 0 };

  it('on big data, estimates from sampled rows what scoring every row gives', () => {
    // Overlapping blobs, so the score is well below 1 and an estimate can be off.
    const { x } = blobs([[0, 0], [2.5, 0], [0, 2.5], [2.5, 2.5]], 8000, 1.1, 3);
    assert.ok(x.rows > STABILITY_SCORED_ROWS);
    const { labels } = fitKMeans(x, { k: 4, seed: 1, nInit: 3 });
    const everyRow = bootstrapStability(x, labels, options, Infinity);
    const sampled = bootstrapStability(x, labels, options);
    assert.ok(everyRow.meanAri < 0.95, `a score with room to differ (${everyRow.meanAri})`);
    assert.ok(Math.abs(sampled.meanAri - everyRow.meanAri) < 0.02, `sampled ${sampled.meanAri} against every row ${everyRow.meanAri}`);
    assert.equal(sampled.replicates, everyRow.replicates);
  });

  it('scores every row up to the sampling threshold', () => {
    const { x } = blobs([[0, 0], [3, 0], [0, 3]], 300, 1, 5);
    const { labels } = fitKMeans(x, { k: 3, seed: 1, nInit: 3 });
    assert.deepEqual(bootstrapStability(x, labels, { ...options, k: 3 }), bootstrapStability(x, labels, { ...options, k: 3 }, Infinity));
  });
});
