/**
 * Progressive results in Chromium: the fit for the shown k first, the curves over k in their
 * own region after, a provisional k replaced by the recommended one, the worker's steps on
 * the page while it works, and the time from a control change to the last chart drawn.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { Page } from 'playwright-core';
import { percentiles } from '../bench/clusters.ts';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession, SCREENSHOTS } from './session.ts';

const session = new BrowserSession();

/** Six well separated groups: the sweep recommends k = 6, not the provisional 4. */
function sixGroups(): string {
  const lines = ['x,y'];
  for (let i = 0; i < 600; i++) {
    const g = i % 6;
    lines.push(`${(g % 3) * 40 + ((i * 7) % 11) / 5},${Math.floor(g / 3) * 40 + ((i * 13) % 17) / 6}`);
  }
  return lines.join('\n');
}

/** Every chart of the page drawn and no region still waiting for its request. */
const allDrawn = (page: Page, timeout = 60_000) => page.waitForFunction(() => {
  const canvases = Array.from(document.querySelectorAll('canvas[data-chart]'));
  return canvases.length > 0 && canvases.every((c) => c.hasAttribute('data-chart-drawn')) && !document.querySelector('#cluster-sweep-pending, #cluster-stability-pending, .htmx-request, [data-settles-k]');
}, undefined, { timeout });

describe('progressive Clusters tab in Chromium', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let groups = 0;
  before(async () => {
    await session.start();
    groups = (await request(session.server.app).post('/api/datasets?name=Six%20groups').set('Content-Type', 'text/csv').send(sixGroups()).expect(201)).body.id;
  });
  after(() => session.stop());

  it('shows a provisional k at once, then the curves, and settles on the recommended k', async () => {
    const page = await session.browser.context.newPage();
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      const response = await page.goto(`${session.server.baseUrl}/clusters?dataset=${groups}`);
      // The fit region came with the page, for the provisional k; the sweep region was still to come.
      const served = (await response!.text());
      assert.match(served, /class="result-meta" data-k="4"/, 'the provisional k');
      assert.match(served, /id="cluster-sweep-pending"/);
      await allDrawn(page);
      assert.equal(await page.getAttribute('.result-meta', 'data-k'), '6', 'the recommended k replaced it');
      assert.equal(await page.inputValue('#k'), '6', 'the slider follows');
      assert.match(await page.textContent('#cluster-sweep .recommended') ?? '', /Recommended: k = 6/);
      assert.match(await page.textContent('#cluster-stability') ?? '', /Stability of k = 6/);
      assert.doesNotMatch(page.url(), /k=/, 'the URL still asks for the recommended k');
      await page.screenshot({ path: `${SCREENSHOTS}progressive-settled.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('shows the worker\'s steps with a progress bar while the curves are scored', async () => {
    const page = await session.browser.context.newPage();
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      // Every step text and bar value the sweep region shows, as it changes: a poll could
      // miss a step between two looks, an observer sees each.
      await page.addInitScript(() => {
        const seen: { step: string; bar: number | null }[] = [];
        (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
        new MutationObserver(() => {
          const region = document.querySelector('#cluster-sweep-pending');
          const step = region?.querySelector('.progress-step')?.textContent ?? '';
          const bar = region?.querySelector('progress') as HTMLProgressElement | null;
          if (step && seen[seen.length - 1]?.step !== step) seen.push({ step, bar: bar && !bar.hidden ? bar.value : null });
        }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      // The region loads itself as htmx starts: its request must name the view all the same
      // (it once went without, when htmx ran before app.js, and the page saw no step).
      const sweepViews: (string | undefined)[] = [];
      page.on('request', (r) => { if (r.url().includes('/clusters/sweep')) sweepViews.push(r.headers()['x-view-id']); });
      // 19 values of k with 50 restarts each: long enough to watch.
      await page.goto(`${session.server.baseUrl}/clusters?k=3&kMax=20&nInit=50&seed=5`);
      await allDrawn(page, 120_000);
      assert.deepEqual(sweepViews, [await page.getAttribute('html', 'data-view-id')], 'the sweep region\'s request names this view');
      const seen = await page.evaluate(() => (window as unknown as { progressSeen: { step: string; bar: number | null }[] }).progressSeen);
      const scoring = seen.filter((s) => /Scoring k = \d+ \(\d+ of 19\)/.test(s.step));
      assert.ok(scoring.length >= 3, `the steps of the sweep, shown as they came: ${JSON.stringify(seen.slice(0, 30))}`);
      assert.ok(scoring.every((s) => s.bar !== null && s.bar >= 0 && s.bar < 1), 'each with its progress bar');
      assert.ok(scoring.some((s) => s.bar! > 0), 'the bar moves');
      assert.equal(await page.locator('#cluster-elbow canvas[data-chart-drawn]').count(), 1);
    } finally {
      await page.close();
    }
  });

  it('prints the time from a control change to the last chart drawn (sample, 20 changes)', async () => {
    const page = await session.browser.context.newPage();
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${session.server.baseUrl}/clusters?k=5`);
      await allDrawn(page);
      const timed = async (change: () => Promise<void>) => {
        const started = await page.evaluate(() => performance.now());
        await change();
        await page.waitForFunction(() => !!document.querySelector('.htmx-request'), undefined, { timeout: 5_000 }).catch(() => undefined);
        await allDrawn(page);
        return (await page.evaluate(() => performance.now())) - started;
      };
      const kChanges: number[] = [];
      const newFits: number[] = [];
      for (let i = 0; i < 20; i++) {
        kChanges.push(await timed(async () => {
          await page.fill('#k', String(3 + (i % 6)));
          await page.dispatchEvent('#k', 'change');
        }));
        // A seed never seen: a new fit, and new curves in their region.
        newFits.push(await timed(async () => {
          await page.fill('#seed', String(1000 + i));
          await page.dispatchEvent('#seed', 'change');
        }));
      }
      const k = percentiles(kChanges);
      const fresh = percentiles(newFits);
      console.log(`control change to last chart drawn, sample, 20 changes: new k p50 ${k.p50.toFixed(0)} ms, p95 ${k.p95.toFixed(0)} ms; new seed (fit and curves) p50 ${fresh.p50.toFixed(0)} ms, p95 ${fresh.p95.toFixed(0)} ms`);
      assert.equal(kChanges.length, 20);
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await page.close();
    }
  });
});
