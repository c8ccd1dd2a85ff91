/** Kills and stops of the real server process: nothing committed is lost, shutdown drains. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../server/store/db.ts';
import { listModels } from '../../server/store/saved-models.ts';
import { startServerProcess } from '../support/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-faults-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('server faults', () => {
  it('keeps every model whose save was answered when killed mid-save, and restarts cleanly', async () => {
    const dbPath = join(dir, 'models.db');
    const server = await startServerProcess(dbPath, { WORKERS: '0' });
    const saved: number[] = [];
    let failures = 0;
    let threeSaved!: () => void;
    const afterThree = new Promise<void>((resolve) => { threeSaved = resolve; });
    // Saves in a loop, killed once three were answered: the kill lands during a later save.
    const saving = (async () => {
      for (let i = 0; i < 500; i++) {
        try {
          const res = await fetch(`${server.base}/api/models?name=model-${i}&k=${2 + (i % 5)}&seed=${i}`, { method: 'POST' });
          if (res.status === 201) saved.push(((await res.json()) as { id: number }).id);
          if (saved.length === 3) threeSaved();
        } catch {
          failures++;
          return;
        }
      }
    })();
    await afterThree;
    server.child.kill('SIGKILL');
    assert.equal((await server.exited).signal, 'SIGKILL');
    await saving;
    assert.ok(saved.length > 0, 'some saves were answered before the kill');

    const db = openDatabase(dbPath);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const ids = listModels(db, 1).map((m) => m.id);
    for (const id of saved) assert.ok(ids.includes(id), `model ${id} was answered 201 and must survive`);
    // Nothing half-written: every stored model is whole.
    for (const model of listModels(db, 1)) assert.ok(model.pipeline.centroids.length >= 2);
    db.close();

    const again = await startServerProcess(dbPath, { WORKERS: '0' });
    const listed = (await (await fetch(`${again.base}/api/models?dataset=1`)).json()) as { id: number }[];
    assert.ok(saved.every((id) => listed.some((m) => m.id === id)));
    again.child.kill('SIGTERM');
    assert.equal((await again.exited).code, 0);
  });

  it('on SIGTERM finishes the request in flight, ends live-update streams and exits 0', async () => {
    const server = await startServerProcess(join(dir, 'drain.db'), { WORKERS: '1' });
    const stream = await fetch(`${server.base}/events?dataset=1`);
    assert.equal(stream.status, 200);
    let fitStarted!: () => void;
    const running = new Promise<void>((resolve) => { fitStarted = resolve; });
    const streamEnded = (async () => {
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return true;
        if (decoder.decode(value, { stream: true }).includes('event: progress')) fitStarted();
      }
    })();
    // A fit of a browser view, whose steps the stream reports: the signal arrives once it runs.
    const slow = fetch(`${server.base}/clusters?k=9&nInit=50&seed=17`, { headers: { 'HX-Request': 'true', 'X-View-Id': 'drain-test' } });
    await running;
    server.child.kill('SIGTERM');
    const res = await slow;
    assert.equal(res.status, 200, 'the request in flight was answered');
    assert.match(await res.text(), /data-k="9"/);
    assert.equal(await streamEnded, true, 'the event stream was closed');
    const exit = await server.exited;
    assert.equal(exit.code, 0, server.output());
    assert.match(server.output(), /Shutting down/);
    await assert.rejects(fetch(`${server.base}/healthz`), 'no new connections after shutdown');
  });
});
