/** createApp() on a temporary database seeded with the bundled sample, for supertest. */
import { mkdtempSync, rmSync } from 'node:fs';
import request from 'supertest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import type { AuthSettings } from '../../server/web/auth.ts';
import { DEFAULT_DATASET_PATH } from '../../server/config.ts';
import { openDatabase, type Db } from '../../server/store/db.ts';
import type { Engine } from '../../server/engine/engine.ts';
import { buildServices } from '../../server/services.ts';
import type { WorkerPool } from '../../server/engine/pool.ts';
import { seedDefaultDataset } from '../../server/ingest/seed.ts';
import { UploadStaging } from '../../server/ingest/staging.ts';
import type { SourceSettings } from '../../server/sources/source-service.ts';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  db: Db;
  engine: Engine;
  dir: string;
  close: () => void;
}

export async function createTestApp(
  options: { seed?: boolean; pool?: WorkerPool; auth?: AuthSettings; sources?: Partial<SourceSettings> } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-http-'));
  const db = openDatabase(join(dir, 'test.db'));
  if (options.seed !== false) await seedDefaultDataset(db, DEFAULT_DATASET_PATH, 'Sample customers');
  const staging = new UploadStaging(join(dir, 'uploads'));
  const services = buildServices(db, { pool: options.pool, sources: options.sources });
  const app = createApp({ db, ...services, auth: options.auth, staging });
  const { engine } = services;
  return {
    app,
    db,
    engine,
    dir,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An Excel download of the app, read back as a workbook. */
export async function downloadWorkbook(app: TestApp['app'], path: string): Promise<import('exceljs').Workbook> {
  const res = await request(app).get(path).buffer(true).parse((stream, done) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => done(null, Buffer.concat(chunks)));
  }).expect(200);
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.body as unknown as ArrayBuffer);
  return book;
}

