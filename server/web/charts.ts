/**
 * Chart.js configurations built on the server as plain JSON: the client script only draws
 * them. Every chart has a title, axis titles with units where known, and a legend.
 */
import { formatCount, formatPercent } from '../format.ts';

import { NOISE } from '../analysis/cluster/types.ts';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { SegmentProfile } from '../segmentation/profile.ts';

import type { Prediction } from '../segmentation/predict.ts';
import type { SweepResult } from '../segmentation/sweep.ts';
import { projectPoint, topLoadings } from '../analysis/pca.ts';
import { axis, NOISE_COLOUR, round, segmentColour, shortLabel, title, wrapLabel, type ChartConfig } from './chart-style.ts';

export { NOISE_COLOUR, SEGMENT_COLOURS, segmentColour, type ChartConfig } from './chart-style.ts';

function axisLabel(result: SegmentationResult, axisIndex: 0 | 1): string {
  const share = result.pca.explainedVarianceRatio[axisIndex] ?? 0;
  const loadings = topLoadings(result.pca, result.outputNames, axisIndex, 2).map(
    (l) => `${l.loading >= 0 ? '+' : '−'}${shortLabel(l.feature, 30)}`,
  );
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
  const datasets: Record<string, unknown>[] = ids.map((id) => ({
    label: nameOf(id),
    data: points.get(id),
    backgroundColor: segmentColour(id) + 'AA',
    borderColor: segmentColour(id),
    pointRadius: 2.5,
    borderWidth: 0,
  }));
  const centres = result.pipeline.centroids.map((c) => {
    const [x, y] = projectPoint(result.pca, c);
    return { x: round(x, 4), y: round(y, 4) };
  });
  datasets.push({
    label: 'Segment centres',
    data: centres,
    pointStyle: 'crossRot',
    pointRadius: 9,
    borderWidth: 3,
    borderColor: '#111111',
    backgroundColor: '#111111',
  });
  if (prediction) {
    datasets.push({
      label: 'This customer',
      data: [{ x: round(prediction.point[0], 4), y: round(prediction.point[1], 4) }],
      pointStyle: 'star',
      pointRadius: 14,
      borderWidth: 3,
      borderColor: '#D00000',
      backgroundColor: '#D00000',
    });
  }
  const shown =
    rows.length < result.labels.length ? ` (${formatCount(rows.length)} of ${formatCount(result.labels.length)} customers shown)` : '';
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
      datasets: [
        {
          label,
          data: sweep.rows.map((r) => round(r[metric], 5)),
          borderColor: '#0072B2',
          pointBackgroundColor: colours,
          pointBorderColor: colours,
          pointRadius: ks.map((k) => (k === currentK || k === sweep.recommendedK ? 7 : 3)),
          tension: 0,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        title: title(
          metric === 'inertia'
            ? `Elbow: inertia by k (elbow at k = ${sweep.elbowK})`
            : `Silhouette by k (recommended k = ${sweep.recommendedK})`,
        ),
        subtitle: { display: true, text: 'Orange: current k · Green: recommended k' },
        legend: { display: false },
      },
      // The silhouette's axis starts at zero: 0.195 to 0.225 made differences of 0.01 look decisive.
      scales: {
        x: axis('Number of segments (k)'),
        y: axis(label, metric === 'silhouette' ? { beginAtZero: true, suggestedMax: 0.6 } : {}),
      },
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
      datasets: [
        { label: 'Distance', data: prediction.distances.map((d) => round(d, 4)), backgroundColor: names.map((_, i) => segmentColour(i)) },
      ],
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
