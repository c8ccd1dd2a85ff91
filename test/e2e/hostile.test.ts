/**
 * A hostile dataset in a real browser: markup, quotes, formulas, right-to-left marks and
 * 10,000-character values in column names, categories, the dataset name and a model name.
 * No script runs, every tab stays readable, exports neutralise formulas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { InputError } from '../../server/errors.ts';
import { importCsvText } from '../support/import-text.ts';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS } from './server.ts';
import { BrowserSession, SCREENSHOTS } from './session.ts';

const session = new BrowserSession();

// Any printable column name imports: markup, SQL and commas are names like any other.
const MARKUP_COLUMN = '<img src="x" onerror="window.__pwned=7">';
const SQL_COLUMN = 'Spend <30d; DROP TABLE datasets;--';
const COMMA_COLUMN = 'Region, "Country"';
const ENTITY_COLUMN = '&amp lt script &amp gt &copy &#65';
const QUOTE_COLUMN = `"quoted" & 'single'`;
const FORMULA_COLUMN = "=cmd|' /C calc'!A0";
const RTL_COLUMN = '\u202Egnp.exe';
const LONG_COLUMN = `W${'w'.repeat(198)}`;
const CATEGORY_COLUMN = `segment "tag" \u202E`;
const LONG_LEVEL = 'L'.repeat(10_000);
const LEVELS = ['<script>window.__pwned=3</script>', '=1+2', '@SUM(A1)', '+31 6 1234', '\u202Eevil', '</canvas><script>window.__pwned=4</script>', LONG_LEVEL];
const DATASET_NAME = `<svg onload="window.__pwned=5">"'> Hostile`;
const DATASET_NAME_SHOWN = `"'> Hostile`;
const MODEL_NAME = '<iframe src=javascript:window.__pwned=6>';

function hostileCsv(rows: number): string {
  const csvCell = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const header = ['id', ENTITY_COLUMN, QUOTE_COLUMN, FORMULA_COLUMN, RTL_COLUMN, LONG_COLUMN, CATEGORY_COLUMN, MARKUP_COLUMN, SQL_COLUMN, COMMA_COLUMN].map(csvCell).join(',');
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const group = i % 3;
    lines.push([`C${i}`, 10 + group * 30 + (i % 7), 100 * group + (i % 11), (i * 37) % 90, group * 5 + (i % 3), (i * 13) % 50, csvCell(LEVELS[i % LEVELS.length]), (i * 17) % 83, 40 + group * 9 + (i % 5), group * 3 + (i % 4)].join(','));
  }
  return lines.join('\n');
}

describe('a hostile dataset in Chromium', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let datasetId: number;
  before(async () => {
    await session.start();
    datasetId = (await importCsvText(session.server.db, hostileCsv(300), { name: DATASET_NAME })).id;
    await request(session.server.app).post(`/api/models?dataset=${datasetId}&k=3&name=${encodeURIComponent(MODEL_NAME)}`).expect(201);
  });
  after(() => session.stop());

  it('imports markup, SQL and comma column names as names, refuses 10,000-character names with a message', async () => {
    const names = (await request(session.server.app).get('/api/datasets').expect(200)).body.find((d: { id: number }) => d.id === datasetId).columns.map((c: { name: string }) => c.name);
    assert.ok([MARKUP_COLUMN, SQL_COLUMN, COMMA_COLUMN].every((n) => names.includes(n)), 'the names are kept verbatim');
    // A name with a comma and quotes is chosen by quoting it in features, CSV-style.
    const quoted = `"${COMMA_COLUMN.replaceAll('"', '""')}","${SQL_COLUMN}"`;
    const segments = (await request(session.server.app).get(`/api/segments?dataset=${datasetId}&k=3&features=${encodeURIComponent(quoted)}`).expect(200)).body;
    assert.deepEqual(segments.params.features, [COMMA_COLUMN, SQL_COLUMN]);
    await assert.rejects(importCsvText(session.server.db, 'a,b\n1,2\n', { name: 'N'.repeat(10_000) }), (e: Error) => e instanceof InputError && /1 to 80 characters/.test(e.message));
    await assert.rejects(importCsvText(session.server.db, `${'c'.repeat(10_000)},b\n1,2\n3,4\n`, { name: 'long column' }), (e: Error) => e instanceof InputError && /under 200 characters/.test(e.message));
    const res = await request(session.server.app).post(`/api/models?dataset=${datasetId}&k=3&name=${'m'.repeat(10_000)}`).expect(400);
    assert.match(res.body.error, /1 to 80 characters/);
  });

  for (const [tab, path] of [['overview', '/'], ['clusters', '/clusters'], ['predict', '/predict'], ['datasets', '/datasets']] as const) {
    it(`${tab}: shows the hostile strings as text, runs none of them, stays readable`, async () => {
      const page = await session.browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`${session.server.baseUrl}${path}?dataset=${datasetId}`);
      if (tab !== 'datasets') await page.waitForSelector('canvas[data-chart-drawn]', { state: 'attached', timeout: 60_000 });
      // The models panel loads on its own on Clusters.
      if (tab === 'clusters') await page.waitForSelector('#models-panel table, #models-panel .models', { timeout: 30_000 }).catch(() => undefined);
      await page.screenshot({ path: `${SCREENSHOTS}hostile-${tab}.png`, fullPage: true });
      assert.deepEqual(dialogs, []);
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'no injected script ran');
      assert.equal(await page.locator('img[src="x"], svg[onload], iframe').count(), 0, 'no injected element');
      const text = await page.evaluate(() => document.body.innerText);
      const allText = await page.evaluate(() => document.body.textContent ?? '');
      assert.ok(allText.includes(DATASET_NAME_SHOWN), 'the dataset name shown as text');
      if (tab === 'overview' || tab === 'clusters') assert.ok([ENTITY_COLUMN, QUOTE_COLUMN, MARKUP_COLUMN, SQL_COLUMN, COMMA_COLUMN].every((n) => text.includes(n)), 'column names shown as text, escaped once');
      if (tab === 'overview') assert.ok(text.includes('</canvas><script>window.__pwned=4</script>'), 'category values shown as text');
      assert.ok((await page.title()).length < 300, 'the title stays short');
      // Readable: no sideways scrolling of the whole page, even with 10,000-character values.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const culprits = overflow > 2 ? await page.evaluate(() => Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().left + e.scrollWidth > document.documentElement.clientWidth + 2)
        .filter((e, _, all) => !all.some((other) => other !== e && e.contains(other)))
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} "${(e.textContent ?? '').slice(0, 40)}"`)) : [];
      assert.ok(overflow <= 2, `the page scrolls sideways by ${overflow}px: ${culprits.join(', ')}`);
      const drawn = await page.locator('canvas[data-chart-drawn]').count();
      if (tab !== 'datasets') assert.ok(drawn >= 1, 'charts drawn');
      assert.equal(await page.locator('[data-chart-error]').count(), 0, 'no chart failed to draw');
      await page.close();
    });
  }

  it('labels charts with the hostile names verbatim (canvas text, never HTML)', async () => {
    const page = await session.browser.context.newPage();
    await page.goto(`${session.server.baseUrl}/clusters?dataset=${datasetId}&k=3`);
    await page.waitForSelector('canvas[data-chart-drawn]', { state: 'attached', timeout: 60_000 });
    const labels = await page.evaluate(() => Array.from(document.querySelectorAll('canvas[data-chart]')).map((c) => c.getAttribute('data-chart')).join('\n'));
    assert.ok(labels.includes(ENTITY_COLUMN) && labels.includes(JSON.stringify(MARKUP_COLUMN).slice(1, -1)) && labels.includes('<script>window.__pwned='), 'hostile names reach the chart configs as data (legend labels are shortened to 24 characters)');
    await page.close();
  });

  it('lets a person tick a column whose name holds a comma and quotes', async () => {
    const page = await session.browser.context.newPage();
    await page.goto(`${session.server.baseUrl}/clusters?dataset=${datasetId}&k=3&features=${encodeURIComponent(ENTITY_COLUMN)}`);
    await page.waitForSelector('#cluster-scatter canvas[data-chart-drawn]', { state: 'attached', timeout: 60_000 });
    const settled = await page.evaluate(() => document.querySelector('#cluster-scatter canvas')?.getAttribute('data-chart') ?? '');
    await page.evaluate((name) => {
      const box = Array.from(document.querySelectorAll<HTMLInputElement>('input[data-join="features"]')).find((b) => b.value === name)!;
      box.click();
    }, COMMA_COLUMN);
    await page.waitForFunction((name) => new URLSearchParams(location.search).get('features')?.includes(`"${name.replaceAll('"', '""')}"`), COMMA_COLUMN, { timeout: 30_000 });
    await page.waitForFunction((before) => (document.querySelector('#cluster-scatter canvas')?.getAttribute('data-chart') ?? '') !== before && !document.querySelector('.htmx-request'), settled, { timeout: 30_000 });
    assert.equal(await page.locator('.error-box').count(), 0, 'no error shown');
    assert.ok(await page.evaluate((name) => Array.from(document.querySelectorAll<HTMLInputElement>('input[data-join="features"]')).find((b) => b.value === name)!.checked, COMMA_COLUMN));
    await page.close();
  });

  it('neutralises formulas in the CSV export', async () => {
    const csv = (await request(session.server.app).get(`/export/customers.csv?dataset=${datasetId}&k=3`).expect(200)).text;
    for (const formula of ['=1+2', '@SUM(A1)', '+31 6 1234', FORMULA_COLUMN]) {
      assert.ok(!new RegExp(`(^|,)"?${formula.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm').test(csv), `${formula} is exported as a live formula`);
      assert.ok(csv.includes(`'${formula}`), `${formula} is exported as text`);
    }
  });
});
