/** With DASHBOARD_PASSWORD, in Chromium: sign in, use the dashboard (htmx posts carry the CSRF token), sign out. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, type LaunchedBrowser } from './browser.ts';
import { browserSkip, BROWSER_TEST_TIMEOUT_MS, startServer, type RunningServer } from './server.ts';
import { SCREENSHOTS } from './session.ts';

describe('signing in with a dashboard password', { skip: browserSkip, timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let server: RunningServer;
  let browser: LaunchedBrowser;
  const password = 'open sesame 42';
  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer({ auth: { password, failureDelayMs: 200 } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('asks for the password, lands on the page asked for, registers a customer, signs out', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !/401|403/.test(m.text())) errors.push(m.text()); });
    await page.goto(`${server.baseUrl}/predict?k=4`);
    assert.match(page.url(), /\/login\?next=/);
    await page.screenshot({ path: `${SCREENSHOTS}login.png` });
    await page.fill('#password', 'wrong');
    await page.click('button[type=submit]');
    assert.match(await page.textContent('[role=alert]') ?? '', /not right/);
    await page.waitForTimeout(250);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('canvas[data-chart-drawn]', { state: 'attached' });
    assert.match(page.url(), /\/predict\?k=4$/);
    // A state-changing htmx request: it must carry the CSRF token to pass.
    const before = (await server.db.prepare('SELECT row_count FROM datasets WHERE id = 1').get() as { row_count: number }).row_count;
    await page.click('#register-button');
    await page.waitForSelector('#registration-result :text("Registered customer")', { timeout: 30_000 });
    const afterCount = (await server.db.prepare('SELECT row_count FROM datasets WHERE id = 1').get() as { row_count: number }).row_count;
    assert.equal(afterCount, before + 1);
    await page.click('form.logout button');
    await page.waitForURL(/\/login$/);
    await page.goto(`${server.baseUrl}/clusters`);
    assert.match(page.url(), /\/login\?next=/, 'signed out for good');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
