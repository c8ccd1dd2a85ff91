/** Segment sizes over time, read from the change feed: entries add, exits subtract, an activation starts afresh. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../../server/store/db.ts';
import { sizesOverTime } from '../../../server/store/segment-changes.ts';

describe('sizesOverTime', () => {
  it('follows entries, moves and exits, and restarts at each activation', () => {
    const db = openDatabase(':memory:');
    db.pragma('foreign_keys = OFF');
    const add = db.prepare('INSERT INTO segment_changes (model_id, at, customer_id, from_segment, to_segment, cause) VALUES (7, ?, ?, ?, ?, ?)');
    const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
    ['a', 'b', 'c'].forEach((id, i) => add.run(t(0), id, null, i % 2, 'activation'));
    add.run(t(1), 'd', null, 1, 'registration');
    add.run(t(2), 'a', 0, 1, 'retrain');
    add.run(t(2), 'b', 1, 0, 'retrain');
    add.run(t(2), 'c', 0, null, 'retrain');
    // Activated again later: every customer is listed again, not added on top.
    ['a', 'b', 'd'].forEach((id, i) => add.run(t(3), id, null, i === 0 ? 1 : 0, 'activation'));
    add.run(t(3), 'x', null, 1, 'activation');
    const history = sizesOverTime(db, 7, 2);
    assert.deepEqual(history.at, [t(0), t(1), t(2), t(3)]);
    assert.deepEqual(history.sizes, [
      [2, 1],
      [2, 2],
      [1, 2],
      [2, 2],
    ]);
    assert.deepEqual(sizesOverTime(db, 7, 2, 2).at, [t(2), t(3)], 'the latest points only');
    assert.deepEqual(sizesOverTime(db, 8, 2), { at: [], sizes: [] });
    db.close();
  });
});
