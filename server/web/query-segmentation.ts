/** The segmentation a download or the report is about, from its query. */
import type { ModelAssignment } from '../segmentation/model-ops.ts';
import type { Engine } from '../engine/engine.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { getModel } from '../store/saved-models.ts';
import type { ExportedSegmentation } from './export-tables.ts';
import { queryId } from './inputs.ts';
import { parseSegmentationParams } from './params.ts';

/**
 * The segmentation a request names (exports, the report): with `model=ID` a saved segmentation (its assignment of the dataset's
 * customers, its names and playbooks), otherwise the one the parameters describe.
 */
export async function segmentationOfQuery(
  db: Db,
  engine: Engine,
  query: Record<string, unknown>,
): Promise<{ datasetId: number; source: ExportedSegmentation; model?: { id: number; name: string } }> {
  if (query.model !== undefined) {
    const others = Object.keys(query).filter((name) => name !== 'model');
    if (others.length > 0) {
      throw new InputError(
        `model= names a saved segmentation, which fixes its dataset and every setting: leave out ${others
          .slice(0, 5)
          .map((n) => `"${n.slice(0, 60)}"`)
          .join(', ')}, or leave out model= to export by parameters.`,
        { field: others[0] },
      );
    }
    const model = getModel(db, queryId(query.model, 'model', 'model (the id of a saved segmentation)'));
    const assignment = await engine.onTable<ModelAssignment>(model.datasetId, { op: 'assign', pipeline: model.pipeline });
    return { datasetId: model.datasetId, source: { ...assignment, pipeline: model.pipeline }, model: { id: model.id, name: model.name } };
  }
  const params = parseSegmentationParams(query, db);
  const source = await engine.shown(params);
  return { datasetId: params.datasetId, source, model: source.savedModel };
}
