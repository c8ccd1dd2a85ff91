/**
 * Chart.js configurations built on the server as plain JSON: the client script only draws
 * them. Every chart has a title, axis titles with units where known, and a legend.
 */
import { formatCount, formatNumber, formatPercent, formatYear } from '../format.ts';
import { calendarOrder } from '../analysis/calendar.ts';
import { NOISE } from '../analysis/cluster/types.ts';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { SegmentProfile } from '../segmentation/profile.ts';
import { outcomeReadings } from '../segmentation/segment-outcomes.ts';
import type { Prediction } from '../segmentation/predict.ts';
import { boxStatsOfSorted, type BoxStats } from '../analysis/box-stats.ts';
import type { Histogram } from '../analysis/summary.ts';
import type { SweepResult } from '../segmentation/sweep.ts';
import { projectPoint, topLoadings } from '../analysis/pca.ts';

/**
 * Okabe-Ito, extended with Paul Tol's: colours that readers with colour-vision deficiencies
 * can tell apart, one per segment up to the API's 20 (public/app.css has the same list).
 */
export const SEGMENT_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#332288', '#882255', '#117733', '#44AA99', '#999933', '#661100', '#AA4499', '#88CCEE', '#DDCC77', '#6699CC', '#FFAABB', '#BBCC33', '#EE8866'];
export const NOISE_COLOUR = '#9E9E9E';

export function segmentColour(id: number): string {
  return id === NOISE ? NOISE_COLOUR : SEGMENT_COLOURS[id % SEGMENT_COLOURS.length];
}

export type ChartConfig = Record<string, unknown>;

const title = (text: string) => ({ display: true, text, font: { size: 14, weight: 'bold' } });
const axis = (text: string, extra: Record<string, unknown> = {}) => ({ title: { display: true, text }, ...extra });
const round = (v: number, digits = 3) => Number(v.toPrecision(digits));
/** Axis labels stay short; the full name is in the table beside the chart. */
const shortLabel = (text: string, max = 26) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A category axis label wrapped onto lines of about `width` characters (Chart.js draws an
 * array as lines) instead of cut: "1. Low spenders, occasional buyers" reads whole. Three
 * lines at most; a longer label is cut on the last.
 */
export function wrapLabel(text: string, width = 16, maxLines = 3): string | string[] {
  if (text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  // A segment's number stays with the first word of its name.
  const words = text.split(/\s+/).reduce<string[]>((out, w) => (out.length === 1 && /^\d+\.$/.test(out[0]) ? [`${out[0]} ${w}`] : [...out, w]), []);
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (line && next.length > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    // The last line kept runs into the next and is cut, so it ends in "…".
    lines.splice(maxLines - 1, lines.length, shortLabel(`${lines[maxLines - 1]} ${lines[maxLines]}`, width));
  }
  return lines.map((l) => shortLabel(l, width + 8));
}

function axisLabel(result: SegmentationResult, axisIndex: 0 | 1): string {
  const share = result.pca.explainedVarianceRatio[axisIndex] ?? 0;
  const loadings = topLoadings(result.pca, result.outputNames, axisIndex, 2).map((l) => `${l.loading >= 0 ? '+' : '−'}${shortLabel(l.feature, 30)}`);
  return `PC${axisIndex + 1} (${formatPercent(share, 1)} of variance): ${loadings.join(', ')}`;
}

export function scatterChart(result: SegmentationResult, prediction?: Prediction): ChartConfig {
  const { rows, points: xy } = result.scatter;
  const ids = [...result.segments.map((s) => s.id), ...(result.noiseCount > 0 ? [NOISE] : [])];
  const nameOf = (id: number) => (id === NOISE ? 'Noise' : shortLabel(`${id + 1}. ${result.segments[id].name}`, 60));
  const points = new Map<number, { x: number; y: number }[]>(ids.map((id) => [id, []]));
  // Thousandths of a principal-component unit are below a pixel at any zoom the chart offers.
  const coordinate = (v: number) => Math.round(v * 1000) / 1000;
  rows.forEach((i, s) => points.get(result.labels[i])?.push({ x: coordinate(xy[s * 2]), y: coordinate(xy[s * 2 + 1]) }));
  const datasets: Record<string, unknown>[] = ids.map((id) => (
    { label: nameOf(id), data: points.get(id), backgroundColor: segmentColour(id) + 'AA', borderColor: segmentColour(id), pointRadius: 2.5, borderWidth: 0 }
  ));
  const centres = result.pipeline.centroids.map((c) => {
    const [x, y] = projectPoint(result.pca, c);
    return { x: round(x, 4), y: round(y, 4) };
  });
  datasets.push({
    label: 'Segment centres', data: centres, pointStyle: 'crossRot', pointRadius: 9, borderWidth: 3,
    borderColor: '#111111', backgroundColor: '#111111',
  });
  if (prediction) {
    datasets.push({
      label: 'This customer', data: [{ x: round(prediction.point[0], 4), y: round(prediction.point[1], 4) }],
      pointStyle: 'star', pointRadius: 14, borderWidth: 3, borderColor: '#D00000', backgroundColor: '#D00000',
    });
  }
  const shown = rows.length < result.labels.length ? ` (${formatCount(rows.length)} of ${formatCount(result.labels.length)} customers shown)` : '';
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(`Customers on the first two principal components${shown}`), legend: { position: 'bottom' } },
      scales: { x: axis(axisLabel(result, 0)), y: axis(axisLabel(result, 1)) },
    },
  };
}

