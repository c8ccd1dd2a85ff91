/**
 * One segment's customers as a campaign tool imports them: the customer's own identifier
 * first (the dataset's id column, else the row number), then every column as stored, then
 * the segment's name and playbook.
 */
import type { CellValue } from '../store/datasets.ts';
import type { ExportCell, ExportedSegmentation, ExportFormat, ExportTable } from './export-tables.ts';

export function audienceTable(
  source: ExportedSegmentation,
  segment: number,
  columns: readonly { name: string; kind: string }[],
  storedPages: Iterable<CellValue[][]>,
): ExportTable {
  const idAt = columns.findIndex((c) => c.kind === 'id');
  const others = columns.map((_, i) => i).filter((i) => i !== idAt);
  const inSegment = new Uint8Array(source.rowCount);
  let members = 0;
  source.rowIndex.forEach((r, i) => {
    if (source.labels[i] !== segment) return;
    inSegment[r] = 1;
    members++;
  });
  const name = source.segments[segment].name;
  const playbook = source.pipeline.segmentPlaybooks?.[segment] || null;
  function* rows(): Generator<ExportCell[]> {
    let r = 0;
    for (const page of storedPages) {
      for (const stored of page) {
        const row = r++;
        if (!inSegment[row]) continue;
        const cell = (v: CellValue): ExportCell => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
        yield [idAt >= 0 ? cell(stored[idAt]) : row + 1, ...others.map((i) => cell(stored[i])), name, playbook];
      }
    }
  }
  const formats: ExportFormat[] = [
    idAt >= 0 ? 'raw' : 'integer',
    ...others.map((i): ExportFormat => (columns[i].kind === 'date' ? 'date' : 'raw')),
    'text',
    'text',
  ];
  return {
    sheetName: 'Audience',
    headers: [idAt >= 0 ? columns[idAt].name : 'customer', ...others.map((i) => columns[i].name), 'segment name', 'playbook'],
    formats,
    rowCount: members,
    rows: rows(),
  };
}
