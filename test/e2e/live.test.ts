/**
 * Live updates as a person at work keeps the dashboard: many tabs of one browser, each
 * following registrations, and pages that lose their stream catching up by themselves.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULT_DATASET_PATH } from '../../server/config.ts';
import { registerCustomers } from '../../server/store/registered-customers.ts';
import { openDatabase } from '../../server/store/db.ts';
import { getDataset } from '../../server/store/datasets.ts';
import { seedDefaultDataset } from '../../server/ingest/seed.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession } from './session.ts';

const TABS = 8;
/** A bound on a hang, not a latency: the figures are printed, and measured by the bench. */
const HANG_MS = 30_000;
const ROUNDS = 5;
const PATHS = ['/?k=4', '/clusters?k=4', '/predict?k=4'];
const NEW_CUSTOMER = { age: 30, annual_income: 50000, spending_score: 60, membership_years: 2, purchase_frequency: 8, last_purchase_amount: 150 };

const session = new BrowserSession();
const open: Page[] = [];

async function openTab(path: string): Promise<Page> {
  const page = await session.openPage(path);
  open.push(page);
  return page;
}

/** Milliseconds from the page having loaded (its load event) to its stream being live; 0 if live before. */
async function liveAfter(page: Page): Promise<number> {
  await page.waitForSelector('#live[data-state="live"]', { state: 'attached', timeout: HANG_MS });
  return page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    const liveAt = Number(document.getElementById('live')!.getAttribute('data-live-at'));
    return Math.max(0, Math.round(liveAt - navigation.loadEventEnd));
  });
}

/** What the page shows that a registration changes: its customer count, or its prediction's redraws. */
function shownState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const kpi = document.querySelector('.kpi-value');
    if (kpi) return `customers ${kpi.textContent}`;
    const sizes = Array.from(document.querySelectorAll('#cluster-sizes tbody td:nth-child(2)'));
    if (sizes.length > 0) return `sizes ${sizes.reduce((s, c) => s + Number((c.textContent ?? '').replace(/,/g, '')), 0)}`;
    return `redraws ${(window as unknown as { settled: number }).settled}`;
  });
}

async function register(count = 1): Promise<void> {
  const res = await fetch(`${session.server.baseUrl}/api/customers?k=4`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Array.from({ length: count }, () => NEW_CUSTOMER)),
  });
  assert.equal(res.status, 201, await res.text());
}

/** Waits until the page shows something other than `before` and has nothing in flight; returns the ms taken. */
async function waitForChange(page: Page, before: string, started: number, timeout: number): Promise<number> {
  await page.waitForFunction((previous) => {
    const kpi = document.querySelector('.kpi-value');
    const sizes = Array.from(document.querySelectorAll('#cluster-sizes tbody td:nth-child(2)'));
    const now = kpi ? `customers ${kpi.textContent}`
      : sizes.length > 0 ? `sizes ${sizes.reduce((s, c) => s + Number((c.textContent ?? '').replace(/,/g, '')), 0)}`
        : `redraws ${(window as unknown as { settled: number }).settled}`;
    return now !== previous && !document.querySelector('.htmx-request');
  }, before, { timeout, polling: 20 });
  return Date.now() - started;
}

