/** What the saved-segmentation routes read from a request (its model id, SQL options) and answer (a model as JSON, a file name). */
import type { Request } from 'express';
import { z } from 'zod';
import { SQL_DIALECTS } from '../scoring/score-sql.ts';
import { pathId } from './inputs.ts';
import { pipelineFeatures } from '../segmentation/fitted-pipeline.ts';
import { assignedBy } from '../segmentation/rule-assign.ts';
import type { SavedModel } from '../store/saved-models.ts';

/** ?dialect=…&table=…: which SQL, over which table (customers by default). */
export const scoreSqlQuery = z.strictObject({
  dialect: z.enum(SQL_DIALECTS, { error: `dialect must be one of ${SQL_DIALECTS.join(', ')}` }).default('ansi'),
  table: z
    .string({ error: 'table must be given once' })
    .trim()
    .min(1, { error: 'table needs a name' })
    .max(200, { error: 'table must be at most 200 characters' })
    .default('customers'),
});

/** A segmentation's name as a file name: letters, digits, dots and dashes. */
export const fileStem = (name: string): string => name.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'segmentation';

export function idParam(req: Request, name = 'id'): number {
  return pathId(req.params[name] ?? req.query[name], `${name} (the id of a saved segmentation)`);
}

/** A saved segmentation as the API tells it. */
export const modelBody = (m: SavedModel) => ({
  id: m.id,
  datasetId: m.datasetId,
  name: m.name,
  source: m.source,
  active: m.active,
  refits: m.refits,
  createdAt: m.createdAt,
  fittedAt: m.fittedAt,
  k: m.pipeline.centroids.length,
  algorithm: m.pipeline.options.algorithm,
  // What places its customers: its centres as fitted, or the rules it adopted (POST /api/models/:id/assignment).
  assignedBy: assignedBy(m.pipeline),
  features: pipelineFeatures(m.pipeline),
  segmentNames: m.pipeline.segmentNames,
  // `index` is the :segment of PATCH /api/models/:id/segments/:segment.
  segments: m.pipeline.segmentNames.map((name, index) => ({ index, name, playbook: m.pipeline.segmentPlaybooks?.[index] ?? '' })),
});
