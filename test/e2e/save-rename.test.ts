/**
 * Saving and renaming beside the results they act on: save the segmentation shown from the
 * top of the Clusters tab, rename a segment on its profile card, and see a confirmation and
 * the new name on the card, in the sizes table and on the charts, without a reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession, chartData, IDLE } from './session.ts';

const session = new BrowserSession();

describe('save and rename beside the results', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  before(() => session.start());
  after(() => session.stop());

  it('saves the shown segmentation from the top, renames a segment on its card, and confirms it', async () => {
    const page = await session.openPage('/clusters?k=4');
    try {
      await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
      const seen = await page.getAttribute('#live', 'data-seen');
      await page.fill('#save-name', 'Spring');
      await page.click('.save-inline button[type=submit]');
      await page.waitForSelector('.saved-line', { timeout: 30_000 });
      // The save is announced to every open page, this one too: its redraw comes and goes first.
      await page.waitForFunction((before) => document.getElementById('live')?.getAttribute('data-seen') !== before, seen, { timeout: 30_000 });
      await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
      assert.match(await page.textContent('.saved-line') ?? '', /Saved as “Spring”/);
      await page.click('.profile.seg-0 .card-rename summary');
      await page.fill('#card-name-0', 'Bargain hunters');
      await page.fill('#card-playbook-0', 'Weekly coupons on staples.');
      await page.click('.profile.seg-0 .card-rename button[type=submit]');
      await page.waitForFunction(() => document.querySelector('.profile.seg-0 h3')?.textContent?.includes('Bargain hunters'), undefined, { timeout: 30_000 });
      await page.waitForFunction(IDLE, undefined, { timeout: 60_000 });
      assert.match(await page.textContent('.profile.seg-0 .rename-status') ?? '', /Saved: segment 1 is now “Bargain hunters”/, 'the confirmation stays in view');
      assert.match(await page.textContent('#cluster-sizes tbody tr:first-child th') ?? '', /1\. Bargain hunters/);
      assert.match(await chartData(page, 'cluster-scatter'), /1\. Bargain hunters/);
      assert.match(await page.textContent('.profile.seg-0 .playbook') ?? '', /Weekly coupons on staples\./);
      assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'no reload');
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await page.close();
    }
  });
});
