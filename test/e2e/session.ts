/** A running app plus Chromium, with the page helpers every browser test uses. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './browser.ts';
export { launchBrowser };
import { startServer, type RunningServer } from './server.ts';

export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

export class BrowserSession {
  server!: RunningServer;
  browser!: LaunchedBrowser;
  readonly consoleErrors: string[] = [];

  async start(options: Parameters<typeof startServer>[0] = {}): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    this.server = await startServer(options);
    this.browser = await launchBrowser();
  }

  /** Closes the browser and the server whatever state a failed test left them in. */
  async stop(): Promise<void> {
    try {
      await this.browser?.close();
    } finally {
      await this.server?.stop();
    }
  }

  /** Opens a page, records console errors, counts settled htmx swaps, waits for a chart. */
  async openPage(path: string, viewport = { width: 1280, height: 800 }, context = this.browser.context): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    page.on('console', (m) => { if (m.type() === 'error') this.consoleErrors.push(`${path}: ${m.text()}`); });
    page.on('pageerror', (e) => this.consoleErrors.push(`${path}: ${String(e)}`));
    await page.addInitScript(() => {
      (window as unknown as { settled: number }).settled = 0;
      document.addEventListener('htmx:after:settle', () => { (window as unknown as { settled: number }).settled++; });
    });
    await page.goto(this.server.baseUrl + path);
    if (!path.startsWith('/datasets')) await page.waitForSelector('canvas[data-chart-drawn]', { state: 'attached' });
    return page;
  }
}

/** A chart's data as Chart.js holds it, by the id of the region around its canvas. */
export function chartData(page: Page, regionId: string): Promise<string> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`#${id} canvas`) as HTMLCanvasElement;
    const chart = (window as unknown as { Chart: { getChart: (c: HTMLCanvasElement) => { data: unknown } | undefined } }).Chart.getChart(canvas);
    return JSON.stringify(chart?.data ?? null);
  }, regionId);
}

/** Nothing in flight: no htmx request, and no region still waiting for its own (the curves, stability). */
export const IDLE = () => !document.querySelector('.htmx-request, #cluster-sweep-pending, #cluster-stability-pending, [data-settles-k]');

/**
 * Makes a change and waits until htmx has swapped in (and drawn) the answer. It starts from
 * an idle page: a region of the previous answer that fills itself later (the curves) would
 * otherwise count as this change's swap while the change waits out its debounce.
 */
export async function changeAndSettle(page: Page, change: () => Promise<unknown>): Promise<void> {
  await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
  const before = await page.evaluate(() => (window as unknown as { settled: number }).settled);
  await change();
  await page.waitForFunction((n) => (window as unknown as { settled: number }).settled > n && !document.querySelector('.htmx-request, #cluster-sweep-pending, #cluster-stability-pending, [data-settles-k]'), before, { timeout: 60_000 });
  await page.waitForSelector('#cluster-scatter canvas[data-chart-drawn], #prediction-scatter canvas[data-chart-drawn]', { state: 'attached' });
}
