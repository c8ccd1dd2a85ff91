/** Streams a CSV file as records: UTF-8 checked, delimiter given, structure errors explained. */
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse } from 'csv-parse';
import { InputError } from '../errors.ts';
import type { Delimiter } from './delimiter.ts';

/** Decodes bytes as UTF-8, failing on invalid sequences and on NUL bytes (binary files). */
class Utf8Text extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private first = true;

  constructor() {
    super({ readableObjectMode: false, decodeStrings: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // Excel's "Unicode text" is UTF-16 with a byte-order mark: its NULs are not binary.
    if (this.first && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
      done(new InputError('The file is UTF-16 text (Excel\'s "Unicode text"); save it as "CSV UTF-8" and try again.'));
      return;
    }
    this.first = false;
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
      return new InputError(
        `Line ${err.lines ?? '?'} has a different number of fields than the header; every row needs one value per column.`,
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return new InputError(
        `Line ${err.lines ?? '?'} has a quote in the middle of a field; quote the whole field and double any quote inside it.`,
      );
    default:
      return new InputError(`The file is not valid CSV: ${err.message ?? String(error)}`);
  }
}

/**
 * Records handed over at a time, after which the reader yields to the event loop. A chain
 * of promises per record ran a whole read chunk before any other request was served (with
 * five imports at once, 80 ms between turns); a batch is one promise and a plain loop.
 */
const BATCH_RECORDS = 128;
/** Bytes read at a time: each chunk is split in one go (a few milliseconds). */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Records of a CSV file, header included, one string array each, in batches. Text without
 * quotes (most files, and every sample a source engine writes) is split on line ends and
 * the delimiter directly, several times faster than a full parser; at the first line
 * holding a quote or a lone carriage return, csv-parse reads the file again from the start
 * and goes on after the records already given.
 */
export async function* readRecordBatches(path: string, delimiter: Delimiter): AsyncGenerator<string[][]> {
  const given = { records: 0 };
  if (yield* quoteFreeRecords(path, delimiter, given)) return;
  yield* parsedRecords(path, delimiter, given.records);
}

/** Yields records while the text has no quotes; answers whether it reached the end (else csv-parse goes on). */
async function* quoteFreeRecords(path: string, delimiter: Delimiter, given: { records: number }): AsyncGenerator<string[][], boolean> {
  const text = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }).pipe(new Utf8Text());
  let carry = '';
  let line = 0;
  let width = -1;
  let batch: string[][] = [];
  /** Splits complete lines into the batch; false (nothing taken) when they need the full parser. */
  const split = (lines: string): boolean => {
    if (lines.includes('"') || (lines.includes('\r') && /\r(?!\n)/.test(lines))) return false;
    let from = 0;
    while (from < lines.length) {
      let to = lines.indexOf('\n', from);
      if (to < 0) to = lines.length;
      line++;
      const end = to > from && lines.charCodeAt(to - 1) === 13 ? to - 1 : to;
      if (end > from) {
        const record = lines.slice(from, end).split(delimiter);
        if (width < 0) width = record.length;
        else if (record.length !== width) {
          throw new InputError(`Line ${line} has a different number of fields than the header; every row needs one value per column.`);
        }
        batch.push(record);
      }
      from = to + 1;
    }
    return true;
  };
  const give = async function* (all: boolean) {
    while (batch.length >= BATCH_RECORDS || (all && batch.length > 0)) {
      const records = batch.length > BATCH_RECORDS ? batch.splice(0, BATCH_RECORDS) : batch;
      if (records === batch) batch = [];
      given.records += records.length;
      yield records;
      await nextTurn();
    }
  };
  try {
    let first = true;
    for await (const chunk of text) {
      let piece = carry + (chunk as string);
      if (first && piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
      first = false;
      const last = piece.lastIndexOf('\n');
      carry = piece.slice(last + 1);
      if (!split(piece.slice(0, last + 1))) {
        yield* give(true);
        return false;
      }
      yield* give(false);
    }
    if (carry !== '' && !split(carry)) {
      yield* give(true);
      return false;
    }
    yield* give(true);
    return true;
  } catch (error) {
    throw describeParseError(error);
  } finally {
    text.destroy();
  }
}

/** Records of a CSV file read by csv-parse, after the first `skip` of them. */
async function* parsedRecords(path: string, delimiter: Delimiter, skip: number): AsyncGenerator<string[][]> {
  const parser = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }).pipe(new Utf8Text());
  const records = parser.pipe(parse({ delimiter, bom: true, skip_empty_lines: true, relax_column_count: false }));
  parser.on('error', (error) => records.destroy(error));
  let failure: unknown;
  let ended = false;
  let skipped = 0;
  records.on('error', (error) => (failure = error));
  records.on('end', () => (ended = true));
  try {
    for (;;) {
      const batch: string[][] = [];
      let record: string[] | null;
      while (batch.length < BATCH_RECORDS && (record = records.read() as string[] | null) !== null) {
        if (skipped < skip) skipped++;
        else batch.push(record);
      }
      if (failure) throw failure;
      if (batch.length > 0) {
        yield batch;
        await nextTurn();
        continue;
      }
      if (ended || records.readableEnded) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          records.off('readable', wake).off('end', wake).off('error', wake);
          resolve();
        };
        records.on('readable', wake).on('end', wake).on('error', wake);
      });
    }
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
