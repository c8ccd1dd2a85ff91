/** The first browser check: the k slider redraws the scatter with the new number of segments. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession, changeAndSettle, chartData, IDLE } from './session.ts';

const session = new BrowserSession();

describe('k slider in Chromium', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  before(() => session.start());
  after(() => session.stop());

  it('redraws the scatter with the new number of segments when the k slider moves', async () => {
    const page = await session.openPage('/clusters');
    // A first view shows a provisional k until the curves settle the recommended one.
    await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
    const k = Number(await page.inputValue('#k'));
    const datasets = async () => (JSON.parse(await chartData(page, 'cluster-scatter')) as { datasets: unknown[] }).datasets.length;
    assert.equal(await datasets(), k + 1, 'one dataset per segment plus the centres');
    await page.focus('#k');
    await changeAndSettle(page, async () => {
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
    });
    await page.waitForSelector(`.result-meta[data-k="${k - 2}"]`, { state: 'attached' });
    assert.equal(await datasets(), k - 1);
    assert.equal(await page.textContent('#k-value'), String(k - 2));
    assert.match(page.url(), new RegExp(`k=${k - 2}`), 'the new view is in the URL');
    assert.deepEqual(session.consoleErrors, []);
    await page.close();
  });

  it('swaps a region whose elements carry a style a script left on them, with no inline style the CSP blocks', async () => {
    const page = await session.openPage('/clusters');
    await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
    // Chart.js and the browser leave style attributes (some empty) on elements of the regions
    // a change swaps; htmx's settling copied them onto the new elements as inline styles.
    await page.evaluate(() => {
      document.querySelectorAll<HTMLElement>('#cluster-results [id]').forEach((el) => {
        el.style.minWidth = '0px';
        el.style.minWidth = '';
      });
    });
    const k = Number(await page.inputValue('#k'));
    await page.focus('#k');
    await changeAndSettle(page, async () => page.keyboard.press('ArrowRight'));
    await page.waitForSelector(`.result-meta[data-k="${k + 1}"]`, { state: 'attached' });
    assert.deepEqual(session.consoleErrors, []);
    await page.close();
  });
});
