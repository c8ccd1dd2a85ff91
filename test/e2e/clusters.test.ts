import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './browser.ts';
import { browserSkip, startServer, type RunningServer } from './server.ts';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

let server: RunningServer;
let browser: LaunchedBrowser;
const consoleErrors: string[] = [];

async function openPage(path: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${path}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${path}: ${String(e)}`));
  await page.goto(server.baseUrl + path);
  await page.waitForSelector('canvas[data-chart-drawn]', { state: 'attached' });
  return page;
}

/** Datasets drawn in the scatter chart, read from Chart.js itself. */
function scatterDatasets(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector('#cluster-scatter canvas') as HTMLCanvasElement;
    const chart = (window as unknown as { Chart: { getChart: (c: HTMLCanvasElement) => { data: { datasets: unknown[] } } } }).Chart.getChart(canvas);
    return chart.data.datasets.length;
  });
}

describe('dashboard in Chromium', { skip: browserSkip }, () => {
  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('redraws the scatter with the new number of segments when the k slider moves', async () => {
    const page = await openPage('/clusters');
    const k = Number(await page.inputValue('#k'));
    assert.equal(await scatterDatasets(page), k + 1, 'one dataset per segment plus the centres');
    await page.focus('#k');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector(`.result-meta[data-k="${k - 2}"]`, { state: "attached" });
    await page.waitForFunction((expected) => {
      const canvas = document.querySelector('#cluster-scatter canvas[data-chart-drawn]');
      return canvas?.getAttribute('data-chart-drawn') === String(expected);
    }, k - 1);
    assert.equal(await scatterDatasets(page), k - 1);
    assert.equal(await page.textContent('#k-value'), String(k - 2));
    assert.match(page.url(), new RegExp(`k=${k - 2}`), 'the new view is in the URL');
    await page.screenshot({ path: `${SCREENSHOTS}clusters.png`, fullPage: true });
    await page.close();
  });

  it('renders the Overview and Predict tabs with their charts and no console errors', async () => {
    for (const [name, path] of [['overview', '/'], ['predict', '/predict']]) {
      const page = await openPage(path);
      const drawn = await page.locator('canvas[data-chart-drawn]').count();
      assert.ok(drawn >= 2, `${name}: ${drawn} charts drawn`);
      await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
      await page.close();
    }
    assert.deepEqual(consoleErrors, []);
  });
});
