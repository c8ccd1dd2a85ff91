/** The tables users export: one row per segment, and every customer with its segment. */
import { storedRowReasons } from '../segmentation/explain.ts';
import type { SegmentationResult } from '../segmentation/pipeline.ts';
import type { ModelAssignment } from '../segmentation/model-ops.ts';
import type { FittedPipeline } from '../segmentation/predict.ts';
import type { CellValue } from '../store/datasets.ts';

export type ExportCell = string | number | null;

/**
 * How a column reads in a spreadsheet: counts as whole numbers, shares as percentages,
 * computed numbers (means, medians) without float noise, dates as dates, the rest as given.
 */
export type ExportFormat = 'integer' | 'share' | 'number' | 'text' | 'date' | 'raw';

export interface ExportTable {
  sheetName: string;
  headers: string[];
  /** One per header; absent: every column as given. */
  formats?: ExportFormat[];
  /** How many rows `rows` yields (Excel has a row limit to check first). */
  rowCount: number;
  /** Consumed once; may be read lazily from the database. */
  rows: Iterable<ExportCell[]>;
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** What an export shows: a segmentation chosen by parameters, or a saved one's assignment (model=ID). */
export type ExportedSegmentation = (SegmentationResult | ModelAssignment) & { pipeline: FittedPipeline };

const playbookOf = (source: ExportedSegmentation, segment: number) => source.pipeline.segmentPlaybooks?.[segment] ?? '';

export function segmentsTable(result: ExportedSegmentation): ExportTable {
  const first = result.segments[0];
  const numericFeatures = first?.features.map((f) => f.feature) ?? [];
  // Outcome rates (churn = Yes) and the share of the money total, beside the share of customers.
  const outcomeLevels = Object.entries(first?.outcomesOverall ?? {}).flatMap(([column, shares]) =>
    Object.keys(shares).map((level) => [column, level] as const),
  );
  const valueFeature = first?.valueShare?.feature;
  const headers = [
    'segment',
    'name',
    'customers',
    'share',
    ...(valueFeature ? [`share of ${valueFeature}`] : []),
    'recommendation',
    'playbook',
    ...outcomeLevels.map(([column, level]) => `${column} = ${level} (share)`),
    ...numericFeatures.map((f) => `mean ${f}`),
    ...numericFeatures.map((f) => `median ${f}`),
  ];
  const rows = result.segments.map((s) => [
    s.id + 1,
    s.name,
    s.size,
    s.share,
    ...(valueFeature ? [s.valueShare?.share ?? null] : []),
    s.recommendation,
    playbookOf(result, s.id),
    ...outcomeLevels.map(([column, level]) => s.outcomes[column]?.[level] ?? null),
    ...s.features.map((f) => finiteOrNull(f.mean)),
    ...s.features.map((f) => finiteOrNull(f.median)),
  ]);
  if (result.noiseCount > 0) {
    const blanks = (n: number) => new Array<null>(n).fill(null);
    rows.push([
      null,
      'Noise',
      result.noiseCount,
      result.noiseCount / result.labels.length,
      ...blanks(valueFeature ? 1 : 0),
      '',
      '',
      ...blanks(outcomeLevels.length),
      ...numericFeatures.flatMap(() => [null, null]),
    ]);
  }
  const formats: ExportFormat[] = [
    'integer',
    'text',
    'integer',
    'share',
    ...(valueFeature ? ['share' as const] : []),
    'text',
    'text',
    ...outcomeLevels.map(() => 'share' as const),
    ...numericFeatures.flatMap(() => ['number' as const, 'number' as const]),
  ];
  return { sheetName: 'Segments', headers, formats, rowCount: rows.length, rows };
}

/**
 * Every customer of the result's rows with its segment, read page by page from the stored
 * rows as the writer consumes them: a million customers are never in memory at once.
 */
export function customersTable(
  result: ExportedSegmentation,
  columns: readonly { name: string; kind: string }[],
  storedPages: Iterable<CellValue[][]>,
): ExportTable {
  const columnNames = columns.map((c) => c.name);
  const segmentOfRow = new Int32Array(result.rowCount).fill(-2);
  result.rowIndex.forEach((r, i) => (segmentOfRow[r] = result.labels[i]));
  const reasonsOf = storedRowReasons(result.pipeline, columnNames);
  function* rows(): Generator<ExportCell[]> {
    let r = 0;
    for (const page of storedPages) {
      for (const stored of page) {
        const cells: ExportCell[] = stored.map((v) => (typeof v === 'number' ? finiteOrNull(v) : v));
        const segment = segmentOfRow[r++];
        if (segment === -2) cells.push(null, 'Not segmented (missing values dropped)', null, null, null);
        else if (segment === -1) cells.push(null, 'Noise', null, null, null);
        else {
          const [first, second] = reasonsOf(stored, segment);
          cells.push(segment + 1, result.segments[segment].name, playbookOf(result, segment) || null, first ?? null, second ?? null);
        }
        yield cells;
      }
    }
  }
  // The customers' own values as stored (their own precision); dates as dates in Excel.
  const formats: ExportFormat[] = [
    ...columns.map((c): ExportFormat => (c.kind === 'date' ? 'date' : 'raw')),
    'integer',
    'text',
    'text',
    'text',
    'text',
  ];
  return {
    sheetName: 'Customers',
    headers: [...columnNames, 'segment', 'segment name', 'playbook', 'main reason', 'second reason'],
    formats,
    rowCount: result.rowCount,
    rows: rows(),
  };
}
