/** A new customer's segment from a fitted pipeline (fitted-pipeline.ts), and why that one. */
import { pipelineFeatures } from './fitted-pipeline.ts';
import { InputError } from '../errors.ts';
import { explainAssignment, type Explanation } from './explain.ts';
import { predictDbscan } from '../analysis/cluster/dbscan.ts';
import { gmmProbabilities } from '../analysis/cluster/gmm.ts';
import { NOISE } from '../analysis/cluster/types.ts';
import { createMatrix, fromRows, type Matrix } from '../analysis/matrix.ts';
import { projectPoint } from '../analysis/pca.ts';
import { transformCustomer, type CustomerInput } from '../analysis/transform.ts';

import type { FittedPipeline } from './fitted-pipeline.ts';
import { placingRule, segmentByRules } from './rule-assign.ts';

export { PIPELINE_FORMAT, type FittedPipeline } from './fitted-pipeline.ts';

export interface Prediction {
  /** Segment id, or -1 for DBSCAN noise. */
  segment: number;
  name: string;
  /** Euclidean distance to every segment's centroid, in the transformed space. */
  distances: number[];
  /** Position on the PCA scatter. */
  point: [number, number];
  /** A Gaussian mixture's probability of each segment (soft segments). */
  probabilities?: number[];
  /** Fields of the record that are columns of the dataset but not features of this segmentation. */
  ignored: string[];
  /** Why this segment and not the next closest (centre-based segmentations). */
  explanation: Explanation | null;
  /** The rule that placed the customer, in words, when the segmentation assigns by its rules. */
  rule?: string;
}

/**
 * The segment of one customer. A CRM sends whole records: with the dataset's column names,
 * fields the segmentation does not use are ignored (and listed), and only a field that is
 * no column of the dataset is refused. Without them, every field must be a feature.
 */
export function predictCustomer(pipeline: FittedPipeline, customer: CustomerInput, datasetColumns?: readonly string[]): Prediction {
  if (typeof customer !== 'object' || customer === null || Array.isArray(customer)) {
    throw new InputError('The customer must be an object of column names to values.', { field: 'customer' });
  }
  const features = new Set(pipelineFeatures(pipeline));
  const columns = new Set(datasetColumns ?? features);
  const used: CustomerInput = Object.create(null) as CustomerInput;
  const ignored: string[] = [];
  for (const key of Object.keys(customer)) {
    if (!columns.has(key)) {
      const known = [...columns].map((c) => `"${c}"`).join(', ');
      throw new InputError(
        `Unknown field "${key.slice(0, 100)}": ` +
          `${datasetColumns ? `the dataset's columns are ${known}` : `this segmentation uses ${known}`}.`,
        { field: key },
      );
    }
    if (features.has(key)) used[key] = customer[key];
    else ignored.push(key);
  }
  // Every feature imputed is the average customer, not this one: nothing to predict from.
  if (!Object.values(used).some((v) => v !== null && v !== undefined && v !== '')) {
    throw new InputError(`Give at least one of this segmentation's features: ${[...features].map((f) => `"${f}"`).join(', ')}.`, {
      field: 'customer',
    });
  }
  const raw = new Float64Array(pipeline.preprocessor.numeric.length);
  const x = transformCustomer(pipeline.preprocessor, used, raw);
  const prediction = predictTransformed(pipeline, x, undefined, raw);
  if (!prediction.distances.every(Number.isFinite)) {
    const far = pipeline.preprocessor.numeric.find((_, j) => !Number.isFinite(x[j] * x[j]))?.name;
    throw new InputError(
      `${far ? `"${far}"` : 'A value'} is too far outside this segmentation's data to place the customer; check its units.`,
      { field: far ?? 'customer' },
    );
  }
  if (pipeline.rules) {
    // The centres' margin would not explain a rule's choice: the rule itself does.
    const rule = placingRule(pipeline.preprocessor, pipeline.rules, x, raw);
    return { ...prediction, ignored, explanation: null, ...(rule ? { rule } : {}) };
  }
  return { ...prediction, ignored, explanation: explainAssignment(pipeline, x, prediction.segment) };
}

