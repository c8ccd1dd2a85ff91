/** Streams a CSV file as records: UTF-8 checked, delimiter given, structure errors explained. */
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { InputError } from '../errors.ts';
import type { Delimiter } from './csv.ts';

/** Decodes bytes as UTF-8, failing on invalid sequences and on NUL bytes (binary files). */
class Utf8Text extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor() {
    super({ readableObjectMode: false, decodeStrings: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (chunk.includes(0)) {
      done(new InputError('The file looks binary (it contains NUL bytes); upload a CSV text file.'));
      return;
    }
    try {
      done(null, this.decoder.decode(chunk, { stream: true }));
    } catch {
      done(new InputError('The file is not UTF-8 text; save it as "CSV UTF-8" and try again.'));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(new InputError('The file is not UTF-8 text; save it as "CSV UTF-8" and try again.'));
    }
  }
}

export function describeParseError(error: unknown): InputError {
  if (error instanceof InputError) return error;
  const err = error as { code?: string; lines?: number; message?: string };
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InputError(`A quoted field is never closed (it starts near line ${err.lines ?? '?'}); add the closing quote.`);
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return new InputError(`Line ${err.lines ?? '?'} has a different number of fields than the header; every row needs one value per column.`);
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return new InputError(`Line ${err.lines ?? '?'} has a quote in the middle of a field; quote the whole field and double any quote inside it.`);
    default:
      return new InputError(`The file is not valid CSV: ${err.message ?? String(error)}`);
  }
}

/** Records of a CSV file, header included, one string array each. */
export async function* readRecords(path: string, delimiter: Delimiter): AsyncGenerator<string[]> {
  const parser = createReadStream(path).pipe(new Utf8Text());
  const records = parser.pipe(parse({ delimiter, bom: true, skip_empty_lines: true, relax_column_count: false }));
  parser.on('error', (error) => records.destroy(error));
  try {
    for await (const record of records) yield record as string[];
  } catch (error) {
    throw describeParseError(error);
  } finally {
    records.destroy();
  }
}

/** The first bytes of a file as text, for delimiter detection. */
export async function readHead(path: string, bytes = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 })) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
