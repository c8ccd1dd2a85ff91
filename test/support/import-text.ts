/** CSV text imported as a file would be (staged to a temporary file): tests write their files inline. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../server/store/db.ts';
import type { DatasetInfo } from '../../server/store/datasets.ts';
import { importCsvFile, type ImportOptions } from '../../server/ingest/stream-import.ts';

export async function importCsvText(db: Db, text: string, options: ImportOptions): Promise<DatasetInfo> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-text-'));
  try {
    const path = join(dir, 'upload.csv');
    await writeFile(path, text);
    return await importCsvFile(db, path, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
