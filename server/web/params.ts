/** Query parameters to typed SegmentationParams: zod at the door, 400 with a reason on error. */
import { formatCount } from '../format.ts';
import { NOT_DEFAULT_FEATURE } from '../analysis/roles.ts';
import { z } from 'zod';
import { ALGORITHMS } from '../analysis/cluster/types.ts';
import { DEFAULT_OPTIONS, OPTION_FIELDS } from '../segmentation/options.ts';
import { UNANALYSED_KIND_NAMES } from '../analysis/table.ts';
import { MISSING_STRATEGIES, OUTLIER_RULES, SCALING_METHODS } from '../analysis/preprocess.ts';
import type { SegmentationParams } from '../engine/engine.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { formatFeatureList, parseFeatureList } from './feature-list.ts';
import { getDataset, listDatasets, type DatasetInfo } from '../store/datasets.ts';

/** Limits that keep one request from asking for unbounded work. */
export const LIMITS = {
  kMax: 20,
  features: 50,
  seedMax: 2 ** 31 - 1,
  nInit: 50,
  batchSize: 100_000,
  iterations: 10_000,
  miniBatchVisits: 5_000_000,
};

/** A number given as text: a blank one is no number (z.coerce reads " " as 0). */
const numberText = (name: string) =>
  z
    .string()
    .refine((v) => v.trim() !== '', { error: `${name} is blank; give a number or leave it out` })
    .pipe(z.coerce.number({ error: `${name} must be a number` }));

const wholeNumber = (name: string, min: number, max: number) =>
  numberText(name).pipe(
    z
      .number({ error: `${name} must be a number` })
      .int({ error: `${name} must be a whole number` })
      .min(min, { error: `${name} must be at least ${min}` })
      .max(max, { error: `${name} must be at most ${max}` }),
  );

const choice = <T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.enum(values, { error: `${name} must be one of ${values.join(', ')}` });

const querySchema = z.object({
  dataset: wholeNumber('dataset', 1, Number.MAX_SAFE_INTEGER).optional(),
  k: wholeNumber('k', 2, LIMITS.kMax).optional(),
  features: z.union([z.string().max(20_000), z.array(z.string().max(1000)).max(LIMITS.features + 1)]).optional(),
  algorithm: choice('algorithm', ALGORITHMS).optional(),
  scaling: choice('scaling', SCALING_METHODS).optional(),
  missing: choice('missing', MISSING_STRATEGIES).optional(),
  outliers: choice('outliers', OUTLIER_RULES).optional(),
  seed: wholeNumber('seed', 0, LIMITS.seedMax).optional(),
  eps: numberText('eps')
    .pipe(z.number())
    .pipe(z.number().gt(0, { error: 'eps must be greater than 0' }).max(1000, { error: 'eps must be at most 1000' }))
    .optional(),
  minPts: wholeNumber('minPts', 1, 1000).optional(),
  nInit: wholeNumber('nInit', 1, LIMITS.nInit).optional(),
  batchSize: wholeNumber('batchSize', 16, LIMITS.batchSize).optional(),
  iterations: wholeNumber('iterations', 1, LIMITS.iterations).optional(),
  kMin: wholeNumber('kMin', 2, LIMITS.kMax).optional(),
  kMax: wholeNumber('kMax', 2, LIMITS.kMax).optional(),
  minShare: numberText('minShare')
    .pipe(
      z
        .number()
        .min(0, { error: 'minShare must be at least 0' })
        .max(0.5, { error: 'minShare must be at most 0.5 (a share of the customers, 0.02 for 2%)' }),
    )
    .optional(),
});

export const PARAM_NAMES = Object.keys(querySchema.shape) as (keyof typeof querySchema.shape)[];

type ParamName = (typeof PARAM_NAMES)[number];

/**
 * The parameters that only some algorithms read: given with another algorithm they would
 * be ignored, so they are refused. (kMin, kMax and minShare shape the curves over k, which
 * every algorithm shows.)
 */
