/**
 * Every real file in ../shared/datasets in Chromium: each tab draws all its charts within
 * 2 s of the page arriving, with at most 25 series a chart, and no error. Screenshots of
 * each file's Clusters tab land in screenshots/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SHARED_DIR } from '../unit/reference.ts';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession, SCREENSHOTS } from './session.ts';

const DATASETS = join(SHARED_DIR, 'datasets');
const FILES = readdirSync(DATASETS).filter((f) => f.endsWith('.csv')).sort();
const TABS = [['overview', '/'], ['clusters', '/clusters'], ['predict', '/predict']] as const;
const MAX_SERIES = 25;
const TEN_THOUSAND = 'a 10,000-level column';

const session = new BrowserSession();
const ids = new Map<string, number>();

describe('real customer files in Chromium', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS * 2 }, () => {
  before(async () => {
    await session.start();
    for (const file of FILES) {
      const res = await request(session.server.app).post('/api/datasets').field('name', file).attach('file', join(DATASETS, file)).expect(201);
      ids.set(file, res.body.id);
    }
    // The worst case: a 10,000-level text column a user forced to be categorical.
    const lines = ['Description,Country,Quantity,UnitPrice'];
    for (let i = 0; i < 20_000; i++) lines.push(`ITEM ${i % 10_000},${['UK', 'France', 'Germany', 'Spain', 'Norway'][i % 5]},${1 + (i % 24)},${(0.5 + (i % 37) / 4).toFixed(2)}`);
    const res = await request(session.server.app).post('/api/datasets?name=Ten%20thousand%20levels&kind:Description=categorical').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201);
    ids.set(TEN_THOUSAND, res.body.id);
  });
  after(() => session.stop());

  for (const file of [...FILES, TEN_THOUSAND]) {
    it(`${file}: every tab draws all its charts, none with more than ${MAX_SERIES} series`, async () => {
      const id = ids.get(file)!;
      for (const [tab, path] of TABS) {
        // The server's first computation is not the browser's drawing: warm it, then time the page.
        await request(session.server.app).get(`${path}?dataset=${id}`).expect(200);
        const page = await session.browser.context.newPage();
        try {
          await page.setViewportSize({ width: 1280, height: 900 });
          await page.goto(`${session.server.baseUrl}${path}?dataset=${id}`);
          await page.waitForSelector('html[data-draw-ms]', { state: 'attached', timeout: 30_000 });
          // The curves over k fill their own region after the fit: wait for them too.
          if (tab === 'clusters') await page.waitForSelector('#cluster-sweep canvas[data-chart-drawn]', { state: 'attached', timeout: 60_000 });
          const drawMs = Number(await page.getAttribute('html', 'data-draw-ms'));
          const charts = await page.$$eval('canvas[data-chart]', (canvases) => canvases.map((c) => ({ drawn: c.hasAttribute('data-chart-drawn'), series: Number(c.getAttribute('data-chart-drawn') ?? 0), label: c.getAttribute('aria-label') ?? '' })));
          assert.ok(charts.length > 0, `${file} ${tab}: charts on the page`);
          assert.deepEqual(charts.filter((c) => !c.drawn).map((c) => c.label), [], `${file} ${tab}: every chart drawn`);
          assert.deepEqual(charts.filter((c) => c.series > MAX_SERIES).map((c) => `${c.label}: ${c.series}`), [], `${file} ${tab}: readable legends`);
          assert.equal(await page.locator('[data-chart-error], .error-box').count(), 0, `${file} ${tab}: no error`);
          console.log(`${file} ${tab}: ${charts.length} charts drawn in ${drawMs} ms`);
          if (tab === 'clusters') await page.screenshot({ path: `${SCREENSHOTS}real-${file.replace(/[^A-Za-z0-9]+/g, '-')}clusters.png`, fullPage: true });
        } finally {
          await page.close();
        }
      }
    });
  }

  it('logged no console error', () => {
    assert.deepEqual(session.consoleErrors, []);
  });
});
