/**
 * What a saved segmentation's change feed records when the segmentation itself changes:
 * every customer's entry when it is activated or imported, and each customer a retrain
 * moves (registrations are recorded with the customer, registration/register.ts), written
 * in the transaction of the change with the webhook deliveries announcing it.
 */
import type { Engine } from '../engine/engine.ts';
import type { FittedPipeline } from '../segmentation/fitted-pipeline.ts';
import type { Db } from '../store/db.ts';
import type { AlsoWrite } from '../store/saved-models.ts';
import { changeWriter, entryWriter, type ChangeCause, type SegmentChange } from '../store/segment-changes.ts';
import { outboxWriter } from '../store/webhook-outbox.ts';

/** Each stored customer's segment under the pipeline, -1 where it leaves the customer out. */
export function segmentOfEachCustomer(engine: Engine, datasetId: number, pipeline: FittedPipeline): Promise<Int32Array> {
  return engine.onTable<Int32Array>(datasetId, { op: 'segment-each', pipeline });
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

/**
 * Every customer's entry into a segmentation (it was activated or imported), from each row's
 * segment, for that change's transaction; with the model's own event when one is named.
 */
export function segmentationEntries(
  db: Db,
  at: string,
  cause: ChangeCause,
  datasetId: number,
  segments: Int32Array,
  event?: 'model.activated',
): AlsoWrite {
  const writeEntries = entryWriter(db);
  const announce = outboxWriter(db);
  return (model) => {
    writeEntries(model.id, at, cause, datasetId, segments);
    if (event) announce({ event, model: model.id, customer: null, segment: null, at });
  };
}

/**
 * The writes that go with a change of the segmentation itself, for that change's transaction
 * (saved-models.ts `also`): its customers' moves, and the model's own event to webhooks.
 */
export function segmentationChange(
  db: Db,
  at: string,
  cause: ChangeCause,
  moves: readonly SegmentChange[],
  event?: 'model.retrained' | 'model.activated',
): AlsoWrite {
  const writeChanges = changeWriter(db);
  const announce = outboxWriter(db);
  return (model) => {
    writeChanges(model.id, at, cause, moves);
    if (event) announce({ event, model: model.id, customer: null, segment: null, at });
  };
}
