import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromRows } from '../../../server/analysis/matrix.ts';
import { adjustedRandIndex, centreScores, silhouette, silhouetteScore } from '../../../server/analysis/metrics.ts';
import { blobs } from '../helpers.ts';

/** Silhouette straight from its definition, for comparison. */
function bruteSilhouette(points: number[][], labels: number[]): number {
  const d = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
  const clusters = [...new Set(labels)];
  let total = 0;
  points.forEach((p, i) => {
    const own = points.filter((_, j) => labels[j] === labels[i] && j !== i);
    if (own.length === 0) return;
    const a = own.reduce((s, q) => s + d(p, q), 0) / own.length;
    const b = Math.min(...clusters.filter((c) => c !== labels[i]).map((c) => {
      const others = points.filter((_, j) => labels[j] === c);
      return others.reduce((s, q) => s + d(p, q), 0) / others.length;
    }));
    total += (b - a) / Math.max(a, b);
  });
  return total / points.length;
}

describe('metrics', () => {
  it('computes the silhouette of its definition, singletons counting 0', () => {
    const points = [[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [9, 9]];
    const labels = [0, 0, 0, 1, 1, 2];
    assert.ok(Math.abs(silhouette(fromRows(points), Int32Array.from(labels)) - bruteSilhouette(points, labels)) < 1e-12);
  });

  it('leaves noise rows out of every metric', () => {
    const x = fromRows([[0, 0], [0, 1], [5, 5], [5, 6], [100, 100]]);
    const withNoise = Int32Array.from([0, 0, 1, 1, -1]);
    const clean = fromRows([[0, 0], [0, 1], [5, 5], [5, 6]]);
    assert.equal(silhouette(x, withNoise), silhouette(clean, Int32Array.from([0, 0, 1, 1])));
    assert.equal(centreScores(x, withNoise).inertia, 1);
    assert.equal(centreScores(x, withNoise).calinskiHarabasz, centreScores(clean, Int32Array.from([0, 0, 1, 1])).calinskiHarabasz);
  });

  it('estimates the silhouette on a sample above 10,000 rows and flags it', () => {
    const { x, truth } = blobs([[0, 0], [8, 8]], 5200, 1);
    const score = silhouetteScore(x, truth);
    assert.equal(score.sampled, true);
    assert.ok(score.value > 0.7);
    assert.equal(silhouetteScore(blobs([[0, 0], [8, 8]], 50, 1).x, truth.subarray(0, 100)).sampled, false);
  });

  it('gives ARI 1 for relabelled identical partitions and about 0 for unrelated ones', () => {
    assert.equal(adjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 3, 3, 9]), 1);
    const a = Array.from({ length: 1000 }, (_, i) => i % 3);
    const b = Array.from({ length: 1000 }, (_, i) => Math.floor(i / 7) % 4);
    assert.ok(Math.abs(adjustedRandIndex(a, b)) < 0.05);
  });
});
