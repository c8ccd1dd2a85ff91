/** Charts stay readable for any data: a dozen categories at most, skewed columns spread out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogram } from '../../../server/analysis/summary.ts';
import { MAX_CHART_LEVELS } from '../../../server/web/chart-style.ts';
import { categoryChart, histogramChart } from '../../../server/web/overview-charts.ts';

describe('charts for any data', () => {
  it('draws the top levels of a 10,000-level column and one "Other" bar', () => {
    const top = Array.from({ length: 12 }, (_, i) => ({ level: `level ${i}`, count: 100 - i }));
    const chart = categoryChart('Description', top, 20_000, 10_000) as { data: { labels: string[]; datasets: { data: number[] }[] } };
    assert.equal(chart.data.labels.length, MAX_CHART_LEVELS);
    assert.equal(chart.data.labels[MAX_CHART_LEVELS - 1], 'Other (9,989 more)');
    assert.equal(chart.data.datasets[0].data.reduce((s, v) => s + v, 0), 20_000, 'every customer counted once');
  });

  it('keeps a few levels as they are', () => {
    const chart = categoryChart('Gender', [{ level: 'Female', count: 112 }, { level: 'Male', count: 88 }], 200, 2) as { data: { labels: string[] } };
    assert.deepEqual(chart.data.labels, ['Female', 'Male']);
  });

  it('gives a long right tail its own bin instead of squashing everyone into the first', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i < 995 ? i % 100 : 50_000 + i));
    const hist = histogram(values);
    assert.equal(hist.tail, true);
    assert.ok(hist.counts[0] < 200, `first bin holds ${hist.counts[0]} of 1,000`);
    assert.equal(hist.counts.reduce((s, c) => s + c, 0), 1000);
    const chart = histogramChart('BALANCE', hist) as { data: { labels: string[] } };
    assert.match(chart.data.labels[chart.data.labels.length - 1], /and above$/);
    assert.equal(histogram(Float64Array.from({ length: 1000 }, (_, i) => i)).tail, undefined, 'an even spread has no tail bin');
  });
});

describe('box plot axes', () => {
  it('fit the data: Year_Birth 1940–2000 is not squashed against zero, and counts do not dip below it', async () => {
    const { valueRange } = await import('../../../server/web/box-chart.ts');
    const years = valueRange([{ low: 1940, q1: 1959, median: 1970, q3: 1977, high: 1996 }] as never);
    assert.ok(years.min! > 1930 && years.max! < 2000, JSON.stringify(years));
    const counts = valueRange([{ low: 0, q1: 5, median: 10, q3: 20, high: 72 }] as never);
    assert.equal(counts.min, 0);
  });
});
