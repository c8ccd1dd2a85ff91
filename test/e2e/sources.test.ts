/**
 * A warehouse file added from the Datasets tab in Chromium: tested, added, then read on the
 * Overview (every row's figures from DuckDB) and the Clusters tab (charts of the sample),
 * each saying it is a sample read in place; then every row scored from the models panel.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession, IDLE, SCREENSHOTS } from './session.ts';

const session = new BrowserSession();
const dir = mkdtempSync(join(tmpdir(), 'cs-e2e-sources-'));

describe('a warehouse source in Chromium', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  before(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT 'C' || i AS customer_id, 18 + i % 60 AS age, (20000 + 40000 * (i % 3) + hash(i) % 9000)::DOUBLE AS annual_income,
        (10 + 30 * (i % 3) + hash(i * 7) % 10)::INTEGER AS spending_score, ['North', 'South'][1 + i % 2] AS region
      FROM range(60000) r(i)) TO '${join(dir, 'shop.parquet')}' (FORMAT PARQUET)`);
    connection.closeSync();
    instance.closeSync();
    await session.start({ sources: { sourcesDir: dir, sampleRows: 10_000 } });
  });
  after(async () => {
    await session.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tests and adds a Parquet file, shows every row on the Overview and the sample on Clusters, scores every row', async () => {
    const page = await session.openPage('/datasets');
    try {
      await page.fill('#source-name', 'Shop warehouse');
      await page.fill('#source-path', 'shop.parquet');
      await page.click('#source-form button[type=button]');
      await page.waitForSelector('#source-result >> text=Reachable', { timeout: 60_000 });
      assert.match((await page.textContent('#source-result')) ?? '', /holds 60,000 rows and 5 columns/);
      await page.click('#source-form button[type=submit]');
      await page.waitForSelector('#source-result >> text=Added', { timeout: 120_000 });
      // The list of datasets below shows it at once, without a reload.
      await page.waitForSelector('#dataset-list .dataset-name >> text=Shop warehouse', { timeout: 10_000 });
      await page.screenshot({ path: join(SCREENSHOTS, 'datasets-source.png'), fullPage: true });
      await page.click('#source-result >> text=Open the overview');
      await page.waitForSelector('#source-profile', { timeout: 120_000 });
      assert.match((await page.textContent('.source-sample')) ?? '', /fitted on a 10,000-customer sample of 60,000/);
      assert.match((await page.textContent('#source-profile')) ?? '', /annual_income\s*DOUBLE\s*60,000/);
      await page.screenshot({ path: join(SCREENSHOTS, 'overview-source.png'), fullPage: true });
      const id = new URL(page.url()).searchParams.get('dataset');
      await page.goto(`${session.server.baseUrl}/clusters?dataset=${id}&k=3`);
      await page.waitForSelector('canvas[data-chart-drawn]', { state: 'attached', timeout: 120_000 });
      await page.waitForFunction(IDLE, undefined, { timeout: 120_000 });
      assert.match((await page.textContent('.source-sample')) ?? '', /fitted on a 10,000-customer sample of 60,000/);
      const seen = await page.getAttribute('#live', 'data-seen');
      await page.fill('#save-name', 'Shop k3');
      await page.click('.save-inline button[type=submit]');
      await page.waitForSelector('.saved-line', { timeout: 60_000 });
      // The save is announced to open pages a moment later (coalesced): this one takes it
      // before moving on, or the next page, rendered before the announcement, redraws its
      // saved segmentations on it while the form below is being filled.
      await page.waitForFunction((before) => document.getElementById('live')?.getAttribute('data-seen') !== before, seen, { timeout: 30_000 });
      await page.waitForFunction(IDLE, undefined, { timeout: 120_000 });
      await page.goto(`${session.server.baseUrl}/clusters?dataset=${id}&k=3`);
      const into = await page.waitForSelector('form.model-score input[name=into]', { state: 'attached', timeout: 120_000 });
      await into.scrollIntoViewIfNeeded();
      await into.fill('shop-scores.parquet');
      await page.click('form.model-score button[type=submit]');
      await page.waitForSelector('[id^=model-score-] .import-result', { timeout: 120_000 });
      assert.match((await page.textContent('[id^=model-score-] .import-result')) ?? '', /60,000 customers written to shop-scores\.parquet/);
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await page.close();
    }
  });
});
