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

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const clusters = (k: number, view: string) => fetch(`${base}/clusters?k=${k}&seed=9`, { headers: { 'HX-Request': 'true', 'X-View-Id': view } });

  it('answers a queued Clusters request 204 once the same view asks for another k; other views are served', async () => {
    // A long fit holds the only worker, so the Clusters requests below wait in the queue.
    const busy = fetch(`${base}/api/segments?k=20&nInit=50&seed=5`);
    await pause(150);
    const older = clusters(3, 'tab-one');
    await pause(100);
    const other = clusters(5, 'tab-two');
    await pause(100);
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
    const sweep = fetch(`${base}/api/sweep?kMax=20&nInit=50&seed=77`, { signal: controller.signal }).catch((e: Error) => e);
    await pause(700);
    controller.abort();
    assert.ok((await sweep) instanceof Error);
    const started = performance.now();
    const next = await fetch(`${base}/api/segments?k=3&seed=78`);
    assert.equal(next.status, 200);
    assert.equal(pool.stats.stopped - stoppedBefore, 1, 'the abandoned sweep was stopped');
    assert.ok(performance.now() - started < 5000, 'the next fit did not wait for the abandoned sweep');
  });
});
