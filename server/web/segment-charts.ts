/** The charts of one segment's card: its feature boxes, its index against everyone, outcomes and category mix. */
import { formatCount } from '../format.ts';
import { calendarOrder } from '../analysis/calendar.ts';

import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { SegmentProfile } from '../segmentation/profile.ts';
import { outcomeReadings } from '../segmentation/segment-outcomes.ts';

import { boxStatsOfSorted } from '../analysis/box-stats.ts';

import {
  axis,
  MAX_CHART_LEVELS,
  round,
  SEGMENT_COLOURS,
  segmentColour,
  shortLabel,
  title,
  wrapLabel,
  type ChartConfig,
} from './chart-style.ts';

import { boxPlotChart } from './box-chart.ts';

/** Box plot of one numeric feature for each segment, in original units. */
/** A dashed line at everyone's value across a bar chart's categories: what each segment is read against. */
function referenceLine(label: string, count: number, value: number) {
  return {
    type: 'line',
    label,
    data: Array.from({ length: count }, () => value),
    borderColor: '#111111',
    borderDash: [6, 4],
    pointRadius: 0,
    borderWidth: 2,
  };
}

export function featureBoxChart(result: SegmentationResult, feature: string): ChartConfig {
  // The profiles carry each segment's spread: no pass over the customers on this thread.
  const profiles = result.segments.map((s) => s.features.find((f) => f.feature === feature));
  const stats = profiles.map((f) => f?.spread ?? boxStatsOfSorted(new Float64Array(0)));
  const labels = result.segments.map((s) => wrapLabel(`${s.id + 1}. ${s.name}`, 16));
  return boxPlotChart(
    `${feature} by segment`,
    feature,
    labels,
    stats,
    result.segments.map((s) => segmentColour(s.id)),
    profiles[0]?.role === 'birth-year',
  );
}

/** One segment's features as an index against everyone (100 = the average customer): the report's chart per segment. */
export function segmentIndexChart(segment: SegmentProfile): ChartConfig {
  const shown = segment.features.filter((f) => f.overallMean > 0 && Number.isFinite(f.mean));
  return {
    type: 'bar',
    data: {
      labels: shown.map((f) => shortLabel(f.feature, 24)),
      datasets: [
        {
          label: `${segment.id + 1}. ${segment.name}`,
          data: shown.map((f) => Math.round((100 * f.mean) / f.overallMean)),
          backgroundColor: segmentColour(segment.id),
        },
        referenceLine('The average customer (100)', shown.length, 100),
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { title: title(`${segment.id + 1}. ${segment.name} against the average customer`), legend: { position: 'bottom' } },
      scales: { x: axis('Index (100 = the average customer)', { beginAtZero: true }), y: axis('') },
    },
  };
}

/**
 * An outcome's rate per segment (churn = Yes, response = 1) beside everyone's: what a
 * marketer asks first of a segmentation.
 */
export function outcomeChart(result: SegmentationResult, column: string): ChartConfig {
  const reading = result.segments[0] && outcomeReadings(result.segments[0]).find((r) => r.column === column);
  const level = reading?.level ?? '';
  const overall = round(100 * (reading?.overall ?? 0), 4);
  return {
    type: 'bar',
    data: {
      labels: result.segments.map((s) => wrapLabel(`${s.id + 1}. ${s.name}`, 20)),
      datasets: [
        {
          label: `${column} = ${level} (%)`,
          data: result.segments.map((s) => round(100 * (s.outcomes[column]?.[level] ?? 0), 4)),
          backgroundColor: result.segments.map((s) => segmentColour(s.id)),
        },
        referenceLine(`All customers (${overall}%)`, result.segments.length, overall),
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(`${column} = ${level} by segment`), legend: { position: 'bottom' } },
      scales: { x: axis('Segment'), y: axis(`Customers with ${column} = ${level} (%)`, { beginAtZero: true }) },
    },
  };
}

/** Share of each level of a categorical column within each segment: 100% stacked bars. */
export function categoryMixChart(result: SegmentationResult, feature: string): ChartConfig {
  const mixes = result.segments.map(
    (s) => new Map((s.categories.find((c) => c.feature === feature)?.mix ?? []).map((m) => [m.level, m.share])),
  );
  // Levels by how many customers hold them overall; past MAX_CHART_LEVELS they are "Other".
  const customers = new Map<string, number>();
  mixes.forEach((mix, i) =>
    mix.forEach((share, level) => customers.set(level, (customers.get(level) ?? 0) + share * result.segments[i].size)),
  );
  const ranked = [...customers].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([level]) => level);
  const kept = ranked.length > MAX_CHART_LEVELS ? ranked.slice(0, MAX_CHART_LEVELS - 1) : ranked;
  const shown = calendarOrder(kept) ?? kept;
  const series = shown.map((level, i) => ({
    label: shortLabel(level, 24),
    data: mixes.map((mix) => round(100 * (mix.get(level) ?? 0), 4)),
    backgroundColor: SEGMENT_COLOURS[i % SEGMENT_COLOURS.length],
  }));
  if (shown.length < ranked.length) {
    series.push({
      label: `Other (${formatCount(ranked.length - shown.length)} more)`,
      data: mixes.map((mix) => round(100 * (1 - shown.reduce((s, level) => s + (mix.get(level) ?? 0), 0)), 4)),
      backgroundColor: '#BDBDBD',
    });
  }
  return {
    type: 'bar',
    data: {
      labels: result.segments.map((s) => wrapLabel(`${s.id + 1}. ${s.name}`, 20)),
      datasets: series,
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { title: title(`${feature} mix by segment`), legend: { position: 'bottom' } },
      scales: { x: axis('Share of the segment (%)', { stacked: true, max: 100 }), y: axis('Segment', { stacked: true }) },
    },
  };
}
