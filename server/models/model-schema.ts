/**
 * An imported model, checked as a whole before anything runs on it or is stored: every
 * field present and of its type, the dimensions consistent with each other, every number
 * finite and within a sane range, every choice one the dashboard knows. A model that fails
 * is refused with the path of the first wrong field.
 *
 * Ranges: the transformed space is in scaled units (standard deviations for the default
 * scaling), so a centre or PCA value past 1e6 is no fit of real data, and such values once
 * made the model comparison spin the worker for ever (1e200 centres).
 */
import { pipelineFeatures } from '../segmentation/fitted-pipeline.ts';
import { z } from 'zod';
import { WARD_MAX_ROWS } from '../defaults.ts';
import { ALGORITHMS } from '../analysis/cluster/types.ts';
import { PIPELINE_FORMAT, type FittedPipeline } from '../segmentation/predict.ts';
import type { AssigningRules } from '../segmentation/rule-types.ts';
import { flagOutputName, MISSING_STRATEGIES, OUTLIER_RULES, SCALING_METHODS } from '../analysis/preprocess.ts';
import { InputError } from '../errors.ts';
import { nameText } from '../names.ts';
import { MAX_CONDITIONS } from '../segmentation/segment-rules.ts';

const SCALED_LIMIT = 1e6;
/** A model file, uploaded or sent as JSON: the API's JSON limit (app.ts). */
export const MODEL_JSON_MAX_BYTES = 2 * 1024 * 1024;
/** A playbook is a paragraph or two of marketing action, not a document. */
export const PLAYBOOK_MAX = 2000;
const RAW_LIMIT = 1e15;
/** Segments an imported model may have: the API's k limit. */
const MAX_SEGMENTS = 20;
const MAX_COLUMNS = 5000;
/** DBSCAN core points carried by a model: enough for a 2 MB body. */
const MAX_CORE_POINTS = 20_000;
/** Rules an adopted set may have: a tree grows at most 2k leaves, k ≤ 20. */
const MAX_RULES = 2 * MAX_SEGMENTS;

const finite = (limit: number) =>
  z
    .number({ error: 'must be a number' })
    .finite({ error: 'must be finite' })
    .min(-limit, { error: `must be within ±${limit.toExponential(0)}` })
    .max(limit, { error: `must be within ±${limit.toExponential(0)}` });
const positive = z
  .number({ error: 'must be a number' })
  .finite({ error: 'must be finite' })
  .gt(0, { error: 'must be positive' })
  .max(RAW_LIMIT);
const whole = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(min).max(max);
const name = z.string({ error: 'must be text' }).min(1).max(200);

const share = z
  .number({ error: 'must be a number' })
  .min(0, { error: 'must be a share from 0 to 1' })
  .max(1, { error: 'must be a share from 0 to 1' });

/** Rules adopted as the assignment (rule-types.ts AssigningRules); their features are checked against the steps below. */
const rulesSchema = z.strictObject({
  ordered: z
    .array(
      z.strictObject({
        segment: whole(0, MAX_SEGMENTS - 1),
        conditions: z
          .array(
            z.strictObject({
              feature: name,
              op: z.enum(['<', '>=', '=', '!='], { error: 'must be one of <, >=, =, !=' }),
              value: z.union([finite(RAW_LIMIT), z.string().max(200)], { error: 'must be a number or a text of at most 200 characters' }),
            }),
          )
          .max(MAX_CONDITIONS),
      }),
      { error: 'must be a list of rules' },
    )
    .min(1)
    .max(MAX_RULES),
  fidelity: share,
  customers: whole(0, Number.MAX_SAFE_INTEGER),
  segments: z.array(z.strictObject({ share, fidelity: share })).max(MAX_SEGMENTS),
});

const numericStep = z.strictObject({
  name,
  fill: finite(RAW_LIMIT),
  clipLow: finite(RAW_LIMIT).nullable(),
  clipHigh: finite(RAW_LIMIT).nullable(),
  center: finite(RAW_LIMIT),
  scale: positive,
  missingValue: finite(RAW_LIMIT).optional(),
});

