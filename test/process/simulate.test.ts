/** npm run simulate registers synthetic customers against a running server. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../http/harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

describe('load generator', () => {
  it('registers customers at the requested rate and stops by itself', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const { port } = server.address() as AddressInfo;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'data/simulate.ts', '--rate', '20', '--duration', '2', '--url', `http://127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, output);
      assert.match(output, /registered 40 customers/);
      const [dataset] = (await request(t.app).get('/api/datasets')).body;
      assert.equal(dataset.rowCount, 2440);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