const ALGORITHM_PARAMS: Partial<Record<ParamName, { algorithms: readonly string[]; reads: string }>> = {
  k: { algorithms: ['kmeans', 'minibatch', 'agglomerative', 'gmm'], reads: 'DBSCAN finds its own number of segments' },
  eps: { algorithms: ['dbscan'], reads: 'only DBSCAN has a radius' },
  minPts: { algorithms: ['dbscan'], reads: 'only DBSCAN counts neighbours' },
  nInit: { algorithms: ['kmeans', 'gmm'], reads: 'only k-means and the Gaussian mixture restart' },
  batchSize: { algorithms: ['minibatch'], reads: 'only mini-batch k-means takes batches' },
  iterations: { algorithms: ['minibatch'], reads: 'only mini-batch k-means takes an iteration count' },
};

/** Which algorithms read a parameter (all when it is not listed): the controls' form shows it only for those. */
export function algorithmsReading(name: ParamName): readonly string[] {
  return ALGORITHM_PARAMS[name]?.algorithms ?? ALGORITHMS;
}

/**
 * Refuses query parameters or fields nobody reads, naming them and the ones that exist.
 * `known` entries ending in "*" are prefixes (the Predict tab's c:<column> fields).
 */
export function refuseUnknownNames(given: Record<string, unknown>, known: readonly string[], what = 'parameter'): void {
  const isKnown = (name: string) => known.some((k) => (k.endsWith('*') ? name.startsWith(k.slice(0, -1)) : name === k));
  const unknown = Object.keys(given).filter((name) => !isKnown(name));
  if (unknown.length === 0) return;
  const listed =
    unknown
      .slice(0, 5)
      .map((n) => `"${n.slice(0, 60)}"`)
      .join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
  throw new InputError(`Unknown ${what}${unknown.length === 1 ? '' : 's'} ${listed}; the ${what}s here are ${known.join(', ')}.`, {
    field: unknown[0],
  });
}

/** Whether a request names a segmentation (any parameter beyond the dataset): see engine/assignment.ts. */
export function namesSegmentation(query: Record<string, unknown>): boolean {
  return PARAM_NAMES.some((name) => name !== 'dataset' && query[name] !== undefined && query[name] !== '');
}

type RawQuery = Record<string, unknown>;

/** The dataset a request is about: the one named, else the first (the bundled default). */
export function resolveDataset(db: Db, id: number | undefined): DatasetInfo {
  if (id !== undefined) return getDataset(db, id);
  const first = listDatasets(db)[0];
  if (!first) throw new InputError('There are no datasets yet; import a CSV first.', { status: 404 });
  return first;
}

/**
 * The dataset's numeric measures: not identifiers, free text or dates (other kinds), not
 * an empty or constant column, not one missing in more than half of the rows (imputing
 * most of a column invents the customers' values), not an outcome or a calendar part
 * (roles.ts), and not one whose "never" value fills many rows (it would make a segment).
 */
export function defaultFeatures(dataset: DatasetInfo): string[] {
  return dataset.columns
    .filter(
      (c) =>
        c.kind === 'numeric' && !c.unusable && c.missing <= dataset.rowCount / 2 && !NOT_DEFAULT_FEATURE.has(c.role) && c.sentinel == null,
    )
    .map((c) => c.name);
}

/**
 * Parses and validates every segmentation parameter. `extra`: the other parameters the
 * route reads itself; any parameter beyond those is refused, never ignored.
 */
