/** The server refuses to start on a database it cannot use, and says what to do about it. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../../server/store/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cs-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the real server on the file; resolves with its exit code and stderr (or 'listening'). */
function start(dbPath: string, asUser?: number): Promise<{ code: number | null; stderr: string; listening: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT, env: { ...process.env, DB_PATH: dbPath, PORT: '0', WORKERS: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
      ...(asUser !== undefined ? { uid: asUser, gid: asUser } : {}),
    });
    let stderr = '';
    let listening = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      if (String(d).includes('is serving')) {
        listening = true;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => resolve({ code, stderr, listening }));
  });
}

describe('start-up on a bad database file', () => {
  const good = join(dir, 'good.db');
  before(() => openDatabase(good).close());

  it('names a corrupt file and how to recover', async () => {
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, Buffer.alloc(8192, 0x5a));
    const run = await start(corrupt);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is damaged or is not a Customer Segments database\. Restore it from a backup, or set DB_PATH/);
    assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('names a file locked by another process', async () => {
    const locked = join(dir, 'locked.db');
    copyFileSync(good, locked);
    const holder = new Database(locked);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE; CREATE TABLE hold (x); ');
    try {
      const run = await start(locked);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /is locked by another process/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('names a read-only file', async () => {
    const readOnlyDir = join(dir, 'ro');
    rmSync(readOnlyDir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(readOnlyDir);
    const file = join(readOnlyDir, 'readonly.db');
    copyFileSync(good, file);
    chmodSync(file, 0o444);
    chmodSync(readOnlyDir, 0o555);
    // Root ignores file modes: run the server as an unprivileged user then.
    const asUser = process.getuid?.() === 0 ? 65534 : undefined;
    if (asUser !== undefined) chmodSync(dir, 0o755);
    try {
      const run = await start(file, asUser);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /cannot be written/);
    } finally {
      chmodSync(readOnlyDir, 0o755);
      chmodSync(file, 0o644);
    }
  });

  it('starts normally on the same database once it is healthy', async () => {
    const run = await start(good);
    assert.ok(run.listening, run.stderr);
  });
});
