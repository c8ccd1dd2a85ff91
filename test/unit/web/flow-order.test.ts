import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flowOrder } from '../../../server/web/flow-chart.ts';

describe('the order of a flow diagram\'s nodes', () => {
  it('draws identical segmentations as straight bands', () => {
    const order = flowOrder([[10, 0, 0], [0, 20, 0], [0, 0, 5]]);
    assert.deepEqual([order.b0, order.b1, order.b2], [0, 1, 2]);
  });

  it('places a renumbered segment beside the one it came from, so flows do not cross', () => {
    // The second segmentation numbered the same segments the other way round.
    const order = flowOrder([[0, 0, 30], [0, 40, 0], [25, 0, 0]]);
    assert.deepEqual([order.b2, order.b1, order.b0], [0, 1, 2]);
  });

  it('puts a new segment taken from the first and third old ones between the segments that stayed', () => {
    // b1 takes customers of a0 and a2 alike: its mean position is a1's, so it sits in the middle.
    const order = flowOrder([[50, 10, 0], [0, 0, 0], [0, 10, 50]]);
    assert.deepEqual([order.b0, order.b1, order.b2], [0, 1, 2]);
    const shuffled = flowOrder([[10, 50, 0], [0, 0, 0], [10, 0, 50]]);
    assert.deepEqual([shuffled.b1, shuffled.b0, shuffled.b2], [0, 1, 2]);
  });
});