export function sizesChart(result: { segments: readonly Pick<SegmentProfile, 'id' | 'name' | 'size'>[]; noiseCount: number }): ChartConfig {
  const bars = result.segments.map((s) => ({ label: wrapLabel(`${s.id + 1}. ${s.name}`, 18), value: s.size, colour: segmentColour(s.id) }));
  if (result.noiseCount > 0) bars.push({ label: 'Noise', value: result.noiseCount, colour: NOISE_COLOUR });
  return {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.label),
      datasets: [{ label: 'Customers', data: bars.map((b) => b.value), backgroundColor: bars.map((b) => b.colour) }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { title: title('Segment sizes'), legend: { display: false } },
      scales: { x: axis('Customers', { beginAtZero: true }), y: axis('Segment') },
    },
  };
}

function markerColours(ks: number[], current: number | null, recommended: number): string[] {
  return ks.map((k) => (k === current ? '#D55E00' : k === recommended ? '#009E73' : '#0072B2'));
}

function sweepChart(sweep: SweepResult, currentK: number | null, metric: 'inertia' | 'silhouette'): ChartConfig {
  const ks = sweep.rows.map((r) => r.k);
  const colours = markerColours(ks, currentK, sweep.recommendedK);
  const label = metric === 'inertia' ? 'Inertia (within-segment sum of squares)' : 'Mean silhouette (−1 to 1, higher is better)';
  return {
    type: 'line',
    data: {
      labels: ks.map(String),
      datasets: [{
        label,
        data: sweep.rows.map((r) => round(r[metric], 5)),
        borderColor: '#0072B2',
        pointBackgroundColor: colours,
        pointBorderColor: colours,
        pointRadius: ks.map((k) => (k === currentK || k === sweep.recommendedK ? 7 : 3)),
        tension: 0,
      }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        title: title(metric === 'inertia' ? `Elbow: inertia by k (elbow at k = ${sweep.elbowK})` : `Silhouette by k (recommended k = ${sweep.recommendedK})`),
        subtitle: { display: true, text: 'Orange: current k · Green: recommended k' },
        legend: { display: false },
      },
      // The silhouette's axis starts at zero: 0.195 to 0.225 made differences of 0.01 look decisive.
      scales: { x: axis('Number of segments (k)'), y: axis(label, metric === 'silhouette' ? { beginAtZero: true, suggestedMax: 0.6 } : {}) },
    },
  };
}

export const elbowChart = (sweep: SweepResult, k: number | null) => sweepChart(sweep, k, 'inertia');
export const silhouetteChart = (sweep: SweepResult, k: number | null) => sweepChart(sweep, k, 'silhouette');

/**
 * Feature means by segment as an index, the way marketers read them: 100 is the average
 * customer, 150 half as much again. A feature whose overall mean is not positive has no
 * index (its bars are left out; the box plots show it).
 */