/** A loopback port free now, so a restarted server can come back on the same address. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('live updates in many tabs of one browser', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  before(() => session.start());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close().catch(() => {})));
  });
  after(() => session.stop());

  // How fast is the bench's business (`npm run bench`): here every tab must connect and follow,
  // with a bound on a hang that a busy machine never reaches.
  it(`connects each of ${TABS} tabs on one stream and each follows a registration, ${ROUNDS} rounds`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const tabs = await Promise.all(Array.from({ length: TABS }, (_, i) => openTab(PATHS[i % PATHS.length])));
      const connect = await Promise.all(tabs.map(liveAfter));
      assert.equal(((await (await fetch(`${session.server.baseUrl}/healthz`)).json()) as { liveClients: number }).liveClients, 1, 'the tabs share one stream');
      // Measured from idle pages: a first Clusters view still scores its curves in the worker,
      // and a registration's refresh would wait behind that (a busy server, not the stream).
      await Promise.all(tabs.map((tab) => tab.waitForFunction(() => !document.querySelector('.htmx-request, #cluster-sweep-pending, #cluster-stability-pending'), undefined, { timeout: 60_000 })));
      const before = await Promise.all(tabs.map(shownState));
      const started = Date.now();
      await register();
      const follow = await Promise.all(tabs.map((tab, i) => waitForChange(tab, before[i], started, HANG_MS)));
      console.log(`round ${round}: ${TABS} tabs live ${connect.join(', ')} ms after loading; followed a registration after ${follow.join(', ')} ms`);
      await Promise.all(open.splice(0).map((p) => p.close()));
    }
    assert.deepEqual(session.consoleErrors, []);
  });

  it('reconnects after a dropped connection, says so, and catches up on what it missed', async () => {
    const overview = await openTab('/?k=4');
    const clusters = await openTab('/clusters?k=4');
    await Promise.all([liveAfter(overview), liveAfter(clusters)]);
    assert.equal(await overview.textContent('#live-status'), 'Live');
    const before = await Promise.all([shownState(overview), shownState(clusters)]);
    session.server.dropConnections();
    await overview.waitForSelector('#live-status[data-state="reconnecting"]', { timeout: 5000 });
    assert.match(await overview.getAttribute('#live-status', 'title') ?? '', /out of date/);
    // Sent while the tabs are away (the browser waits a second before it reconnects).
    const started = Date.now();
    await register(2);
    await Promise.all([waitForChange(overview, before[0], started, 10_000), waitForChange(clusters, before[1], started, 10_000)]);
    await overview.waitForSelector('#live-status[data-state="live"]', { timeout: 5000 });
    assert.equal(await overview.textContent('#live-status'), 'Live');
    assert.equal(await overview.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'no reload');
  });

  it('goes live on a stream of its own when the shared worker never answers', async () => {
    // A port of a worker the browser was ending as the page connected says nothing, ever.
    const page = await session.browser.context.newPage();
    open.push(page);
    await page.addInitScript(() => {
      const silentPort = { addEventListener() {}, start() {}, close() {}, postMessage() {} };
      (window as unknown as { SharedWorker: unknown }).SharedWorker = class { port = silentPort; };
    });
    await page.goto(`${session.server.baseUrl}/?k=4`);
    await page.waitForSelector('#live[data-state="live"]', { state: 'attached', timeout: 15_000 });
    const before = await shownState(page);
    const started = Date.now();
    await register();
    await waitForChange(page, before, started, 5000);
  });

  it('catches up after the server restarts, without a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-live-restart-'));
    const dbPath = join(dir, 'live.db');
    const port = String(await freePort());
    let server: ServerProcess | undefined;
    try {
      const seeding = openDatabase(dbPath);
      await seedDefaultDataset(seeding, DEFAULT_DATASET_PATH, 'Sample customers');
      seeding.close();
      server = await startServerProcess(dbPath, { PORT: port, WORKERS: '0' });
      const page = await session.browser.context.newPage();
      open.push(page);
      await page.goto(`${server.base}/?k=4`);
      await liveAfter(page);
      const before = await shownState(page);
      server.child.kill('SIGTERM');
      await server.exited;
      await page.waitForSelector('#live-status[data-state="reconnecting"]', { timeout: 5000 });
      // A customer arrives while the dashboard is down (another process writes the database).
      const writer = openDatabase(dbPath);
      const columns = getDataset(writer, 1).columns;
      await registerCustomers(writer, 1, 'test', [{ row: columns.map((c) => (c.kind === 'numeric' ? 40 : null)), segment: 0, segmentName: 'Test' }]);
      writer.close();
      server = await startServerProcess(dbPath, { PORT: port, WORKERS: '0' });
      const started = Date.now();
      await waitForChange(page, before, started, 15_000);
      await page.waitForSelector('#live-status[data-state="live"]', { timeout: 5000 });
      assert.match(await shownState(page), /customers 2,401/);
      assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'no reload');
      console.log(`caught up ${Date.now() - started} ms after the server was back`);
    } finally {
      server?.child.kill('SIGKILL');
      await server?.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
