/**
 * Drift: how customers registered since a model was fitted differ from the data it was
 * fitted on: mean shift in SD units and population stability index per feature, and the
 * change in segment mix.
 */
import { formatFixed, formatPercent } from '../format.ts';
import { quantilesOf } from './quantiles.ts';
import { mean, populationSd, presentValues } from './stats.ts';

export interface FeatureBaseline {
  feature: string;
  mean: number;
  sd: number;
  /** Inner decile edges of the training data: ten bins. */
  edges: number[];
  /** Share of training customers in each bin. */
  shares: number[];
}

export interface TrainingBaseline {
  features: FeatureBaseline[];
  segmentShares: number[];
  /** Rows of the dataset when the model was fitted: later rows are new customers. */
  rowCount: number;
}

export interface FeatureDrift {
  feature: string;
  meanShiftSd: number;
  psi: number;
}

export interface DriftReport {
  newCustomers: number;
  features: FeatureDrift[];
  segmentShares: { segment: number; before: number; after: number }[];
  /** Half the sum of absolute share changes: 0 same mix, 1 disjoint. */
  mixChange: number;
  retrainRecommended: boolean;
  reasons: string[];
}

/** Conventional PSI reading: above 0.25 the population has shifted markedly. */
export const PSI_LIMIT = 0.25;
export const MEAN_SHIFT_LIMIT = 0.5;
export const MIX_CHANGE_LIMIT = 0.1;
/** Fewer new customers than this say too little to recommend anything. */
export const MIN_NEW_CUSTOMERS = 30;

function binShares(values: Float64Array, edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let b = 0;
    while (b < edges.length && v > edges[b]) b++;
    counts[b]++;
  }
  return counts.map((c) => (values.length ? c / values.length : 0));
}

const DECILES = Array.from({ length: 9 }, (_, i) => (i + 1) / 10);

export function featureBaseline(feature: string, values: Float64Array): FeatureBaseline {
  const present = presentValues(values);
  const edges = [...new Set(quantilesOf(present, DECILES))];
  const m = mean(present);
  return { feature, mean: m, sd: populationSd(present, m), edges, shares: binShares(present, edges) };
}

/** Population stability index between expected and actual bin shares (small floor avoids log 0). */
export function psi(expected: number[], actual: number[]): number {
  const floor = 1e-4;
  return expected.reduce((sum, e, i) => {
    const a = Math.max(actual[i], floor);
    const x = Math.max(e, floor);
    return sum + (a - x) * Math.log(a / x);
  }, 0);
}

export function driftReport(baseline: TrainingBaseline, newValues: Map<string, Float64Array>, newLabels: Int32Array): DriftReport {
  const features = baseline.features.map((b): FeatureDrift => {
    const present = presentValues(newValues.get(b.feature) ?? new Float64Array());
    if (present.length === 0) return { feature: b.feature, meanShiftSd: 0, psi: 0 };
    return {
      feature: b.feature,
      meanShiftSd: b.sd > 0 ? (mean(present) - b.mean) / b.sd : 0,
      psi: psi(b.shares, binShares(present, b.edges)),
    };
  });
  const counts = new Array<number>(baseline.segmentShares.length).fill(0);
  let assigned = 0;
  for (const l of newLabels) {
    if (l >= 0 && l < counts.length) {
      counts[l]++;
      assigned++;
    }
  }
  const segmentShares = baseline.segmentShares.map((before, segment) => ({
    segment,
    before,
    after: assigned ? counts[segment] / assigned : 0,
  }));
  const mixChange = assigned ? segmentShares.reduce((s, x) => s + Math.abs(x.after - x.before), 0) / 2 : 0;
  const reasons: string[] = [];
  const enough = newLabels.length >= MIN_NEW_CUSTOMERS;
  if (enough) {
    for (const f of features) {
      if (f.psi > PSI_LIMIT) reasons.push(`${f.feature}: population stability index ${formatFixed(f.psi, 2)} > ${PSI_LIMIT}`);
      else if (Math.abs(f.meanShiftSd) > MEAN_SHIFT_LIMIT) reasons.push(`${f.feature}: mean moved ${formatFixed(f.meanShiftSd, 2)} SD`);
    }
    if (mixChange > MIX_CHANGE_LIMIT) reasons.push(`segment mix changed by ${formatPercent(mixChange, 0)}`);
  }
  return { newCustomers: newLabels.length, features, segmentShares, mixChange, retrainRecommended: reasons.length > 0, reasons };
}
