/** 50 concurrent connections against the real server: every request answered 2xx. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runLoad, runSoak } from '../bench/load.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

describe('under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-load-test-'));
  let server: ServerProcess;
  before(async () => (server = await startServerProcess(join(dir, 'load.db'), { WORKERS: '1' })));
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the Clusters partial and /api/predict with 50 connections: no errors, no non-2xx', async () => {
    for (const figures of await runLoad(server, 5)) {
      assert.ok(figures.requests > 50, `${figures.name}: only ${figures.requests} requests`);
      assert.equal(figures.errors, 0, `${figures.name}: connection errors`);
      assert.equal(figures.timeouts, 0, `${figures.name}: timeouts`);
      assert.equal(figures.non2xx, 0, `${figures.name}: non-2xx answers`);
    }
  });

  it('keeps 20 live-update clients served while registrations flow', async () => {
    const soak = await runSoak(server, 8, 20, 100, 2);
    assert.equal(soak.failedRegistrations, 0);
    assert.ok(soak.registrations > 10);
    // Every client hears about the registrations (events are coalesced, so fewer than one each).
    assert.ok(soak.eventsReceived >= soak.sseClients, `only ${soak.eventsReceived} events reached ${soak.sseClients} clients`);
    assert.ok(soak.growthMb < 50, `RSS grew ${soak.growthMb.toFixed(1)} MB in a short soak`);
  });
});