const flagStep = z.strictObject({
  name,
  value: finite(RAW_LIMIT),
  weight: positive,
});

const categoricalStep = z.strictObject({
  name,
  levels: z.array(z.string().max(10_000), { error: 'must be a list of levels' }).min(1).max(100),
  fill: z.string({ error: 'must be text' }).max(10_000),
  weight: positive,
});

const options = z.strictObject({
  /** Fits made by the dashboard carry the dataset they were made on. */
  datasetId: z.number().int().positive().optional(),
  k: whole(1, MAX_SEGMENTS),
  features: z.array(name, { error: 'must be a list of column names' }).min(1).max(50),
  algorithm: z.enum(ALGORITHMS, { error: `must be one of ${ALGORITHMS.join(', ')}` }),
  scaling: z.enum(SCALING_METHODS, { error: `must be one of ${SCALING_METHODS.join(', ')}` }),
  missing: z.enum(MISSING_STRATEGIES, { error: `must be one of ${MISSING_STRATEGIES.join(', ')}` }),
  outliers: z.enum(OUTLIER_RULES, { error: `must be one of ${OUTLIER_RULES.join(', ')}` }),
  seed: whole(0, 2 ** 31 - 1),
  eps: z.number().finite().min(0).max(1000).nullable(),
  minPts: whole(1, 1000),
  nInit: whole(1, 50),
  batchSize: whole(1, 100_000),
  iterations: whole(1, 10_000),
  kMin: whole(2, MAX_SEGMENTS),
  kMax: whole(2, MAX_SEGMENTS),
  minShare: z.number().min(0).max(0.5).optional(),
  agglomerativeMaxRows: whole(1, WARD_MAX_ROWS),
});

const vector = z.array(finite(RAW_LIMIT), { error: 'must be a list of numbers' }).max(MAX_COLUMNS);