export function parseSegmentationParams(query: RawQuery, db: Db, extra: readonly string[] = []): SegmentationParams {
  refuseUnknownNames(query, [...PARAM_NAMES, ...extra]);
  for (const name of PARAM_NAMES) {
    const value = query[name];
    // features may repeat, one name each (a name may hold a comma).
    if (name === 'features' && Array.isArray(value) && value.every((v) => typeof v === 'string')) continue;
    if (Array.isArray(value)) throw new InputError(`The parameter "${name}" is given more than once; give it once.`, { field: name });
    if (value !== undefined && typeof value !== 'string')
      throw new InputError(`The parameter "${name}" must be a plain value.`, { field: name });
  }
  const present = Object.fromEntries(PARAM_NAMES.filter((n) => query[n] !== undefined && query[n] !== '').map((n) => [n, query[n]]));
  const parsed = querySchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${issue.message}.`, { field: String(issue.path[0] ?? '') });
  }
  const q = parsed.data;
  const algorithm = q.algorithm ?? DEFAULT_OPTIONS.algorithm;
  for (const [name, rule] of Object.entries(ALGORITHM_PARAMS)) {
    if (q[name as ParamName] !== undefined && !rule.algorithms.includes(algorithm)) {
      throw new InputError(
        `${name} does not apply to the ${algorithm} algorithm (${rule.reads}); leave it out or choose ${rule.algorithms.join(' or ')}.`,
        { field: name },
      );
    }
  }
  const dataset = resolveDataset(db, q.dataset);
  const listed = q.features ? parseFeatureList(q.features) : [];
  if (q.features && listed.length === 0)
    throw new InputError('features names no column; list column names separated by commas, or leave it out for the default features.', {
      field: 'features',
    });
  const features = listed.length > 0 ? [...new Set(listed)] : defaultFeatures(dataset);
  if (features.length > LIMITS.features) throw new InputError(`Choose at most ${LIMITS.features} features.`, { field: 'features' });
  for (const name of features) {
    const column = dataset.columns.find((c) => c.name === name);
    if (!column)
      throw new InputError(`Unknown feature "${name.slice(0, 100)}": dataset "${dataset.name}" has no such column.`, { field: 'features' });
    if (column.kind !== 'numeric' && column.kind !== 'categorical') {
      throw new InputError(
        `"${name.slice(0, 100)}" is ${UNANALYSED_KIND_NAMES[column.kind]} column and cannot be a feature; change its kind on the ` +
          `Datasets page if it is a category.`,
        { field: 'features' },
      );
    }
  }
  // One mini-batch fit visits batchSize x iterations customers, and the sweep makes one per k:
  // 100,000 x 10,000 never finished in 900 s and held every user's analysis behind it.
  const batchSize = q.batchSize ?? DEFAULT_OPTIONS.batchSize;
  const iterations = q.iterations ?? DEFAULT_OPTIONS.iterations;
  if (batchSize * iterations > LIMITS.miniBatchVisits) {
    throw new InputError(
      `batchSize × iterations is ${formatCount(batchSize * iterations)}; a mini-batch fit may visit at most ` +
        `${formatCount(LIMITS.miniBatchVisits)} customers, so lower one of them.`,
      { field: 'batchSize' },
    );
  }
  const kMin = q.kMin ?? DEFAULT_OPTIONS.kMin;
  const kMax = q.kMax ?? DEFAULT_OPTIONS.kMax;
  if (kMax < kMin) throw new InputError(`kMax (${kMax}) must not be below kMin (${kMin}).`, { field: 'kMax' });
  return {
    ...DEFAULT_OPTIONS,
    datasetId: dataset.id,
    k: q.k ?? null,
    features,
    algorithm: q.algorithm ?? DEFAULT_OPTIONS.algorithm,
    scaling: q.scaling ?? DEFAULT_OPTIONS.scaling,
    missing: q.missing ?? DEFAULT_OPTIONS.missing,
    outliers: q.outliers ?? DEFAULT_OPTIONS.outliers,
    seed: q.seed ?? DEFAULT_OPTIONS.seed,
    eps: q.eps ?? null,
    minPts: q.minPts ?? DEFAULT_OPTIONS.minPts,
    nInit: q.nInit ?? DEFAULT_OPTIONS.nInit,
    batchSize: q.batchSize ?? DEFAULT_OPTIONS.batchSize,
    iterations: q.iterations ?? DEFAULT_OPTIONS.iterations,
    kMin,
    kMax,
    minShare: q.minShare ?? DEFAULT_OPTIONS.minShare,
  };
}

/**
 * Options a URL carries as themselves when not the default (k, features and eps are written
 * apart; the Ward sample size is the server's).
 */
const QUERY_OPTIONS = OPTION_FIELDS.filter(
  (f): f is Exclude<(typeof OPTION_FIELDS)[number], 'k' | 'features' | 'eps' | 'agglomerativeMaxRows'> =>
    f !== 'k' && f !== 'features' && f !== 'eps' && f !== 'agglomerativeMaxRows',
);

/** The query string that reproduces these params: only what differs from the defaults. */
export function toQueryString(params: SegmentationParams, dataset: DatasetInfo, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  q.set('dataset', String(params.datasetId));
  if (params.k !== null) q.set('k', String(params.k));
  if (params.features.join('\u0000') !== defaultFeatures(dataset).join('\u0000')) q.set('features', formatFeatureList(params.features));
  for (const name of QUERY_OPTIONS) {
    if (params[name] !== DEFAULT_OPTIONS[name]) q.set(name, String(params[name]));
  }
  if (params.eps !== null) q.set('eps', String(params.eps));
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  return q.toString();
}
