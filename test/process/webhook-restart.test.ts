/**
 * A delivery pending when the server is killed is sent after it starts again: the outbox is
 * in the database, written with the change, and the restarted sender picks it up.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-webhook-'));
const servers: ServerProcess[] = [];
const receiver = createServer();
after(() => {
  for (const s of servers) s.child.kill('SIGKILL');
  receiver.closeAllConnections();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'restart-secret-123';

/** Asks until `ready` answers something, or fails after a generous bound (a hang, not a speed check). */
async function waitFor<T>(what: string, ready: () => Promise<T | undefined>, boundMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await ready();
    if (value !== undefined) return value;
    if (Date.now() - started > boundMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Delivery {
  id: string;
  state: string;
  attempts: { status: number | null; error: string | null }[];
}

describe('webhook deliveries across a kill', () => {
  it('sends the delivery a killed server left pending once it runs again, under the same id and signature', { timeout: 180_000 }, async () => {
    // A port with nothing on it yet: the first attempt is refused.
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/segments`;

    const dbPath = join(dir, 'hooks.db');
    const first = await startServerProcess(dbPath, { WORKERS: '0' });
    servers.push(first);
    const post = (path: string, body?: unknown) =>
      fetch(`${first.base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal((await post('/api/models?dataset=1&k=4&name=Restart')).status, 201);
    const hook = (await (await post('/api/webhooks', { url, secret: SECRET, events: ['segment.entered'] })).json()) as { id: number };
    const customer = { customer_id: 'KILL-1', age: 40, gender: 'Male', annual_income: 70000, spending_score: 40, membership_years: 2, purchase_frequency: 9, last_purchase_amount: 120, preferred_category: 'Groceries' };
    assert.equal((await post('/api/customers', customer)).status, 201);
    const deliveriesAt = async (base: string) =>
      ((await (await fetch(`${base}/api/webhooks/${hook.id}/deliveries`)).json()) as { deliveries: Delivery[] }).deliveries;
    const refused = await waitFor('the first attempt', async () => {
      const [d] = await deliveriesAt(first.base);
      return d && d.attempts.length > 0 ? d : undefined;
    });
    assert.equal(refused.state, 'pending');
    assert.match(refused.attempts[0].error!, /refused/);

    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    receiver.on('request', (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));

    const second = await startServerProcess(dbPath, { WORKERS: '0' });
    servers.push(second);
    const [got] = await waitFor('the delivery after the restart', async () => (received.length > 0 ? received : undefined));
    assert.equal(got.headers['x-segments-delivery'], refused.id, 'the same delivery, under the same id');
    assert.equal(got.headers['x-segments-signature'], `sha256=${createHmac('sha256', SECRET).update(got.body).digest('hex')}`);
    const body = JSON.parse(got.body) as { id: string; event: string; customer: string };
    assert.deepEqual([body.id, body.event, body.customer], [refused.id, 'segment.entered', 'KILL-1']);
    const delivered = await waitFor('the delivery recorded as sent', async () => {
      const [d] = await deliveriesAt(second.base);
      return d?.state === 'delivered' ? d : undefined;
    });
    assert.deepEqual(delivered.attempts.map((a) => a.status), [null, 204]);
    assert.equal(received.length, 1, 'sent once');
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
