/** SIGKILL in the middle of an import leaves the database exactly as it was. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { importCsvText } from '../support/import-text.ts';
import { openDatabase } from '../../server/store/db.ts';
import { listDatasets, loadDataTable } from '../../server/store/datasets.ts';
import { writeBigCsv } from '../fixtures/big-csv.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cs-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('import atomicity', () => {
  it('loses nothing and keeps nothing half-written when the importing process is killed', async () => {
    const dbPath = join(dir, 'kill.db');
    const db = openDatabase(dbPath);
    await importCsvText(db, 'x,y\n1,2\n3,4\n', { name: 'Existing' });
    const before = listDatasets(db);
    db.close();
    const csv = join(dir, 'big.csv');
    await writeBigCsv(csv, 400_000);

    const child = spawn(process.execPath, ['--import', 'tsx', 'server/ingest/cli.ts', csv, '--name', 'Killed'], {
      cwd: ROOT, env: { ...process.env, DB_PATH: dbPath }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Kill once the import is visibly writing (its uncommitted pages fill the WAL).
    const wal = `${dbPath}-wal`;
    const started = Date.now();
    while (!(existsSync(wal) && statSync(wal).size > 2_000_000)) {
      if (Date.now() - started > 60_000) throw new Error('the import never started writing');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const reopened = openDatabase(dbPath);
    assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(listDatasets(reopened), before);
    assert.equal(loadDataTable(reopened, before[0].id).rowCount, 2);
    const rowTables = reopened.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ds_%'").pluck().all();
    assert.deepEqual(rowTables, [`ds_${before[0].id}`]);
    // And the database still takes a new import afterwards.
    await importCsvText(reopened, 'x,y\n5,6\n7,8\n', { name: 'After' });
    assert.equal(listDatasets(reopened).length, 2);
    reopened.close();
  });
});
