/** What preprocessing is asked for and what it learns: the steps a FittedPreprocessor keeps. */
import type { Matrix } from './matrix.ts';

export const MISSING_STRATEGIES = ['drop', 'mean', 'median', 'mode'] as const;
export const OUTLIER_RULES = ['none', 'iqr-clip', 'iqr-exclude', 'zscore-clip', 'zscore-exclude'] as const;
export const SCALING_METHODS = ['standard', 'minmax', 'robust', 'none'] as const;

export type MissingStrategy = (typeof MISSING_STRATEGIES)[number];
export type OutlierRule = (typeof OUTLIER_RULES)[number];
export type ScalingMethod = (typeof SCALING_METHODS)[number];

export interface PreprocessOptions {
  /** Column names: numeric ones are scaled, categorical ones one-hot encoded. */
  features: string[];
  missing: MissingStrategy;
  outliers: OutlierRule;
  scaling: ScalingMethod;
}

export interface NumericStep {
  name: string;
  fill: number;
  /** Winsorising bounds; null when the rule does not clip (null survives JSON, Infinity does not). */
  clipLow: number | null;
  clipHigh: number | null;
  center: number;
  scale: number;
  /** A value standing for "never" (pdays = -1), read as missing; absent for most columns. */
  missingValue?: number;
}

export interface CategoricalStep {
  name: string;
  levels: string[];
  fill: string;
  /** Each indicator is multiplied by this, see CATEGORICAL_WEIGHT. */
  weight: number;
}

/**
 * A "never" value's indicator (pdays = -1): read as missing by its numeric step, the value
 * still says something (never contacted), so it gets an indicator column of its own,
 * weighted as a category's.
 */
export interface FlagStep {
  /** The numeric feature it flags. */
  name: string;
  value: number;
  weight: number;
}

export interface FittedPreprocessor {
  missing: MissingStrategy;
  outliers: OutlierRule;
  scaling: ScalingMethod;
  numeric: NumericStep[];
  categorical: CategoricalStep[];
  /** Indicators of the numeric features' "never" values; absent when no feature has one. */
  flags?: FlagStep[];
  /** Names of the matrix columns: numeric features, then "column=level" indicators, then "column=never value" flags. */
  outputNames: string[];
}

export interface PreprocessReport {
  rowsDropped: number;
  valuesImputed: Record<string, number>;
  outlierRule: OutlierRule;
  outliersPerColumn: Record<string, number>;
  rowsExcluded: number;
  categoricalRule: string;
}

export interface PreprocessResult {
  fitted: FittedPreprocessor;
  /** One row per kept table row (rows dropped for missing values are absent). */
  matrix: Matrix;
  /** The table row of each matrix row. */
  rowIndex: Int32Array;
  /** 1 where the row is used for fitting; 0 for outliers excluded by an "-exclude" rule. */
  fitMask: Uint8Array;
  report: PreprocessReport;
}

/**
 * One-hot indicators are weighted by 1/sqrt(2): two customers in different categories then
 * differ by a squared distance of 1, the same as one standard deviation in a scaled numeric
 * feature, so one categorical never swamps the numerics whatever its number of levels.
 */
export const CATEGORICAL_WEIGHT = Math.SQRT1_2;
export const CATEGORICAL_RULE =
  'each category indicator is weighted 1/√2, so a change of category counts as much as one standard deviation of a numeric feature';
