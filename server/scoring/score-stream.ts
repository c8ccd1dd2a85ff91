/**
 * Scores a CSV of any size with a saved segmentation, batch by batch: constant memory, for
 * files too large to import. Each row gets the segment the dashboard would give it (the same
 * steps and assignment as a prediction), or none where the missing-value rule drops it.
 */
import { applySteps } from '../analysis/transform.ts';
import { dbscanCores, predictTransformed, type FittedPipeline } from '../segmentation/predict.ts';
import { InputError } from '../errors.ts';
import { detectDelimiter } from '../ingest/delimiter.ts';
import { readHead, readRecordBatches } from '../ingest/records.ts';
import { isMissing, parseNumber } from '../ingest/values.ts';

export interface ScoredRow {
  customerId: string;
  /** 1..k as the dashboard numbers segments; null where the row is not segmented. */
  segment: number | null;
  segmentName: string | null;
  distance: number | null;
}

/** A value the file holds where the segmentation reads a number, but that is no number: scored as missing, and reported. */
export interface UnparsableValue {
  /** The data row, 1 for the first after the header. */
  row: number;
  column: string;
  value: string;
}

/**
 * `idColumn`: the column returned as customer_id; without it (or absent from the file), the
 * row number. `onUnparsable`: told of every value that is no number in a numeric feature.
 */
export async function* scoreCsvFile(
  pipeline: FittedPipeline,
  path: string,
  idColumn?: string,
  onUnparsable: (value: UnparsableValue) => void = () => {},
): AsyncGenerator<ScoredRow[]> {
  const delimiter = detectDelimiter((await readHead(path)).replace(/^\uFEFF/, ''));
  const batches = readRecordBatches(path, delimiter);
  const { preprocessor } = pipeline;
  let header: string[] | undefined;
  let numericAt: number[] = [];
  let categoricalAt: number[] = [];
  let idAt = -1;
  let row = 0;
  const x = new Float64Array(preprocessor.outputNames.length);
  const raw = new Float64Array(preprocessor.numeric.length);
  const cores = dbscanCores(pipeline);
  for await (const batch of batches) {
    const out: ScoredRow[] = [];
    for (const record of batch) {
      if (!header) {
        header = record.map((h) => h.trim());
        const find = (name: string) => {
          const at = header!.indexOf(name);
          if (at < 0)
            throw new InputError(
              `The file has no column "${name}", which the segmentation uses; its columns are ${header!.slice(0, 20).join(', ')}.`,
            );
          return at;
        };
        numericAt = preprocessor.numeric.map((s) => find(s.name));
        categoricalAt = preprocessor.categorical.map((s) => find(s.name));
        idAt = idColumn ? header.indexOf(idColumn) : -1;
        continue;
      }
      row++;
      const number = (j: number) => {
        const raw = record[numericAt[j]] ?? '';
        if (isMissing(raw)) return Number.NaN;
        const value = parseNumber(raw);
        if (Number.isNaN(value)) onUnparsable({ row, column: preprocessor.numeric[j].name, value: raw });
        return value;
      };
      const level = (j: number) => {
        const raw = (record[categoricalAt[j]] ?? '').trim();
        return raw === '' ? null : raw;
      };
      const customerId = idAt >= 0 ? record[idAt] : String(row);
      if (applySteps(preprocessor, number, level, x, raw) !== null || x.some((v) => !Number.isFinite(v))) {
        out.push({ customerId, segment: null, segmentName: null, distance: null });
        continue;
      }
      const prediction = predictTransformed(pipeline, x, cores, raw);
      if (prediction.segment < 0) out.push({ customerId, segment: null, segmentName: prediction.name, distance: null });
      else
        out.push({
          customerId,
          segment: prediction.segment + 1,
          segmentName: prediction.name,
          distance: prediction.distances[prediction.segment],
        });
    }
    yield out;
  }
}