const pipelineSchema = z
  .strictObject({
    format: z.literal(PIPELINE_FORMAT, { error: `must be ${PIPELINE_FORMAT}` }),
    options,
    preprocessor: z.strictObject({
      missing: z.enum(MISSING_STRATEGIES, { error: `must be one of ${MISSING_STRATEGIES.join(', ')}` }),
      outliers: z.enum(OUTLIER_RULES, { error: `must be one of ${OUTLIER_RULES.join(', ')}` }),
      scaling: z.enum(SCALING_METHODS, { error: `must be one of ${SCALING_METHODS.join(', ')}` }),
      numeric: z.array(numericStep, { error: 'must be a list of numeric steps' }).max(50),
      categorical: z.array(categoricalStep, { error: 'must be a list of categorical steps' }).max(50),
      flags: z.array(flagStep, { error: 'must be a list of flags' }).max(50).optional(),
      outputNames: z.array(z.string().max(20_000), { error: 'must be a list of names' }).min(1).max(MAX_COLUMNS),
    }),
    centroids: z.array(vector, { error: 'must be a list of centres' }).min(1).max(MAX_SEGMENTS),
    segmentNames: z.array(nameText('a segment name'), { error: 'must be a list of names' }),
    segmentPlaybooks: z.array(z.string({ error: 'must be text' }).max(PLAYBOOK_MAX), { error: 'must be a list of playbooks' }).optional(),
    dbscan: z
      .strictObject({
        eps: positive,
        corePoints: z.array(vector, { error: 'must be a list of points' }).max(MAX_CORE_POINTS),
        coreLabels: z.array(z.number().int().min(0), { error: 'must be a list of segment numbers' }),
      })
      .optional(),
    gmm: z
      .strictObject({
        weights: z
          .array(z.number().finite().gt(0, { error: 'must be positive' }).max(1), { error: 'must be a list of weights' })
          .max(MAX_SEGMENTS),
        variances: z.array(z.array(positive).max(MAX_COLUMNS), { error: 'must be a list of variances per segment' }).max(MAX_SEGMENTS),
      })
      .optional(),
    rules: rulesSchema.optional(),
    pca: z.strictObject({
      mean: vector,
      components: z.array(vector).min(1).max(MAX_COLUMNS),
      explainedVarianceRatio: z.array(z.number().finite().min(0).max(1)),
    }),
  })
  .superRefine((p, ctx) => {
    const flags = p.preprocessor.flags ?? [];
    const width = p.preprocessor.numeric.length + p.preprocessor.categorical.reduce((s, c) => s + c.levels.length, 0) + flags.length;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    flags.forEach((f, i) => {
      if (!p.preprocessor.numeric.some((s) => s.name === f.name && s.missingValue === f.value))
        issue(['preprocessor', 'flags', i], `must flag a numeric step whose missingValue is ${f.value}`);
    });
    if (p.preprocessor.outputNames.length !== width)
      issue(
        ['preprocessor', 'outputNames'],
        `must name ${width} columns (one per numeric feature and per category level), not ${p.preprocessor.outputNames.length}`,
      );
    if (width === 0) issue(['preprocessor'], 'must have at least one feature');
    p.centroids.forEach(
      (c, i) => c.length !== width && issue(['centroids', i], `must have ${width} values, one per output column, not ${c.length}`),
    );
    if (p.segmentNames.length !== p.centroids.length) issue(['segmentNames'], `must name each of the ${p.centroids.length} segments`);
    // The options say how the steps were made: an import whose options disagree would refit
    // (retraining reads the options) onto something else than the model it carries.
    const stepNames = pipelineFeatures(p);
    const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
    if (!sameSet(p.options.features, stepNames))
      issue(['options', 'features'], `must list the features the steps transform (${stepNames.join(', ').slice(0, 200)})`);
    if (p.options.k !== p.centroids.length)
      issue(['options', 'k'], `must be the number of centres, ${p.centroids.length}, not ${p.options.k}`);
    for (const rule of ['missing', 'outliers', 'scaling'] as const) {
      if (p.options[rule] !== p.preprocessor[rule])
        issue(['options', rule], `must be the preprocessor's ${rule} rule, ${p.preprocessor[rule]}`);
    }
    if ((p.options.algorithm === 'gmm') !== (p.gmm !== undefined))
      issue(
        ['gmm'],
        p.gmm
          ? 'belongs to a Gaussian mixture, but options.algorithm is ' + p.options.algorithm
          : "must give the mixture's weights and variances (options.algorithm is gmm)",
      );
    if ((p.options.algorithm === 'dbscan') !== (p.dbscan !== undefined))
      issue(
        ['dbscan'],
        p.dbscan
          ? 'belongs to DBSCAN, but options.algorithm is ' + p.options.algorithm
          : 'must give the core points (options.algorithm is dbscan)',
      );
    const expectedOutputs = [
      ...p.preprocessor.numeric.map((s) => s.name),
      ...p.preprocessor.categorical.flatMap((s) => s.levels.map((l) => `${s.name}=${l}`)),
      ...flags.map(flagOutputName),
    ];
    if (p.preprocessor.outputNames.length === width && p.preprocessor.outputNames.some((n, i) => n !== expectedOutputs[i]))
      issue(
        ['preprocessor', 'outputNames'],
        "must name the numeric features, then each category level as column=level, in the steps' order",
      );
    if (p.segmentPlaybooks && p.segmentPlaybooks.length !== p.centroids.length)
      issue(['segmentPlaybooks'], `must give one playbook (or "") for each of the ${p.centroids.length} segments`);
    if (p.pca.mean.length !== width) issue(['pca', 'mean'], `must have ${width} values`);
    p.pca.components.forEach((c, i) => c.length !== width && issue(['pca', 'components', i], `must have ${width} values`));
    // Scaled units unless the model does not scale: then centres are in the data's own units.
    if (p.preprocessor.scaling !== 'none') {
      p.centroids.forEach((c, i) =>
        c.forEach(
          (v, j) =>
            Math.abs(v) > SCALED_LIMIT &&
            issue(['centroids', i, j], `must be within ±1e6 scaled units (a centre that far from the data is no fit of it), not ${v}`),
        ),
      );
    }
    if (p.gmm) {
      if (p.gmm.weights.length !== p.centroids.length)
        issue(['gmm', 'weights'], `must give one weight per segment (${p.centroids.length})`);
      if (Math.abs(p.gmm.weights.reduce((a, b) => a + b, 0) - 1) > 1e-6) issue(['gmm', 'weights'], 'must add up to 1');
      if (p.gmm.variances.length !== p.centroids.length)
        issue(['gmm', 'variances'], `must give variances for each of the ${p.centroids.length} segments`);
      p.gmm.variances.forEach((v, i) => v.length !== width && issue(['gmm', 'variances', i], `must have ${width} values`));
    }
    if (p.rules) checkRules(p as FittedPipeline & { rules: AssigningRules }, issue);
    if (p.dbscan) {
      p.dbscan.corePoints.forEach((c, i) => c.length !== width && issue(['dbscan', 'corePoints', i], `must have ${width} values`));
      if (p.dbscan.coreLabels.length !== p.dbscan.corePoints.length)
        issue(['dbscan', 'coreLabels'], 'must give one segment per core point');
      p.dbscan.coreLabels.forEach(
        (l, i) => l >= p.centroids.length && issue(['dbscan', 'coreLabels', i], `must be below ${p.centroids.length}`),
      );
    }
  });

