/** On start with an empty database, the bundled sample becomes the default dataset. */
import { importCsvFile } from '../ingest/import.ts';
import type { Db } from './db.ts';
import { listDatasets, type DatasetInfo } from './datasets.ts';

export async function seedDefaultDataset(db: Db, csvPath: string, name: string): Promise<DatasetInfo | undefined> {
  if (listDatasets(db).length > 0) return undefined;
  return importCsvFile(db, csvPath, { name });
}
