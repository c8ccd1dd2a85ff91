import { launchBrowser } from './e2e/browser.ts';
const b = await launchBrowser({ width: 1280, height: 1000 });
try {
  const page = await b.context.newPage();
  await page.goto('http://localhost:3111/clusters?dataset=2&k=4');
  await page.waitForSelector('#cluster-rules .rules-assignment', { timeout: 120000 });
  await page.screenshot({ path: '/tmp/source-clusters.png', fullPage: false });
  await page.click('summary:has-text("Saved segmentations"), button:has-text("Saved segmentations")').catch(() => {});
  const form = await page.waitForSelector('form.model-score', { timeout: 60000, state: 'attached' });
  await form.scrollIntoViewIfNeeded().catch(() => {});
  await page.fill('form.model-score input[name=into]', 'scores.parquet').catch(() => {});
  await page.click('form.model-score button').catch(() => {});
  await page.waitForSelector('[id^=model-score-] .import-result', { timeout: 120000 }).catch(() => {});
  const panel = await page.$('#models-panel');
  if (panel) await panel.screenshot({ path: '/tmp/source-panel.png' });
} finally {
  await b.close();
}
