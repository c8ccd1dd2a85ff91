import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scatterRows, SCATTER_MAX_POINTS } from '../../../server/analysis/scatter.ts';

describe('scatter sampling', () => {
  it('draws every customer when there are few', () => {
    assert.equal(scatterRows(new Int32Array(1200), 1).length, 1200);
  });

  it('samples large data by segment, keeps small segments visible, and is seeded', () => {
    const labels = Int32Array.from({ length: 100_000 }, (_, i) => (i < 120 ? 2 : i % 2));
    const rows = scatterRows(labels, 42);
    assert.ok(rows.length <= SCATTER_MAX_POINTS + 50 && rows.length >= SCATTER_MAX_POINTS - 10, String(rows.length));
    const count = (segment: number) => Array.from(rows).filter((r) => labels[r] === segment).length;
    assert.equal(count(2), 50, 'the 120-customer segment keeps 50 points');
    assert.ok(Math.abs(count(0) - count(1)) < 10);
    assert.deepEqual(scatterRows(labels, 42), rows);
    assert.notDeepEqual(scatterRows(labels, 7), rows);
  });

  it('gives noise (DBSCAN\'s -1) its share of the points like any segment', () => {
    const labels = Int32Array.from({ length: 50_000 }, (_, i) => (i % 10 === 0 ? -1 : i % 3));
    const rows = scatterRows(labels, 3);
    const noise = Array.from(rows).filter((r) => labels[r] === -1).length;
    assert.ok(Math.abs(noise - SCATTER_MAX_POINTS / 10) < 5, String(noise));
  });
});
