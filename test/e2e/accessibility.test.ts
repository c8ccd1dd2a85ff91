/**
 * Accessibility as axe-core reads each tab, the compare view and the report in Chromium: no
 * serious or critical violation, at 1280 px and on a 390 px phone; every chart's data in a
 * table a screen reader can reach.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession, IDLE } from './session.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const session = new BrowserSession();

interface Violation { id: string; impact: string; nodes: { target: string[] }[] }

/** Serious and critical violations on the page as it is now. */
async function violations(page: Page): Promise<string[]> {
  // Evaluated, not added as a script tag: the page's CSP refuses inline scripts, as it should.
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => (await (window as unknown as { axe: { run: (d: Document, o: object) => Promise<{ violations: Violation[] }> } }).axe.run(document, { resultTypes: ['violations'] })).violations);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility in Chromium', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let models: number[] = [];
  before(async () => {
    await session.start();
    const save = async (k: number, name: string) => (await (await fetch(`${session.server.baseUrl}/api/models?dataset=1&k=${k}&name=${name}`, { method: 'POST' })).json() as { id: number }).id;
    models = [await save(4, 'Four'), await save(5, 'Five')];
  });
  after(() => session.stop());

  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    it(`finds no serious or critical violation on any tab, the compare view or the report at ${viewport.width} px`, async () => {
      const paths = ['/', '/clusters?k=4', '/predict?k=4', '/datasets', `/report?model=${models[0]}`];
      for (const path of paths) {
        const page = await session.openPage(path, viewport);
        try {
          await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
          if (path.startsWith('/clusters')) {
            // The saved segmentations compared, so the compare view is checked too.
            await page.waitForSelector('#compare-b', { timeout: 30_000 });
            await page.selectOption('#compare-b', String(models[1]));
            await page.click('#models-panel form[hx-get="/models/compare"] button[type=submit]');
            await page.waitForSelector('#model-compare table', { state: 'attached', timeout: 30_000 });
            await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
          }
          assert.deepEqual(await violations(page), [], `${path} at ${viewport.width} px`);
        } finally {
          await page.close();
        }
      }
    });
  }

  it('gives every chart its data as a table', async () => {
    const page = await session.openPage('/clusters?k=4');
    try {
      await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
      const charts = await page.$$eval('canvas[data-chart]', (canvases) => canvases.map((c) => ({
        label: c.getAttribute('aria-label') ?? '',
        table: !!c.closest('.chart-block')?.querySelector('details.chart-data table tbody tr'),
      })));
      assert.ok(charts.length >= 5);
      assert.deepEqual(charts.filter((c) => !c.table).map((c) => c.label), [], 'charts without a data table');
      const sizes = await page.$eval('#cluster-sizes details.chart-data table', (t) => t.textContent ?? '');
      assert.match(sizes, /1\. .+\d/);
    } finally {
      await page.close();
    }
  });

  it('logged no console error', () => {
    assert.deepEqual(session.consoleErrors, []);
  });
});
