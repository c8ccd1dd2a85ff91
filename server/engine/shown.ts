/**
 * The segmentation a surface shows, told one way everywhere. A fit chosen by parameters is
 * the engine's result; when the dataset has a saved segmentation made with exactly those
 * options, the result carries that segmentation's names and playbooks in its segments and
 * its pipeline, and names the model. Every surface (the Clusters and Predict tabs and their
 * charts, the API, registrations, exports) reads segments from this value and nothing else.
 */
import { DerivedCache } from '../derived-cache.ts';
import { cacheKey } from '../cache-key.ts';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { Db } from '../store/db.ts';
import { findModelWithOptions, type SavedModel } from '../store/saved-models.ts';

/** One result per (fit, saved labels): charts and rendered regions are cached by result identity. */
const labelled = new DerivedCache<SegmentationResult, SegmentationResult>();

/** The fit with a saved segmentation's names and playbooks (one per segment, by number). */
export function withSavedLabels(result: SegmentationResult, model: Pick<SavedModel, 'id' | 'name' | 'pipeline'>): SegmentationResult {
  const names = model.pipeline.segmentNames;
  const playbooks = model.pipeline.segmentPlaybooks ?? [];
  const nameOf = (id: number) => names[id] ?? result.segments[id].name;
  const playbookOf = (id: number) => playbooks[id] ?? '';
  const label = (): SegmentationResult => ({
    ...result,
    segments: result.segments.map((s) => ({ ...s, name: nameOf(s.id), playbook: playbookOf(s.id) })),
    pipeline: {
      ...result.pipeline,
      segmentNames: result.segments.map((s) => nameOf(s.id)),
      segmentPlaybooks: result.segments.map((s) => playbookOf(s.id)),
    },
    savedModel: { id: model.id, name: model.name },
  });
  return labelled.of(result, label, cacheKey(model.id, model.name, names, playbooks));
}

/** The result as the dataset's saved segmentations tell it: with the labels of the one made with its options, if any. */
export function shownSegmentation(db: Db, datasetId: number, result: SegmentationResult): SegmentationResult {
  const model = findModelWithOptions(db, datasetId, result.options, result.k);
  return model ? withSavedLabels(result, model) : result;
}
