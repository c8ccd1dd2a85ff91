import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inImportSlot } from '../../../server/ingest/import-slots.ts';

describe('import slots', () => {
  it('lets two imports parse at once and the rest wait their turn, all finishing', async () => {
    let running = 0;
    let most = 0;
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => inImportSlot(async () => {
      running++;
      most = Math.max(most, running);
      await sleep(10);
      running--;
      if (n === 3) throw new Error('bad file');
      return n;
    }).catch((error: Error) => error.message)));
    assert.equal(most, 2);
    assert.deepEqual(results, [1, 2, 'bad file', 4, 5]);
  });
});
