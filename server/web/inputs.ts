/**
 * zod schemas for every route input besides the segmentation query (params.ts): ids in the
 * path, names, request bodies, paging. parseInput turns the first problem into a 400 (or the
 * status given) with a message a person can act on.
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { nameText } from '../names.ts';

export function parseInput<T extends z.ZodType>(schema: T, value: unknown, options: { field?: string; status?: number } = {}): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    // A strict object's unknown field is named with the ones that exist, never ignored.
    const where = issue.path.length ? ` in "${issue.path.join('.')}"` : '';
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    const listed = issue.keys
      .slice(0, 5)
      .map((k) => `"${k.slice(0, 60)}"`)
      .join(', ');
    throw new InputError(
      `Unknown field${issue.keys.length === 1 ? '' : 's'} ` +
        `${listed}${where}${known.length && !where ? `; the fields are ${known.join(', ')}` : ''}.`,
      { field: issue.keys[0], status: options.status },
    );
  }
  throw new InputError(issue.message, {
    field: options.field ?? (issue.path[0] === undefined ? undefined : String(issue.path[0])),
    status: options.status,
  });
}

/** A value given once: a repeated query parameter arrives as an array. */
const single = (name: string) =>
  z.string({
    error: (issue) =>
      Array.isArray(issue.input) ? `The parameter "${name}" is given more than once; give it once.` : `${name} must be a plain value.`,
  });

/** A positive whole-number id, from a path segment or a query parameter. */
export const idSchema = (what: string) =>
  z
    .union(
      [
        z
          .string()
          .regex(/^\d{1,15}$/)
          .transform(Number),
        z.number(),
      ],
      { error: `${what} must be a positive whole number.` },
    )
    .pipe(
      z
        .number()
        .int({ error: `${what} must be a positive whole number.` })
        .positive({ error: `${what} must be a positive whole number.` }),
    );

/** A whole number at least min, given as text (a query parameter) or absent. */
const wholeNumber = (name: string, min: number) =>
  single(name)
    .regex(/^\d{1,15}$/, { error: `${name} must be a whole number of at least ${min}.` })
    .transform(Number)
    .pipe(z.number().min(min, { error: `${name} must be a whole number of at least ${min}.` }))
    .optional();

/** An unknown id is a page that does not exist: 404, as for a missing dataset. */
export const pathId = (value: unknown, what: string): number => parseInput(idSchema(what), value, { status: 404 });

/** An id a query parameter gives: one that is no id is a bad request (400), naming the parameter. */
export const queryId = (value: unknown, name: string, what: string): number => parseInput(idSchema(what), value, { field: name });

/** The :id of a /datasets/:id or /api/datasets/:id route. */
export const datasetIdParam = (params: { id?: string }): number => pathId(params.id, 'The dataset id');

export const optionalDatasetQuery = z.union([z.undefined(), idSchema('dataset')], {
  error: 'dataset must be a positive whole number, given once.',
});

export const renameBody = z.strictObject({ name: nameText('A dataset name') }, { error: 'Send {"name": "..."}.' });

/** A transaction log made into customers: the new dataset's name, or "<log> (RFM)". */
export const rfmBody = z.strictObject({ name: nameText('A dataset name').optional() }, { error: 'Send {} or {"name": "..."}.' });

/** One customer for /api/predict: feature name to number, text or null (missing). */
export const predictBody = z.strictObject(
  {
    customer: z.record(
      z.string().max(200),
      z.union([z.number(), z.string().max(10_000), z.null()], { error: 'Each customer value must be a number, text or null.' }),
      {
        error: 'Send JSON like {"customer": {"age": 35, ...}} with one value per feature.',
      },
    ),
  },
  { error: 'Send JSON like {"customer": {"age": 35, ...}} with one value per feature.' },
);

/** A form post: every field a single string (a repeated field is refused). */
export const formFields = z.record(z.string(), z.string({ error: 'Each form field must be given once.' }));

export const customerPageQuery = z.object({
  page: wholeNumber('page', 1),
  sort: wholeNumber('sort', 0),
  dir: z.enum(['asc', 'desc'], { error: 'dir must be asc or desc.' }).optional(),
});
