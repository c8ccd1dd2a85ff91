/**
 * Why a customer is in its segment rather than the next closest one. For a centre-based
 * segmentation the margin is d²(runner-up) − d²(assigned), with d the distances in the
 * transformed space the prediction reports. It splits exactly into one term per output
 * column, (x − r)² − (x − a)², and a categorical feature's indicator columns are summed
 * into one: each feature's share of the margin, positive where it pulls the customer
 * towards the assigned segment.
 */
import { formatNumber } from '../format.ts';
import type { FittedPipeline } from './fitted-pipeline.ts';
import { applySteps } from '../analysis/transform.ts';

export interface FeatureContribution {
  feature: string;
  /** The customer's value as the segmentation saw it (imputed and clipped, original units), or its category. */
  value: number | string;
  /** This feature's share of the margin, in squared transformed units. */
  contribution: number;
  /** The assigned and runner-up centres on this feature: a numeric feature's mean, or the share of customers with this category. */
  assignedCentre: number;
  runnerUpCentre: number;
}

export interface Explanation {
  /** The next closest segment. */
  runnerUp: number;
  runnerUpName: string;
  /** d²(runner-up) − d²(assigned): zero on the boundary. */
  margin: number;
  /** The customer is almost as close to the runner-up (see BORDERLINE_SHARE). */
  borderline: boolean;
  /** Every feature, the largest pull towards the assigned segment first. */
  contributions: FeatureContribution[];
}

/**
 * Borderline: the margin is under this share of d²(runner-up), so the squared distance to
 * the assigned centre is over 90% of the distance to the runner-up's. A small change in the
 * customer's values could move them; treat the segment as provisional.
 */
export const BORDERLINE_SHARE = 0.1;

/** The explanation of `segment` for the transformed customer `x`; null where no runner-up exists (DBSCAN, one segment). */
export function explainAssignment(pipeline: FittedPipeline, x: Float64Array, segment: number): Explanation | null {
  const { centroids, preprocessor } = pipeline;
  // A mixture assigns by probability, not distance: its margin is not a difference of distances.
  if (pipeline.dbscan || pipeline.gmm || segment < 0 || centroids.length < 2) return null;
  const squared = centroids.map((c) => c.reduce((s, v, j) => s + (x[j] - v) ** 2, 0));
  let runnerUp = -1;
  for (let c = 0; c < centroids.length; c++) if (c !== segment && (runnerUp < 0 || squared[c] < squared[runnerUp])) runnerUp = c;
  const a = centroids[segment];
  const r = centroids[runnerUp];
  const term = (j: number) => (x[j] - r[j]) ** 2 - (x[j] - a[j]) ** 2;
  const contributions: FeatureContribution[] = preprocessor.numeric.map((step, j) => ({
    feature: step.name,
    value: step.center + step.scale * x[j],
    contribution: term(j),
    assignedCentre: step.center + step.scale * a[j],
    runnerUpCentre: step.center + step.scale * r[j],
  }));
  let offset = preprocessor.numeric.length;
  for (const step of preprocessor.categorical) {
    let contribution = 0;
    let level = -1;
    for (let l = 0; l < step.levels.length; l++) {
      contribution += term(offset + l);
      if (x[offset + l] !== 0) level = l;
    }
    contributions.push({
      feature: step.name,
      value: level >= 0 ? step.levels[level] : 'a category the segmentation has not seen',
      contribution,
      // An indicator's centre is weight × the share of the segment with that category.
      assignedCentre: level >= 0 ? a[offset + level] / step.weight : 0,
      runnerUpCentre: level >= 0 ? r[offset + level] / step.weight : 0,
    });
    offset += step.levels.length;
  }
  // A "never" value's indicator is part of its feature's pull.
  for (const flag of preprocessor.flags ?? []) {
    const feature = contributions.find((c) => c.feature === flag.name);
    if (feature) feature.contribution += term(offset);
    offset++;
  }
  const margin = squared[runnerUp] - squared[segment];
  contributions.sort((p, q) => q.contribution - p.contribution);
  return {
    runnerUp,
    runnerUpName: pipeline.segmentNames[runnerUp],
    margin,
    borderline: margin < BORDERLINE_SHARE * squared[runnerUp],
    contributions,
  };
}

/** The main reasons in words, for exports: "spending_score 80 (segment 52, runner-up 31)". */
export function mainReasons(explanation: Explanation, count = 2): string[] {
  return explanation.contributions
    .filter((c) => c.contribution > 0)
    .slice(0, count)
    .map((c) => {
      if (typeof c.value === 'string')
        return (
          `${c.feature} ${c.value} (${Math.round(c.assignedCentre * 100)}% of the segment, ${Math.round(c.runnerUpCentre * 100)}% ` +
          `of the runner-up)`
        );
      return (
        `${c.feature} ${formatNumber(c.value)} (segment ${formatNumber(c.assignedCentre)}, runner-up ` +
        `${formatNumber(c.runnerUpCentre)})`
      );
    });
}

/**
 * The main reasons for stored rows (dataset column order), for the customers export: each
 * row transformed by the fitted steps, then explained against its segment. A row the
 * segmentation drops (missing values) gets none.
 */
export function storedRowReasons(
  pipeline: FittedPipeline,
  columnNames: readonly string[],
): (row: readonly unknown[], segment: number) => string[] {
  const { preprocessor } = pipeline;
  const numericAt = preprocessor.numeric.map((s) => columnNames.indexOf(s.name));
  const categoricalAt = preprocessor.categorical.map((s) => columnNames.indexOf(s.name));
  const x = new Float64Array(preprocessor.outputNames.length);
  return (row, segment) => {
    const number = (j: number) => (typeof row[numericAt[j]] === 'number' ? (row[numericAt[j]] as number) : Number.NaN);
    const level = (j: number) => {
      const v = row[categoricalAt[j]];
      return typeof v === 'string' && v !== '' ? v : null;
    };
    if (applySteps(preprocessor, number, level, x) !== null) return [];
    const explanation = explainAssignment(pipeline, x, segment);
    return explanation ? mainReasons(explanation) : [];
  };
}
