import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarOrder } from '../../../server/analysis/calendar.ts';
import { histogram, niceStep } from '../../../server/analysis/summary.ts';
import { categoryChart, histogramLabels } from '../../../server/web/overview-charts.ts';

describe('numbers for people', () => {
  it('bins whole-number columns in whole-number bins', () => {
    const campaign = Float64Array.from({ length: 500 }, (_, i) => 1 + (i % 40));
    const hist = histogram(campaign);
    assert.equal(hist.integer, true);
    for (const edge of hist.edges) assert.ok(Number.isInteger(edge), `edge ${edge}`);
    const labels = histogramLabels(hist);
    assert.equal(labels[0], '0–4', labels.join(' '));
    assert.ok(labels.every((l) => !/\./.test(l)), labels.join(' '));
    assert.equal(hist.counts.reduce((a, b) => a + b, 0), 500);
  });

  it('labels a small whole-number range one value a bar', () => {
    const children = Float64Array.from({ length: 200 }, (_, i) => i % 4);
    assert.deepEqual(histogramLabels(histogram(children)), ['0', '1', '2', '3']);
  });

  it('writes years without separators', () => {
    const years = Float64Array.from({ length: 300 }, (_, i) => 1940 + (i % 60));
    const labels = histogramLabels(histogram(years, undefined, { years: true }));
    assert.ok(labels.every((l) => /^\d{4}(–\d{4})?$/.test(l)), labels.join(' '));
  });

  it('puts edges on round numbers', () => {
    assert.deepEqual([0.7, 1, 3, 4, 7, 23, 0.031].map(niceStep), [1, 1, 5, 5, 10, 25, 0.05]);
    const hist = histogram(Float64Array.from({ length: 400 }, (_, i) => 0.37 + i * 0.123));
    const width = hist.edges[1] - hist.edges[0];
    assert.ok(Math.abs(niceStep(width) - width) < 1e-9, `width ${width}`);
    for (const edge of hist.edges) assert.ok(Math.abs(edge / width - Math.round(edge / width)) < 1e-9, hist.edges.join(' '));
    assert.equal(hist.counts.reduce((a, b) => a + b, 0), 400);
  });

  it('orders months and weekdays as the calendar does', () => {
    assert.deepEqual(calendarOrder(['May', 'Jan', 'Dec', 'Mar']), ['Jan', 'Mar', 'May', 'Dec']);
    assert.deepEqual(calendarOrder(['friday', 'Monday', 'wed']), ['Monday', 'wed', 'friday']);
    assert.equal(calendarOrder(['Marketing', 'Jan']), undefined);
    const chart = categoryChart('month', [{ level: 'may', count: 50 }, { level: 'aug', count: 40 }, { level: 'jan', count: 10 }], 100, 3) as { data: { labels: string[] } };
    assert.deepEqual(chart.data.labels, ['jan', 'may', 'aug']);
  });
});

describe('quality in words', () => {
  it('never says clear beside a segment too small to act on', async () => {
    const { readQuality } = await import('../../../server/web/readings.ts');
    assert.equal(readQuality(0.6, 0.2, 0.02).word, 'Clear');
    assert.notEqual(readQuality(0.6, 0.005, 0.02).word, 'Clear');
    assert.match(readQuality(0.6, 0.005, 0.02).sentence, /too small/);
    assert.equal(readQuality(0.3, 0.2, 0.02).word, 'Overlapping');
    const { readSilhouette } = await import('../../../server/web/readings.ts');
    assert.match(readSilhouette(0.6, 0.2, 0.02), /Well separated/);
    assert.doesNotMatch(readSilhouette(0.6, 0.005, 0.02), /Well separated/);
  });
});

describe('chart axis labels', () => {
  it('wrap onto lines instead of being cut, the number with the first word', async () => {
    const { wrapLabel } = await import('../../../server/web/chart-style.ts');
    assert.deepEqual(wrapLabel('1. Low spenders, occasional buyers', 16), ['1. Low spenders,', 'occasional', 'buyers']);
    assert.deepEqual(wrapLabel('2. Long-standing, older', 16), ['2. Long-standing,', 'older']);
    assert.equal(wrapLabel('3. Typical', 16), '3. Typical');
    const long = wrapLabel('4. Heavy cash advance use, high balance and more words here', 16) as string[];
    assert.equal(long.length, 3);
    assert.match(long[2], /…$/, 'a label past three lines says it was cut');
  });
});