export function featureMeansChart(result: SegmentationResult): ChartConfig {
  const features = result.segments[0]?.features.map((f) => f.feature) ?? [];
  const index = (mean: number, overall: number) => (overall > 0 && Number.isFinite(mean) ? Math.round((100 * mean) / overall) : null);
  return {
    type: 'bar',
    data: {
      labels: features,
      datasets: result.segments.map((s) => ({
        label: `${s.id + 1}. ${s.name}`,
        data: s.features.map((f) => index(f.mean, f.overallMean)),
        backgroundColor: segmentColour(s.id),
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title('Feature means by segment, indexed to all customers'), legend: { position: 'bottom' } },
      scales: { x: axis('Feature'), y: { ...axis('Index (100 = the average customer)'), beginAtZero: true } },
    },
  };
}

export function distanceChart(prediction: Prediction, names: string[]): ChartConfig {
  return {
    type: 'bar',
    data: {
      labels: names.map((n, i) => wrapLabel(`${i + 1}. ${n}`, 22)),
      datasets: [{ label: 'Distance', data: prediction.distances.map((d) => round(d, 4)), backgroundColor: names.map((_, i) => segmentColour(i)) }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { title: title('Distance from this customer to each segment centre'), legend: { display: false } },
      scales: { x: axis('Distance in scaled feature space (shorter is closer)', { beginAtZero: true }), y: axis('Segment') },
    },
  };
}

/** A bin's label: "1–2" for whole numbers (its first and last value), "2.5–5" otherwise, years bare. */
export function histogramLabels(hist: Histogram): string[] {
  const fmt = (v: number) => (hist.years ? formatYear(v) : formatNumber(v, 4));
  const last = hist.counts.length - 1;
  return hist.counts.map((_, i) => {
    const low = hist.edges[i];
    if (hist.tail && i === last) return `${fmt(low)} and above`;
    if (!hist.integer) return `${fmt(low)}–${fmt(hist.edges[i + 1])}`;
    const high = hist.edges[i + 1] - 1;
    return high <= low ? fmt(low) : `${fmt(low)}–${fmt(high)}`;
  });
}

export function histogramChart(name: string, hist: Histogram): ChartConfig {
  return {
    type: 'bar',
    data: {
      labels: histogramLabels(hist),
      datasets: [{ label: 'Customers', data: hist.counts, backgroundColor: '#0072B2', barPercentage: 1, categoryPercentage: 1 }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(hist.tail ? `Distribution of ${name} (last bar: the top 1%)` : `Distribution of ${name}`), legend: { display: false } },
      scales: { x: axis(name), y: axis('Customers', { beginAtZero: true }) },
    },
  };
}

/**
 * Levels a category chart draws: the most common ones, the rest as one "Other" bar or
 * series. Thousands of legend entries froze the browser for a minute and helped nobody.
 */
export const MAX_CHART_LEVELS = 12;

/** `present`: customers with a value, so what the top levels leave out becomes "Other". */
export function categoryChart(name: string, top: { level: string; count: number }[], present = 0, distinct = top.length): ChartConfig {
  const kept = top.slice(0, distinct > MAX_CHART_LEVELS ? MAX_CHART_LEVELS - 1 : MAX_CHART_LEVELS);
  const calendar = calendarOrder(kept.map((l) => l.level));
  const shown = calendar ? calendar.map((level) => kept.find((l) => l.level === level)!) : kept;
  const rest = present - shown.reduce((s, l) => s + l.count, 0);
  const levels = rest > 0 ? [...shown, { level: `Other (${formatCount(distinct - shown.length)} more)`, count: rest }] : shown;
  return {
    type: 'bar',
    data: {
      labels: levels.map((l) => shortLabel(l.level, 24)),
      datasets: [{ label: 'Customers', data: levels.map((l) => l.count), backgroundColor: levels.map((_, i) => SEGMENT_COLOURS[i % SEGMENT_COLOURS.length]) }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(`Customers by ${name}`), legend: { display: false } },
      scales: { x: axis(name), y: axis('Customers', { beginAtZero: true }) },
    },
  };
}

/**
 * Box plots from floating bars (Chart.js has no box type): a thin bar for the whiskers,
 * a wide one for the quartiles, and a line marker for the median.
 */
export function boxPlotChart(chartTitle: string, yTitle: string, labels: (string | string[])[], stats: BoxStats[], colours: string[], years = false): ChartConfig {
  // Chart.js writes ticks with thousands separators: a year axis would read 1,960.
  const ticks = years ? { ticks: { format: { useGrouping: false } } } : {};
  return {
    // Bars start at zero unless told otherwise: Year_Birth 1940–2000 was a sliver at the top.
    // The axis spans the whiskers with a little room, and stops at zero for data that does.
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'Whiskers (within 1.5 IQR)', data: stats.map((s) => [round(s.low, 5), round(s.high, 5)]), backgroundColor: '#555555', barPercentage: 0.06, grouped: false, order: 2 },
        { label: 'Middle half (Q1 to Q3)', data: stats.map((s) => [round(s.q1, 5), round(s.q3, 5)]), backgroundColor: colours, barPercentage: 0.55, grouped: false, order: 1 },
        { type: 'line', label: 'Median', data: stats.map((s) => round(s.median, 5)), showLine: false, pointStyle: 'line', pointRadius: 12, borderWidth: 3, borderColor: '#111111', order: 0 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(chartTitle), legend: { display: false } },
      scales: { x: axis(''), y: axis(yTitle, { ...valueRange(stats), ...ticks }) },
    },
  };
}

/** The value axis of box plots: the whiskers' span and 5% on each side, not below zero for data that is not. */
export function valueRange(stats: BoxStats[]): { min?: number; max?: number; beginAtZero: false } {
  const lows = stats.map((s) => s.low).filter(Number.isFinite);
  const highs = stats.map((s) => s.high).filter(Number.isFinite);
  if (lows.length === 0) return { beginAtZero: false };
  const low = Math.min(...lows);
  const high = Math.max(...highs);
  const pad = (high - low) * 0.05 || Math.abs(high) * 0.05 || 1;
  return { min: round(low >= 0 && low - pad < 0 ? 0 : low - pad, 6), max: round(high + pad, 6), beginAtZero: false };
}

/** Box plot of one numeric feature for each segment, in original units. */
export function featureBoxChart(result: SegmentationResult, feature: string): ChartConfig {
  // The profiles carry each segment's spread: no pass over the customers on this thread.
  const profiles = result.segments.map((s) => s.features.find((f) => f.feature === feature));
  const stats = profiles.map((f) => f?.spread ?? boxStatsOfSorted(new Float64Array(0)));
  const labels = result.segments.map((s) => wrapLabel(`${s.id + 1}. ${s.name}`, 16));
  return boxPlotChart(`${feature} by segment`, feature, labels, stats, result.segments.map((s) => segmentColour(s.id)), profiles[0]?.role === 'birth-year');
}

/** One segment's features as an index against everyone (100 = the average customer): the report's chart per segment. */
export function segmentIndexChart(segment: SegmentProfile): ChartConfig {
  const shown = segment.features.filter((f) => f.overallMean > 0 && Number.isFinite(f.mean));
  return {
    type: 'bar',
    data: {
      labels: shown.map((f) => shortLabel(f.feature, 24)),
      datasets: [
        { label: `${segment.id + 1}. ${segment.name}`, data: shown.map((f) => Math.round((100 * f.mean) / f.overallMean)), backgroundColor: segmentColour(segment.id) },
        { type: 'line', label: 'The average customer (100)', data: shown.map(() => 100), borderColor: '#111111', borderDash: [6, 4], pointRadius: 0, borderWidth: 2 },
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
        { label: `${column} = ${level} (%)`, data: result.segments.map((s) => round(100 * (s.outcomes[column]?.[level] ?? 0), 4)), backgroundColor: result.segments.map((s) => segmentColour(s.id)) },
        { type: 'line', label: `All customers (${overall}%)`, data: result.segments.map(() => overall), borderColor: '#111111', borderDash: [6, 4], pointRadius: 0, borderWidth: 2 },
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
  const mixes = result.segments.map((s) => new Map((s.categories.find((c) => c.feature === feature)?.mix ?? []).map((m) => [m.level, m.share])));
  // Levels by how many customers hold them overall; past MAX_CHART_LEVELS they are "Other".
  const customers = new Map<string, number>();
  mixes.forEach((mix, i) => mix.forEach((share, level) => customers.set(level, (customers.get(level) ?? 0) + share * result.segments[i].size)));
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

/** Every numeric column on one standardised axis, so their spreads and outliers compare. */
export function overviewBoxChart(boxes: { name: string; stats: BoxStats }[]): ChartConfig {
  return boxPlotChart('Spread of each numeric column, on one scale', 'Distance from the column average (in typical spreads)', boxes.map((b) => b.name), boxes.map((b) => b.stats), boxes.map(() => '#56B4E9'));
}
