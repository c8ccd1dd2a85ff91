/**
 * What the Clusters tab draws, built from a result (the fit region) or a sweep (the curves
 * region). Results are cached and shared by identity, so each view model is built once per
 * result, or per (sweep, k), and kept beside it.
 */
import { DerivedCache } from '../derived-cache.ts';
import { cacheKey } from '../cache-key.ts';
import { needsRecommendation } from '../engine/choose-k.ts';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { StabilityResult } from '../analysis/stability.ts';
import type { SweepResult } from '../segmentation/sweep.ts';
import type { SegmentationParams } from '../engine/engine.ts';
import type { DatasetInfo } from '../store/datasets.ts';
import { elbowChart, featureMeansChart, scatterChart, silhouetteChart, sizesChart, type ChartConfig } from './charts.ts';
import { categoryMixChart, featureBoxChart, outcomeChart } from './segment-charts.ts';

export interface FitCharts {
  boxes: { feature: string; config: ChartConfig }[];
  mixes: { feature: string; config: ChartConfig }[];
  /** One chart per outcome column (churn, response): its rate per segment against everyone's. */
  outcomes: { column: string; config: ChartConfig }[];
  scatter: ChartConfig;
  sizes: ChartConfig;
  featureMeans: ChartConfig;
}

export interface SweepCharts {
  elbow: ChartConfig;
  silhouette: ChartConfig;
}

const fitCharts = new DerivedCache<SegmentationResult, FitCharts>();

export function fitChartsOf(result: SegmentationResult, dataset: DatasetInfo): FitCharts {
  return fitCharts.of(result, () => ({
    boxes: result.featureNames
      .filter((f) => dataset.columns.some((c) => c.name === f && c.kind === 'numeric'))
      .map((f) => ({ feature: f, config: featureBoxChart(result, f) })),
    mixes: dataset.columns
      .filter((c) => c.kind === 'categorical')
      .map((c) => ({ feature: c.name, config: categoryMixChart(result, c.name) })),
    outcomes: Object.keys(result.segments[0]?.outcomes ?? {}).map((column) => ({ column, config: outcomeChart(result, column) })),
    scatter: scatterChart(result),
    sizes: sizesChart(result),
    featureMeans: featureMeansChart(result),
  }));
}

const sweepCharts = new DerivedCache<SweepResult, SweepCharts>();

/** The curves over k with the shown k marked (none for DBSCAN, which picks its own). */
export function sweepChartsOf(sweep: SweepResult, markedK: number | null): SweepCharts {
  return sweepCharts.of(
    sweep,
    () => ({ elbow: elbowChart(sweep, markedK), silhouette: silhouetteChart(sweep, markedK) }),
    cacheKey(markedK),
  );
}

/** The #cluster-sweep region: what it shows once the sweep (and stability) are known. */
export interface SweepRegion {
  sweep: SweepResult;
  /** The k the fit region shows, marked on the curves (none for DBSCAN). */
  markedK: number | null;
  stability?: StabilityResult;
  /** The fit region shows a provisional k the sweep did not recommend: reload it. */
  settle: boolean;
  /** The provisional k the fit region showed before it settles (for the announcement). */
  shown: number;
  charts: SweepCharts;
}

/** The #cluster-sweep region for the k the fit region shows (`shown`). */
export function sweepRegionOf(
  params: Pick<SegmentationParams, 'k' | 'algorithm' | 'kMin' | 'kMax'>,
  sweep: SweepResult,
  stability: StabilityResult | undefined,
  shown: number,
): SweepRegion {
  const settle = needsRecommendation(params) && shown !== sweep.recommendedK;
  // A region that reloads the fit marks the k it will show.
  const markedK = params.algorithm === 'dbscan' ? null : settle ? sweep.recommendedK : shown;
  return { sweep, markedK, stability, settle, shown, charts: sweepChartsOf(sweep, markedK) };
}
