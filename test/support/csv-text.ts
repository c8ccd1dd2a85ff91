/** Whole-text CSV parsing for the small reference files the tests read (the server streams files: stream-import.ts). */
import { parse } from 'csv-parse/sync';
import { InputError } from '../../server/errors.ts';
import { detectDelimiter, type Delimiter } from '../../server/ingest/delimiter.ts';
import { describeParseError } from '../../server/ingest/records.ts';

export interface ParsedCsv {
  delimiter: Delimiter;
  header: string[];
  rows: string[][];
}

export function parseCsvText(text: string): ParsedCsv {
  if (text.includes('\u0000')) {
    throw new InputError('The file looks binary (it contains NUL bytes); upload a CSV text file.');
  }
  if (text.includes('\uFFFD')) {
    throw new InputError('The file is not UTF-8 text; save it as UTF-8 CSV and try again.');
  }
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new InputError('The file is empty; it needs a header row and at least one customer.');
  const delimiter = detectDelimiter(body);
  let records: string[][];
  try {
    records = parse(body, { delimiter, skip_empty_lines: true, relax_column_count: false, bom: true });
  } catch (error) {
    throw describeParseError(error);
  }
  const [header, ...rows] = records;
  if (rows.length === 0) throw new InputError('The file has a header but no rows; add at least one customer.');
  const names = header.map((h) => h.trim());
  names.forEach((name, i) => {
    if (name === '') throw new InputError(`Column ${i + 1} has an empty header name; give every column a name.`);
  });
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InputError(`The header names the column "${name}" twice; column names must be unique.`);
    seen.add(name);
  }
  return { delimiter, header: names, rows };
}
