/** A killed upload or import leaves no staged file behind once the server starts again. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stagingDirFor, UploadStaging } from '../../server/ingest/staging.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-recovery-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('staged uploads', { timeout: 120_000 }, () => {
  it('keeps a fresh preview, and removes half-written files and uploads older than a day', () => {
    const staging = new UploadStaging(join(dir, 'unit-uploads'));
    const [partial, fresh, stale] = [staging.newToken(), staging.newToken(), staging.newToken()];
    writeFileSync(staging.incomingPath(partial), 'a,b\n1,');
    for (const token of [fresh, stale]) {
      writeFileSync(staging.incomingPath(token), 'a,b\n1,2\n');
      staging.keep(token);
    }
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(staging.existingPath(stale), twoDaysAgo, twoDaysAgo);
    staging.sweep();
    assert.ok(existsSync(staging.incomingPath(partial)), 'a sweep while running leaves uploads in progress alone');
    assert.throws(() => staging.existingPath(stale), /expired/);
    staging.recover();
    assert.deepEqual(readdirSync(staging.dir), [`${fresh}.csv`]);
  });

  it('removes the upload a SIGKILL interrupted at the next start', async () => {
    const dbPath = join(dir, 'killed.db');
    const uploads = stagingDirFor(dbPath);
    let server: ServerProcess | undefined = await startServerProcess(dbPath, { WORKERS: '0' });
    try {
      // An upload that sends 2 MB and then stalls, as a slow connection would.
      const url = new URL(`${server.base}/api/datasets?name=Slow`);
      const upload = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { 'Content-Type': 'text/csv' } });
      upload.on('error', () => {});
      upload.write(`id,x\n${'1,2\n'.repeat(500_000)}`);
      const started = Date.now();
      while (!readdirSync(uploads).some((name) => name.endsWith('.part'))) {
        if (Date.now() - started > 20_000) throw new Error('the upload was never staged');
        await new Promise((r) => setTimeout(r, 20));
      }
      server.child.kill('SIGKILL');
      await server.exited;
      upload.destroy();
      assert.equal(readdirSync(uploads).filter((name) => name.endsWith('.part')).length, 1, 'the killed upload is still there');
      server = await startServerProcess(dbPath, { WORKERS: '0' });
      assert.deepEqual(readdirSync(uploads), [], 'removed at start-up');
      const datasets = await (await fetch(`${server.base}/api/datasets`)).json() as { name: string }[];
      assert.deepEqual(datasets.map((d) => d.name), ['Sample customers']);
    } finally {
      server?.child.kill('SIGKILL');
      await server?.exited;
    }
  });
});
