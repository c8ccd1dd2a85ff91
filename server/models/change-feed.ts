/**
 * What a saved segmentation's change feed records when the segmentation itself changes:
 * every customer's entry when it is activated or imported, and each customer a retrain
 * moves (registrations are recorded with the customer, registration/register.ts).
 */
import type { Engine } from '../engine/engine.ts';
import type { FittedPipeline } from '../segmentation/fitted-pipeline.ts';
import type { ModelAssignment } from '../segmentation/model-ops.ts';
import type { Db } from '../store/db.ts';
import type { SavedModel } from '../store/saved-models.ts';
import { customerIds, recordChanges, type ChangeCause, type SegmentChange } from '../store/segment-changes.ts';

/** Each stored customer's segment under the pipeline, -1 where it leaves the customer out. */
export async function segmentOfEachCustomer(engine: Engine, datasetId: number, pipeline: FittedPipeline): Promise<Int32Array> {
  const assignment = await engine.onTable<ModelAssignment>(datasetId, { op: 'assign', pipeline });
  const segments = new Int32Array(assignment.rowCount).fill(-1);
  assignment.rowIndex.forEach((row, i) => (segments[row] = assignment.labels[i]));
  return segments;
}

/** The moves from one assignment of the customers to another; a customer in only one enters or leaves. */
export function movesBetween(before: Int32Array | undefined, after: Int32Array, ids: readonly string[]): SegmentChange[] {
  const changes: SegmentChange[] = [];
  for (let row = 0; row < Math.min(after.length, ids.length); row++) {
    const from = before && row < before.length && before[row] >= 0 ? before[row] : null;
    const to = after[row] >= 0 ? after[row] : null;
    if (from !== to) changes.push({ customerId: ids[row], from, to });
  }
  return changes;
}

/** Records every customer's entry into the segmentation (it was activated or imported). */
export async function recordEntries(db: Db, engine: Engine, model: SavedModel, cause: ChangeCause, at: string): Promise<void> {
  const segments = await segmentOfEachCustomer(engine, model.datasetId, model.pipeline);
  await recordChanges(db, model.id, at, cause, movesBetween(undefined, segments, customerIds(db, model.datasetId)));
}
