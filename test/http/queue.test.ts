/** The analysis queue as a browser meets it: a view's stale queued request is answered 204. */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WorkerPool } from '../../server/engine/pool.ts';
import { createTestApp, type TestApp } from './harness.ts';

describe('analysis queue', () => {
  let t: TestApp;
  let pool: WorkerPool;
  let server: Server;
  let base: string;
  before(async () => {
    pool = new WorkerPool(1);
    t = await createTestApp({ pool });
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await pool.close();
    t.close();
  });

  /** Resolves once `check` holds, looking again each few milliseconds; fails after 30 s (a hang). */
  const until = async (check: () => boolean, what: string) => {
    const giveUp = Date.now() + 30_000;
    while (!check()) {
      if (Date.now() > giveUp) throw new Error(`never: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const clusters = (k: number, view: string) => fetch(`${base}/clusters?k=${k}&seed=9`, { headers: { 'HX-Request': 'true', 'X-View-Id': view } });

  it('answers a queued Clusters request 204 once the same view asks for another k; other views are served', async () => {
    // A long fit holds the only worker, so the Clusters requests below wait in the queue.
    const runs = pool.stats.runs;
    const busy = fetch(`${base}/api/segments?k=20&nInit=50&seed=5`);
    await until(() => pool.stats.runs > runs, 'the long fit started');
    const older = clusters(3, 'tab-one');
    await until(() => pool.queued === 1, 'the first Clusters request queued');
    const other = clusters(5, 'tab-two');
    await until(() => pool.queued === 2, 'the other view queued');
    const newer = clusters(4, 'tab-one');
    const [olderRes, otherRes, newerRes, busyRes] = await Promise.all([older, other, newer, busy]);
    assert.equal(busyRes.status, 200);
    assert.equal(olderRes.status, 204, 'the stale request is dropped');
    assert.equal(await olderRes.text(), '');
    assert.equal(otherRes.status, 200);
    assert.match(await otherRes.text(), /id="segment-table"|Segment/);
    assert.equal(newerRes.status, 200);
    assert.ok(pool.stats.superseded >= 1);
  });

  it('stops a running sweep when its client hangs up, and answers the next request at once', async () => {
    const stoppedBefore = pool.stats.stopped;
    const controller = new AbortController();
    const runs = pool.stats.runs;
    const sweep = fetch(`${base}/api/sweep?kMax=20&nInit=50&seed=77`, { signal: controller.signal }).catch((e: Error) => e);
    await until(() => pool.stats.runs > runs && pool.queued === 0, 'the sweep is running');
    controller.abort();
    assert.ok((await sweep) instanceof Error);
    await until(() => pool.stats.stopped > stoppedBefore, 'the abandoned sweep is stopped');
    const next = await fetch(`${base}/api/segments?k=3&seed=78`);
    assert.equal(next.status, 200);
    assert.equal(pool.stats.stopped - stoppedBefore, 1, 'the abandoned sweep was stopped, not waited for');
  });
});
