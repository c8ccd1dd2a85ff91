/**
 * CSV records read fast where the text has no quotes, and by csv-parse from the first line
 * that has one: the same records as csv-parse reading the whole file, and the same errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { readRecordBatches } from '../../../server/ingest/records.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function recordsOf(text: string, name: string, delimiter: ',' | ';' = ','): Promise<string[][]> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const out: string[][] = [];
  for await (const batch of readRecordBatches(path, delimiter)) out.push(...batch);
  return out;
}

/** Enough plain lines to fill several read chunks before anything else. */
const plainLines = (n: number, delimiter = ',') =>
  Array.from({ length: n }, (_, i) => ['C' + i, String(i % 97), i % 3 ? 'north' : ''].join(delimiter));

describe('readRecordBatches', () => {
  it('splits quote-free text, with a byte-order mark, CRLF line ends, empty lines and no final line end', async () => {
    const text = '\uFEFFid;spend;region\r\n' + plainLines(20_000, ';').join('\r\n') + '\r\n\r\nC-last;1;south';
    const records = await recordsOf(text, 'plain.csv', ';');
    assert.deepEqual(records, parse(text, { delimiter: ';', bom: true, skip_empty_lines: true }));
    assert.equal(records.length, 20_002);
  });

  it('hands over to csv-parse at the first quote, far into the file, and gives every record once', async () => {
    const text = 'id,spend,region\n' + plainLines(30_000).join('\n') + '\n"C,quoted",5,"two\nlines"\n' + plainLines(50).join('\n') + '\n';
    const records = await recordsOf(text, 'quoted.csv');
    assert.deepEqual(records, parse(text, { skip_empty_lines: true }));
    assert.deepEqual(records[30_001], ['C,quoted', '5', 'two\nlines']);
  });

  it('names the line with a missing field, before and after a quote', async () => {
    const early = 'id,spend,region\n' + plainLines(10).join('\n') + '\nC-short,1\n';
    await assert.rejects(recordsOf(early, 'short.csv'), /Line 12 has a different number of fields than the header/);
    const late = 'id,spend,region\n"C0",1,north\n' + plainLines(10).join('\n') + '\nC-short,1\n';
    await assert.rejects(recordsOf(late, 'short-quoted.csv'), /Line 13 has a different number of fields than the header/);
    await assert.rejects(
      recordsOf('id,spend,region\n' + plainLines(3000).join('\n') + '\n"C1,4\n', 'open.csv'),
      /A quoted field is never closed/,
    );
  });
});
