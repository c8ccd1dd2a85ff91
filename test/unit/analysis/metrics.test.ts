import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromRows } from '../../../server/analysis/matrix.ts';
import { adjustedRandIndex, calinskiHarabasz, inertia, silhouette, silhouetteScore } from '../../../server/analysis/metrics.ts';
import { blobs } from '../helpers.ts';
import fc from 'fast-check';
import { boxStatsByGroup, boxStatsOfSorted } from '../../../server/analysis/summary.ts';

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
    assert.equal(inertia(x, withNoise), 1);
    assert.equal(calinskiHarabasz(x, withNoise), calinskiHarabasz(clean, Int32Array.from([0, 0, 1, 1])));
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

describe('box statistics by group', () => {
  it('match the box statistics of each group sorted separately, missing values left out', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v + 0), fc.constant(Number.NaN)), { maxLength: 200 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      (raw, groups, seed) => {
        const values = Float64Array.from(raw);
        const group = Int32Array.from(raw, (_, i) => (((i * 7 + seed) % (groups + 1)) + groups + 1) % (groups + 1) - 1);
        const expected = Array.from({ length: groups }, (_, g) => boxStatsOfSorted(Float64Array.from(raw.filter((v, i) => group[i] === g && !Number.isNaN(v))).sort()));
        assert.deepEqual(boxStatsByGroup(values, group, groups), expected);
      },
    ));
  });
});
