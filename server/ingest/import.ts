/** Import entry points: a file path, or CSV text (staged to a temporary file). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../store/db.ts';
import type { DatasetInfo } from '../store/datasets.ts';
import { importCsvFile, type ImportOptions } from './stream-import.ts';

export { importCsvFile, type ImportOptions };

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
