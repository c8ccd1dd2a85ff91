/** Fits in worker threads: same results as on the request thread, errors intact, loop free. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../server/segmentation/options.ts';
import { DEFAULT_DATASET_PATH } from '../../../server/config.ts';
import { Engine, type SegmentationParams } from '../../../server/engine/engine.ts';
import { WorkerPool } from '../../../server/engine/pool.ts';
import { BusyError, InputError, SupersededError } from '../../../server/errors.ts';
import { openDatabase, type Db } from '../../../server/store/db.ts';
import { seedDefaultDataset } from '../../../server/ingest/seed.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-pool-'));
let db: Db;
let pool: WorkerPool;
before(async () => {
  db = openDatabase(join(dir, 'pool.db'));
  await seedDefaultDataset(db, DEFAULT_DATASET_PATH, 'Sample customers');
  pool = new WorkerPool(1);
});
after(async () => {
  await pool.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const params = (extra: Partial<SegmentationParams> = {}): SegmentationParams => ({
  ...DEFAULT_OPTIONS, datasetId: 1, features: ['age', 'annual_income', 'spending_score', 'purchase_frequency'], k: 4, ...extra,
});

describe('worker pool', () => {
  it('gives the same segmentation and sweep as the request thread', async () => {
    const local = new Engine(db);
    const remote = new Engine(db, { pool });
    const [a, b] = [await local.segment(params()), await remote.segment(params())];
    assert.deepEqual(Array.from(b.labels), Array.from(a.labels));
    assert.deepEqual(b.pipeline, a.pipeline);
    assert.equal(b.metrics.silhouette, a.metrics.silhouette);
    assert.deepEqual((await remote.sweep(params())).rows, (await local.sweep(params())).rows);
  });

  it('sends the labelled rows once per preprocessing, not with every k', async () => {
    const sent: boolean[] = [];
    const spy = Object.create(pool) as WorkerPool;
    spy.run = async <T>(...args: Parameters<WorkerPool['run']>): Promise<T> => {
      const value = await pool.run<T>(...args);
      if (args[0].kind === 'segment') sent.push((value as { rowIndex: Int32Array }).rowIndex.length > 0);
      return value;
    };
    const remote = new Engine(db, { pool: spy });
    const a = await remote.segment(params({ k: 3, seed: 41 }));
    const b = await remote.segment(params({ k: 4, seed: 41 }));
    assert.deepEqual(sent, [true, false]);
    assert.equal(b.rowIndex, a.rowIndex, 'one shared copy');
    const local = await new Engine(db).segment(params({ k: 4, seed: 41 }));
    assert.deepEqual(Array.from(b.labels), Array.from(local.labels));
    assert.deepEqual(b.scatter, local.scatter);
    assert.deepEqual(Array.from(b.rowIndex), Array.from(local.rowIndex));
  });

  it('shares one run between identical concurrent requests', async () => {
    const remote = new Engine(db, { pool });
    const runsBefore = pool.stats.runs;
    const [a, b] = await Promise.all([remote.segment(params({ k: 6, seed: 3 })), remote.segment(params({ k: 6, seed: 3 }))]);
    assert.equal(a, b);
    assert.equal(pool.stats.runs - runsBefore, 1);
  });

  it('passes input errors back as InputError with their status', async () => {
    const remote = new Engine(db, { pool });
    await assert.rejects(remote.segment(params({ features: ['age'], k: 3000 })), (e: Error) => e instanceof InputError && e.status === 400 && /k = 3000 needs at least/.test(e.message));
  });

  it('keeps the event loop free while a fit runs', async () => {
    const remote = new Engine(db, { pool });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let fitDone = false;
    const fit = remote.segment(params({ k: 8, seed: 11, nInit: 100 })).finally(() => { fitDone = true; });
    // Timers fire while the fit runs: it runs elsewhere. A fit on this thread would hold every
    // timer until it ended. (The delay's size is the bench's figure, not a test's.)
    let turns = 0;
    while (!fitDone && turns < 3) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (!fitDone) turns++;
    }
    await fit;
    delay.disable();
    assert.equal(turns, 3, 'the event loop turned three times while the fit was still running');
    console.log(`event-loop delay p99 during the fit: ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
  });

  it('answers a view\'s queued request as superseded when the same view asks again', async () => {
    const remote = new Engine(db, { pool });
    // A long fit occupies the only worker, so the next two wait in the queue.
    const busy = remote.segment(params({ k: 7, seed: 21, nInit: 20 }));
    const older = remote.segment(params({ k: 3, seed: 22 }), { view: 'tab-1|/clusters' });
    const otherView = remote.segment(params({ k: 4, seed: 22 }), { view: 'tab-2|/clusters' });
    const newer = remote.segment(params({ k: 5, seed: 22 }), { view: 'tab-1|/clusters' });
    await assert.rejects(older, SupersededError);
    assert.equal((await newer).k, 5);
    assert.equal((await otherView).k, 4, 'another view keeps its request');
    await busy;
  });

  it('drops queued work when its client goes away, and refuses work beyond the queue bound', async () => {
    const small = new WorkerPool(1, 1);
    try {
      const remote = new Engine(db, { pool: small });
      const busy = remote.segment(params({ k: 7, seed: 31, nInit: 20 }));
      const controller = new AbortController();
      const abandoned = remote.segment(params({ k: 3, seed: 32 }), { signal: controller.signal });
      await assert.rejects(remote.segment(params({ k: 4, seed: 32 })), (e: Error) => e instanceof BusyError && e.status === 503);
      controller.abort();
      await assert.rejects(abandoned, SupersededError);
      assert.equal(small.queued, 0);
      await busy;
      assert.equal(small.stats.runs, 1, 'the abandoned fit never ran');
    } finally {
      await small.close();
    }
  });
});

describe('memory bounds', () => {
  it('evicts least recently used entries by weight as well as by count', async () => {
    const { LruCache } = await import('../../../server/engine/lru.ts');
    const { cacheKey } = await import('../../../server/cache-key.ts');
    const cache = new LruCache<number[]>(10, { maxWeight: 100, weigh: (v) => v.length });
    cache.set(cacheKey('a'), new Array(40).fill(0));
    cache.set(cacheKey('b'), new Array(40).fill(0));
    cache.get(cacheKey('a'));
    cache.set(cacheKey('c'), new Array(40).fill(0));
    assert.equal(cache.get(cacheKey('b')), undefined, 'b was least recently used');
    assert.ok(cache.get(cacheKey('a')) && cache.get(cacheKey('c')));
    assert.equal(cache.weight, 80);
    cache.set(cacheKey('huge'), new Array(500).fill(0));
    assert.equal(cache.size, 1, 'a single entry over the limit stays, alone');
  });

  it('makes room for a value of known weight before computing it, not after', async () => {
    const { LruCache } = await import('../../../server/engine/lru.ts');
    const { cacheKey } = await import('../../../server/cache-key.ts');
    const cache = new LruCache<number[]>(10, { maxWeight: 100, weigh: (v) => v.length });
    cache.set(cacheKey('old version'), new Array(70).fill(0));
    cache.set(cacheKey('small'), new Array(20).fill(0));
    let heldWhileComputing = -1;
    cache.getOrCompute(cacheKey('new version'), () => {
      heldWhileComputing = cache.weight;
      return new Array(70).fill(0);
    }, 70);
    assert.equal(heldWhileComputing, 20, 'the old version went before its replacement was built');
    assert.equal(cache.get(cacheKey('old version')), undefined);
    assert.ok(cache.get(cacheKey('small')) && cache.get(cacheKey('new version')));
  });

  it('lets go of an older version\'s prepared matrices, and frees them, once a newer version of the dataset is asked for', async () => {
    const { TaskRunner } = await import('../../../server/engine/tasks.ts');
    let collections = 0;
    const runner = new TaskRunner({ collectGarbage: () => collections++ });
    const version = (v: number, rowCount: number) => ({ datasetId: 1, identity: '1:test', version: `1:test@${v}`, rowCount });
    const options = { ...DEFAULT_OPTIONS, features: ['age', 'annual_income', 'spending_score'], k: 3 };
    const prepared = () => (runner as unknown as { prepared: { size: number } }).prepared.size;
    runner.run(db, { kind: 'segment', source: version(1, 2390), options });
    runner.run(db, { kind: 'segment', source: version(1, 2390), options: { ...options, scaling: 'minmax' } });
    assert.equal(prepared(), 2);
    assert.equal(collections, 0, 'nothing let go yet');
    runner.run(db, { kind: 'ranges', source: version(2, 2400) });
    assert.equal(prepared(), 0, 'both of version 1\'s matrices went');
    assert.equal(collections, 1, 'and were collected at once');
    const again = runner.run(db, { kind: 'segment', source: version(2, 2400), options }) as { rowCount: number };
    assert.equal(again.rowCount, 2400);
    runner.run(db, { kind: 'segment', source: version(1, 2390), options });
    assert.equal(prepared(), 2, 'an older version asked for later is prepared again, and keeps the newer one');
    assert.equal(collections, 1);
  });
});

describe('worker tables and registrations', () => {
  it('serves more datasets than a worker keeps, in any order', async () => {
    const { importCsvText } = await import('../../support/import-text.ts');
    const ids = [1];
    for (let d = 0; d < 3; d++) {
      const rows = Array.from({ length: 60 }, (_, i) => `${i % 3 * 10 + (i % 5) + d},${(i * 7) % 13}`);
      ids.push((await importCsvText(db, `x,y\n${rows.join('\n')}\n`, { name: `extra ${d}` })).id);
    }
    const remote = new Engine(db, { pool });
    const order = [...ids, ...[...ids].reverse(), ids[2], ids[0], ids[3]];
    for (const [i, id] of order.entries()) {
      const features = id === 1 ? ['age', 'annual_income'] : ['x', 'y'];
      // A new seed each time: a fresh fit in the worker, never the engine's cache.
      const result = await remote.segment(params({ datasetId: id, features, k: 3, seed: 100 + i }));
      assert.equal(result.k, 3);
    }
  });

  it('assigns registered customers in the worker exactly as on the request thread', async () => {
    const { registerCustomers } = await import('../../../server/store/registered-customers.ts');
    const local = new Engine(db);
    const remote = new Engine(db, { pool });
    const p = params({ k: 4, seed: 5 });
    await Promise.all([local.segment(p), remote.segment(p)]);
    const row = [null, 33, 'Female', 61000, 55, 3, 9, 150, 'Books'];
    await registerCustomers(db, 1, 'test', [{ row: ['REG-1', ...row.slice(1)], segment: 0, segmentName: 'x' }]);
    const [a, b] = [await local.segment(p), await remote.segment(p)];
    assert.equal(b.rowCount, a.rowCount);
    assert.deepEqual(Array.from(b.labels), Array.from(a.labels));
    assert.deepEqual(b.segments.map((s) => s.size), a.segments.map((s) => s.size));
    assert.ok(b.notes.some((n) => /Assigned without refitting: 1 customer/.test(n)));
  });
});


describe('saved-segmentation work in the worker', () => {
  it('gives the same baselines, comparison, drift and retraining as the request thread', async () => {
    const { ModelService } = await import('../../../server/models/model-service.ts');
    const { getModel } = await import('../../../server/store/saved-models.ts');
    const local = new Engine(db);
    const remote = new Engine(db, { pool });
    const policy = { afterCustomers: 1_000_000, afterMinutes: 1e9 };
    const onThread = new ModelService(db, local, policy);
    const inWorker = new ModelService(db, remote, policy);
    const a = await onThread.saveFit(params({ k: 3, seed: 8 }), 'three');
    const b = await inWorker.saveFit(params({ k: 5, seed: 8 }), 'five');
    const bLocal = await onThread.saveFit(params({ k: 5, seed: 8 }), 'five again');
    assert.deepEqual(b.baseline, bLocal.baseline);
    assert.deepEqual(await inWorker.compare(a.id, b.id), await onThread.compare(a.id, b.id));
    assert.deepEqual(await inWorker.drift(getModel(db, a.id)), await onThread.drift(getModel(db, a.id)));
  });
});

describe('tables across versions and datasets', () => {
  it('reads only appended rows for a new version, with the same table a full load gives', async () => {
    const { registerCustomers } = await import('../../../server/store/registered-customers.ts');
    const { datasetVersion, loadDataTable } = await import('../../../server/store/datasets.ts');
    const { TableCache } = await import('../../../server/engine/tables.ts');
    const tables = new TableCache();
    const sourceOf = () => {
      const { version, createdAt, rowCount } = datasetVersion(db, 1);
      return { datasetId: 1, identity: `1#${createdAt}`, version: `1#${createdAt}@${version}`, rowCount };
    };
    const firstSource = sourceOf();
    const before = tables.get(db, firstSource);
    await registerCustomers(db, 1, 'test', [
      { row: ['REG-A', 44, 'Male', 52000, 61, 2, 4, 90, 'Sports'], segment: 0, segmentName: 'x' },
      { row: ['REG-B', null, null, 73000, null, 7, 11, 300, 'Books'], segment: 1, segmentName: 'y' },
    ]);
    const after = tables.get(db, sourceOf());
    assert.equal(after.rowCount, before.rowCount + 2);
    assert.deepEqual(after, loadDataTable(db, 1, { analysisOnly: true }));
    assert.equal(tables.get(db, firstSource).rowCount, after.rowCount - 2, 'the earlier version is unchanged');
    after.columns.forEach((c, i) => c.kind === 'numeric' && assert.equal(c.values.buffer, (before.columns[i].values as Float64Array).buffer, `${c.name}: appended in place, not copied`));
    assert.deepEqual(after.omitted, [{ name: 'customer_id', kind: 'id' }], 'identifiers are listed, not loaded');
    assert.ok(after.columns.every((c) => c.kind === 'numeric' || c.kind === 'categorical'));
  });

  it('loads a version\'s rows only, whatever was appended since', async () => {
    const { registerCustomers } = await import('../../../server/store/registered-customers.ts');
    const { loadDataTable } = await import('../../../server/store/datasets.ts');
    const full = loadDataTable(db, 1);
    await registerCustomers(db, 1, 'test', [{ row: ['REG-C', 30, 'Female', 40000, 50, 1, 3, 80, 'Books'], segment: 0, segmentName: 'x' }]);
    const version = loadDataTable(db, 1, { rowCount: full.rowCount });
    assert.equal(version.rowCount, full.rowCount);
    assert.deepEqual(version, full);
  });

  it('gives a dataset imported after a delete a new id, so no cached result of the deleted one reaches it', async () => {
    const { importCsvText } = await import('../../support/import-text.ts');
    const { deleteDataset } = await import('../../../server/store/datasets.ts');
    const engine = new Engine(db);
    const rows = (shift: number) => Array.from({ length: 40 }, (_, i) => `${(i % 2) * 50 + shift + (i % 3)},${i % 4}`).join('\n');
    const first = await importCsvText(db, `x,y\n${rows(0)}\n`, { name: 'first' });
    const p = params({ datasetId: first.id, features: ['x', 'y'], k: 2 });
    const a = await engine.segment(p);
    await deleteDataset(db, first.id);
    const second = await importCsvText(db, `x,y\n${rows(1000)}\n`, { name: 'second' });
    assert.ok(second.id > first.id, `the deleted dataset's id ${first.id} is not given again (got ${second.id})`);
    const b = await engine.segment({ ...p, datasetId: second.id });
    assert.notDeepEqual(b.segments.map((s) => s.centroid.x), a.segments.map((s) => s.centroid.x));
    assert.ok(b.segments.every((s) => s.centroid.x >= 1000), 'centres come from the new data');
  });

  it('stops a task that runs past its time, answers 503, and serves the next request from a new worker', async () => {
    // The time limit is the test's to fire: once the sweep is under way, not by a clock a busy
    // machine could run out on the next request too.
    const limits: (() => void)[] = [];
    const watched = new WorkerPool(1, 64, 1000, (expire) => {
      limits.push(expire);
      return () => undefined;
    });
    try {
      const engine = new Engine(db, { pool: watched });
      let underWay: () => void = () => {};
      const scoring = new Promise<void>((resolve) => (underWay = resolve));
      // 19 values of k with 50 restarts each: seconds, if nothing stops it.
      const slow = engine.sweep(params({ k: null, nInit: 50, kMax: 20, seed: 9 }), { onProgress: (p) => /^scoring k = \d+$/.test(p.step) && underWay() });
      await scoring;
      limits.at(-1)!();
      await assert.rejects(slow, (e: Error) => e instanceof BusyError && e.status === 503 && /ran for more than \d+ s and was stopped/.test(e.message));
      const answer = await engine.segment(params({ k: 3 }));
      assert.equal(answer.k, 3);
    } finally {
      await watched.close();
    }
  });
});

describe('stopping running work', () => {
  /** A sweep of 19 values of k with 50 restarts each: many seconds, if it is not stopped. */
  const longSweep = (seed: number) => params({ k: null, nInit: 50, kMax: 20, seed });

  it('stops a running task within a second when its only client goes away, and the worker serves the next request', async () => {
    const own = new WorkerPool(1);
    try {
      const engine = new Engine(db, { pool: own });
      const controller = new AbortController();
      const steps: string[] = [];
      // The client leaves once the sweep is under way (a new worker first loads its code and the table).
      let scoring: () => void = () => {};
      const underWay = new Promise<void>((resolve) => (scoring = resolve));
      const running = engine.sweep(longSweep(61), { signal: controller.signal, onProgress: (p) => {
        steps.push(p.step);
        if (/^scoring k = \d+$/.test(p.step)) scoring();
      } });
      const watchdog = setTimeout(() => scoring(), 60_000);
      await underWay;
      clearTimeout(watchdog);
      controller.abort();
      const stoppedAt = performance.now();
      await assert.rejects(running, SupersededError);
      const answer = await engine.segment(params({ k: 3, seed: 62 }));
      console.log(`# the next fit answered ${(performance.now() - stoppedAt).toFixed(0)} ms after the sweep was stopped`);
      assert.equal(answer.k, 3);
      assert.equal(own.stats.stopped, 1, 'the sweep was stopped, not run to its end');
      assert.ok(steps.some((s) => /^scoring k = \d+$/.test(s)), `progress was reported: ${steps.join('; ')}`);
    } finally {
      await own.close();
    }
  });

  it('stops a view\'s running task when the same view asks for something else, but not another view\'s', async () => {
    const own = new WorkerPool(1);
    try {
      const engine = new Engine(db, { pool: own });
      let scoring: () => void = () => {};
      const underWay = new Promise<void>((resolve) => (scoring = resolve));
      const older = engine.sweep(longSweep(71), { view: 'tab-1|/api/sweep', onProgress: (p) => /^scoring k/.test(p.step) && scoring() });
      const watchdog = setTimeout(() => scoring(), 60_000);
      await underWay;
      clearTimeout(watchdog);
      const newer = engine.segment(params({ k: 3, seed: 72 }), { view: 'tab-1|/api/sweep' });
      await assert.rejects(older, SupersededError);
      assert.equal((await newer).k, 3);
      assert.equal(own.stats.stopped, 1);

      let sharedRunning: () => void = () => {};
      const sharedUnderWay = new Promise<void>((resolve) => (sharedRunning = resolve));
      const shared = engine.sweep(longSweep(73), { view: 'tab-1|/api/sweep', onProgress: (p) => /^scoring k/.test(p.step) && sharedRunning() });
      const sameWork = engine.sweep(longSweep(73), { view: 'tab-2|/api/sweep' });
      await sharedUnderWay;
      const replacing = engine.segment(params({ k: 4, seed: 74 }), { view: 'tab-1|/api/sweep' });
      await assert.rejects(shared, SupersededError);
      // tab-2 still waits for the sweep: it yields to the newer request, then goes on.
      assert.ok((await sameWork).rows.length > 0);
      assert.equal((await replacing).k, 4);
      assert.equal(own.stats.stopped, 1, 'work another view waits for is not stopped');
    } finally {
      await own.close();
    }
  });

  it('lets a view\'s request go before a running sweep, which then goes on to the same curves', async () => {
    const own = new WorkerPool(1);
    try {
      const engine = new Engine(db, { pool: own });
      const sweepParams = params({ k: null, nInit: 20, kMax: 12, seed: 81 });
      let scoring: () => void = () => {};
      const underWay = new Promise<void>((resolve) => (scoring = resolve));
      const done: string[] = [];
      const sweep = engine.sweep(sweepParams, { view: 'tab-1|/clusters/sweep', onProgress: (p) => p.step === 'scoring k = 5' && scoring() }).then((s) => (done.push('sweep'), s));
      const watchdog = setTimeout(() => scoring(), 60_000);
      await underWay;
      clearTimeout(watchdog);
      const fit = engine.segment(params({ k: 3, seed: 82 }), { view: 'tab-1|/clusters' }).then((r) => (done.push('fit'), r));
      const [swept, fitted] = await Promise.all([sweep, fit]);
      assert.deepEqual(done, ['fit', 'sweep'], 'the fit did not wait for the sweep');
      assert.equal(fitted.k, 3);
      assert.equal(own.stats.yielded, 1);
      assert.equal(own.stats.stopped, 0, 'nobody was answered "superseded"');
      assert.deepEqual(swept, await new Engine(db).sweep(sweepParams), 'the same curves as a sweep never stopped');
    } finally {
      await own.close();
    }
  });
});