/** DBSCAN's core points as a matrix, built once for many predictions. */
export function dbscanCores(pipeline: FittedPipeline): Matrix | undefined {
  if (!pipeline.dbscan) return undefined;
  const { corePoints } = pipeline.dbscan;
  return corePoints.length ? fromRows(corePoints) : createMatrix(0, pipeline.preprocessor.outputNames.length);
}

/**
 * The segment alone of a transformed customer, as predictTransformed gives it, without the
 * distances list, probabilities or the point on the map: the loop of every whole-table
 * assignment (a million customers for a save, an export, a change feed).
 */
export function segmentOf(pipeline: FittedPipeline, x: Float64Array, cores: Matrix | undefined, raw?: Float64Array): number {
  if (!assignsByNearestCentre(pipeline)) return predictTransformed(pipeline, x, cores, raw).segment;
  const best = nearestCentre(pipeline.centroids, x, 0);
  return best >= 0 ? best : predictTransformed(pipeline, x, cores, raw).segment;
}

/** Whether the pipeline's segment is its nearest centre's (no rules, mixture or density fit). */
export const assignsByNearestCentre = (pipeline: FittedPipeline): boolean => !pipeline.rules && !pipeline.gmm && !pipeline.dbscan;

/**
 * The nearest centre to the vector at x[at…]; -1 when every distance overflowed (then
 * predictTransformed's indexOf answer applies). The first of equal distances, as indexOf(min).
 */
export function nearestCentre(centroids: readonly (readonly number[])[], x: Float64Array, at: number): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const centre = centroids[c];
    let d = 0;
    for (let j = 0; j < centre.length; j++) d += (centre[j] - x[at + j]) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

/** The pipeline as its centres assign, whatever rules it adopted (the rules are grown against this). */
export function byCentres(pipeline: FittedPipeline): FittedPipeline {
  const { rules: _rules, ...centres } = pipeline;
  return centres;
}

/**
 * The prediction for a customer already transformed by the pipeline's preprocessor. `raw`
 * (the numbers as filled and clipped, transform.ts) is needed where the pipeline assigns by rules.
 */
export function predictTransformed(
  pipeline: FittedPipeline,
  x: Float64Array,
  cores = dbscanCores(pipeline),
  raw?: Float64Array,
): Omit<Prediction, 'ignored' | 'explanation'> {
  const distances = pipeline.centroids.map((c) => Math.sqrt(c.reduce((s, v, j) => s + (v - x[j]) ** 2, 0)));
  let segment: number;
  let probabilities: number[] | undefined;
  if (pipeline.rules) {
    if (!raw) throw new Error('A segmentation assigned by its rules needs the values as filled and clipped.');
    segment = segmentByRules(pipeline.preprocessor, pipeline.rules, x, raw);
  } else if (pipeline.dbscan && cores) {
    segment = predictDbscan(x, cores, Int32Array.from(pipeline.dbscan.coreLabels), pipeline.dbscan.eps);
  } else if (pipeline.gmm) {
    // The most probable segment, which need not be the one with the nearest mean.
    probabilities = gmmProbabilities(x, pipeline.centroids, pipeline.gmm);
    segment = probabilities.indexOf(Math.max(...probabilities));
    // Every density underflowed (a point far beyond the data): a mixture still answers one of
    // its segments, the nearest mean's, never noise.
    if (segment < 0) {
      segment = distances.indexOf(Math.min(...distances));
      if (segment < 0) segment = 0;
      probabilities = probabilities.map((_, c) => (c === segment ? 1 : 0));
    }
  } else {
    segment = distances.indexOf(Math.min(...distances));
  }
  return {
    segment,
    name: segment !== NOISE ? pipeline.segmentNames[segment] : pipeline.rules ? 'No rule matches' : 'Noise',
    distances,
    point: projectPoint(pipeline.pca, x),
    ...(probabilities ? { probabilities } : {}),
  };
}