/** Each adopted rule tests a feature of the steps as the assignment can (rule-assign.ts), and names a segment of the model. */
function checkRules(p: FittedPipeline & { rules: AssigningRules }, issue: (path: (string | number)[], message: string) => void): void {
  const k = p.centroids.length;
  if (p.dbscan) issue(['rules'], 'belong to a segmentation with centres, not DBSCAN');
  if (p.rules.segments.length !== k) issue(['rules', 'segments'], `must give a share and fidelity for each of the ${k} segments`);
  const { numeric, categorical } = p.preprocessor;
  const flags = p.preprocessor.flags ?? [];
  p.rules.ordered.forEach(({ segment, conditions }, i) => {
    if (segment >= k) issue(['rules', 'ordered', i, 'segment'], `must be below ${k}`);
    conditions.forEach((c, j) => {
      const path = ['rules', 'ordered', i, 'conditions', j];
      const isNumeric = numeric.some((s) => s.name === c.feature);
      const ok =
        c.op === '<' || c.op === '>='
          ? isNumeric && typeof c.value === 'number'
          : categorical.some((s) => s.name === c.feature)
            ? typeof c.value === 'string'
            : flags.some((f) => f.name === c.feature && f.value === c.value);
      if (!ok) issue(path, `must compare a numeric feature with < or >= a number, or test a category (or a flagged value) with = or !=`);
    });
  });
}

/** Levels of nesting a model has (its centres are lists in lists): far more is an attack. */
const MAX_DEPTH = 8;

/** Checked without recursion: 100,000 nested lists must not overflow the stack. */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_DEPTH) return true;
    for (const child of Object.values(item as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** A parsed model (the JSON body of the API) as a FittedPipeline, or a 400 naming the first wrong field. */
export function parseModel(value: unknown): FittedPipeline {
  if (tooDeep(value)) throw new InputError(`This is not a model the dashboard can use: it is nested more than ${MAX_DEPTH} levels deep.`);
  const parsed = pipelineSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const path =
      first.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '') || 'the model';
    throw new InputError(`This is not a model the dashboard can use: ${path} ${first.message}.`);
  }
  return parsed.data as FittedPipeline;
}

/** The model file's text as a FittedPipeline (the upload form). */
export function parseModelJson(json: string): FittedPipeline {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InputError('The model file is not valid JSON.');
  }
  return parseModel(value);
}
