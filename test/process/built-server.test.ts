/**
 * npm start runs a bundle (scripts/build.mjs): the built server, its analysis worker and its
 * memory settings work as the sources do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildServer, startCommand, startServerProcess } from '../support/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-built-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the built server (npm start)', () => {
  it('builds, serves every tab with its analysis worker, and stops cleanly', async () => {
    buildServer();
    const server = await startServerProcess(join(dir, 'built.db'), { WORKERS: '1' }, { built: true });
    try {
      assert.match(server.output(), /Imported the sample dataset/);
      // glibc hands freed buffers back to the system (see README, memory): set as npm start sets them.
      const environ = readFileSync(`/proc/${server.child.pid}/environ`, 'utf8').split('\0');
      for (const [name, value] of Object.entries(startCommand().env)) assert.ok(environ.includes(`${name}=${value}`), name);
      assert.ok(environ.includes('MALLOC_MMAP_THRESHOLD_=131072'));
      for (const path of ['/', '/clusters?k=4', '/predict?k=4', '/models', '/datasets']) {
        const response = await fetch(server.base + path);
        assert.equal(response.status, 200, `${path}: ${await response.text()}`);
      }
      // The clusters page's numbers come from the bundled worker: a fit, not an error page.
      const page = await (await fetch(`${server.base}/clusters?k=4`)).text();
      assert.match(page, /Silhouette/i);
      const csv = await (await fetch(`${server.base}/export/customers.csv?k=4`)).text();
      assert.equal(csv.trim().split('\n').length, 2401, 'a header and every sample customer');
    } finally {
      server.child.kill('SIGTERM');
    }
    assert.deepEqual(await server.exited, { code: 0, signal: null });
  });
});
