/**
 * Import benchmark: a 1,000,000-row, 9-column CSV imported in a fresh process, timed, with
 * its peak RSS. Target (issue 5): under 15 s and under 300 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBigCsv } from '../fixtures/big-csv.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ImportFigures {
  rows: number;
  megabytes: number;
  seconds: number;
  peakRssMb: number;
}

async function child(csv: string, dbPath: string): Promise<void> {
  const { openDatabase } = await import('../../server/store/db.ts');
  const { importCsvFile } = await import('../../server/ingest/stream-import.ts');
  const db = openDatabase(dbPath);
  const started = performance.now();
  const info = await importCsvFile(db, csv, { name: 'bench', maxBytes: 1e12 });
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is in kilobytes on Linux.
  console.log(JSON.stringify({ rows: info.rowCount, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
  db.close();
}

export async function benchImport(rows = 1_000_000): Promise<ImportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-import-'));
  try {
    const csv = join(dir, 'customers.csv');
    await writeBigCsv(csv, rows);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/bench/import.ts', 'child', csv, join(dir, 'bench.db')], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`import bench failed: ${run.stderr}`);
    const figures = JSON.parse(run.stdout.trim().split('\n').pop()!) as Omit<ImportFigures, 'megabytes'>;
    return { ...figures, megabytes: statSync(csv).size / 1e6 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4]);
