/** The analysis queue as a browser meets it: a view's stale queued request is answered 204. */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WorkerPool } from '../../server/engine/pool.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { parseSegmentationParams } from '../../server/web/params.ts';

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

  it('starts the curves of the k a Clusters page shows as it answers it, before the page asks for them', async () => {
    const runs = pool.stats.runs;
    const page = await fetch(`${base}/clusters?k=4&seed=31`);
    assert.equal(page.status, 200);
    // The fit, then the sweep: dispatched to the idle worker before the page was sent.
    assert.equal(pool.stats.runs, runs + 2);
    const params = parseSegmentationParams({ k: '4', seed: '31' }, t.db);
    // Nobody asks for the curves here: they arrive all the same.
    await until(() => t.engine.cachedSweep(params) !== undefined, 'the sweep the page started finished');
    const shared = pool.stats.shared;
    const curves = await fetch(`${base}/clusters/sweep?k=4&seed=31&shown=4`, { headers: { 'HX-Request': 'true' } });
    assert.equal(curves.status, 200);
    assert.match(await curves.text(), /Recommended k/i);
    assert.equal(pool.stats.shared, shared, 'the page\'s request for the curves found them done');
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
