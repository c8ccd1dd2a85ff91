/** On start with an empty database, the bundled sample becomes the default dataset. */
import type { Db } from '../store/db.ts';
import { listDatasets, type DatasetInfo } from '../store/datasets.ts';
import { importCsvFile } from './stream-import.ts';

export async function seedDefaultDataset(db: Db, csvPath: string, name: string): Promise<DatasetInfo | undefined> {
  if (listDatasets(db).length > 0) return undefined;
  return importCsvFile(db, csvPath, { name });
}
