import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteGate } from '../../../server/store/write-gate.ts';

describe('the write gate', () => {
  it('runs writes in arrival order, a short write waiting for a held one to finish', async () => {
    const gate = new WriteGate();
    const order: string[] = [];
    const held = gate.hold(async () => {
      order.push('import starts');
      await sleep(30);
      order.push('import commits');
    });
    const short = gate.run(() => order.push('registration'));
    await Promise.all([held, short]);
    assert.deepEqual(order, ['import starts', 'import commits', 'registration']);
  });

  it('gives a failed write its error and lets the next one run', async () => {
    const gate = new WriteGate();
    const failed = gate.run(() => { throw new Error('constraint failed'); });
    const next = gate.run(() => 'stored');
    await assert.rejects(failed, /constraint failed/);
    assert.equal(await next, 'stored');
  });
});
