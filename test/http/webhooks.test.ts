/**
 * Webhooks: managed over the API and the models panel, each delivery posted to a real HTTP
 * receiver, signed, tried again on failure under the same id, and given up after a day.
 * The sender runs on a hand-moved clock: retries happen when the test says the time came.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { WebhookSender } from '../../server/webhooks/webhook-sender.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { createTestApp, type TestApp } from './harness.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers each request with the next status of `answers` (the last one repeats). */
class Receiver {
  readonly received: Received[] = [];
  answers: number[] = [200];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body });
      const status = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
      res.writeHead(status).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const SECRET = 'a-shared-secret-42';
const customer = (id: string) => ({
  customer_id: id,
  age: 31,
  gender: 'Female',
  annual_income: 88000,
  spending_score: 64,
  membership_years: 3,
  purchase_frequency: 12,
  last_purchase_amount: 240,
  preferred_category: 'Electronics',
});

let t: TestApp;
let receiver: Receiver;
let url: string;
let model: { id: number; name: string; segmentNames: string[] };
const logged: string[] = [];

before(async () => {
  t = await createTestApp();
  receiver = new Receiver();
  url = await receiver.listen();
  model = (await request(t.app).post('/api/models?dataset=1&k=4&name=Hooked').expect(201)).body;
});
after(async () => {
  await receiver.close();
  t.close();
});
beforeEach(async () => {
  for (const hook of (await request(t.app).get('/api/webhooks').expect(200)).body) await request(t.app).delete(`/api/webhooks/${hook.id}`).expect(204);
  receiver.received.length = 0;
  receiver.answers = [200];
  logged.length = 0;
});

/** A sender on a clock that starts now (the registrations' records carry the real time). */
function senderNow(settings: { timeoutMs?: number } = {}): { clock: ManualClock; sender: WebhookSender } {
  const clock = new ManualClock(Date.now() + 1);
  return { clock, sender: new WebhookSender(t.db, { now: clock.now, timers: clock, log: (l) => logged.push(l), ...settings }) };
}

const deliveriesOf = async (id: number) => (await request(t.app).get(`/api/webhooks/${id}/deliveries`).expect(200)).body.deliveries;

describe('managing webhooks', () => {
  it('adds one, lists it and never shows its secret back', async () => {
    const added = await request(t.app).post('/api/webhooks').send({ url, secret: SECRET, events: ['segment.left', 'segment.entered'] }).expect(201);
    assert.deepEqual(Object.keys(added.body).sort(), ['events', 'id', 'url']);
    assert.deepEqual(added.body.events, ['segment.entered', 'segment.left']);
    const list = await request(t.app).get('/api/webhooks').expect(200);
    assert.equal(list.body.length, 1);
    assert.equal(list.body[0].url, url);
    assert.deepEqual(list.body[0].deliveries, { pending: 0, delivered: 0, failed: 0 });
    const panel = await request(t.app).get('/webhooks').set('HX-Request', 'true').expect(200);
    for (const text of [list.text, added.text, panel.text]) assert.ok(!text.includes(SECRET), 'the secret is not shown');
    assert.match(panel.text, /segment\.entered, segment\.left/);
  });

  it('refuses a bad URL, a short secret and unknown events with what to fix', async () => {
    const cases: [unknown, RegExp][] = [
      [{ url: 'ftp://example.com', secret: SECRET, events: ['segment.entered'] }, /http:\/\/ or https:\/\/ URL/],
      [{ url: 'not a url', secret: SECRET, events: ['segment.entered'] }, /http:\/\/ or https:\/\/ URL/],
      [{ url, secret: 'short', events: ['segment.entered'] }, /secret of 8 to 200 characters/],
      [{ url, secret: SECRET, events: [] }, /Choose the events/],
      [{ url, secret: SECRET, events: ['segment.exploded'] }, /Unknown event "segment.exploded"/],
    ];
    for (const [body, message] of cases) {
      const res = await request(t.app).post('/api/webhooks').send(body as object).expect(400);
      assert.match(res.body.error, message);
    }
    assert.deepEqual((await request(t.app).get('/api/webhooks').expect(200)).body, []);
    await request(t.app).delete('/api/webhooks/999').expect(404);
    await request(t.app).get('/api/webhooks/999/deliveries').expect(404);
  });

  it('adds and deletes from the models panel, keeping a refused form filled in but for the secret', async () => {
    const refused = await request(t.app).post('/webhooks').set('HX-Request', 'true').type('form').send({ url, secret: 'short', events: 'segment.left' }).expect(400);
    assert.match(refused.text, /secret of 8 to 200 characters/);
    assert.match(refused.text, new RegExp(`value="${url}"`));
    assert.match(refused.text, /value="segment.left" checked/);
    const added = await request(t.app).post('/webhooks').set('HX-Request', 'true').type('form').send(`url=${encodeURIComponent(url)}&secret=${SECRET}&events=segment.left&events=model.retrained`).expect(201);
    assert.match(added.text, /segment\.left, model\.retrained/);
    const [hook] = (await request(t.app).get('/api/webhooks').expect(200)).body;
    assert.deepEqual(hook.events, ['segment.left', 'model.retrained']);
    const deleted = await request(t.app).post(`/webhooks/${hook.id}/delete`).set('HX-Request', 'true').expect(200);
    assert.match(deleted.text, /No webhooks yet/);
  });
});

describe('deliveries', () => {
  it('posts a registration signed, tries again after a failure under the same id, and records each attempt', async () => {
    const hook = (await request(t.app).post('/api/webhooks').send({ url, secret: SECRET, events: ['segment.entered'] }).expect(201)).body;
    receiver.answers = [500, 200];
    const [registered] = (await request(t.app).post('/api/customers').send(customer('WH-0001')).expect(201)).body.customers;
    const { clock, sender } = senderNow();
    assert.equal(await sender.sendDue(), 1);
    assert.equal(receiver.received.length, 1);
    let [delivery] = await deliveriesOf(hook.id);
    assert.equal(delivery.state, 'pending');
    assert.equal(delivery.attempts[0].status, 500);
    assert.match(delivery.attempts[0].error, /HTTP 500/);

    clock.advance(4_000);
    assert.equal(await sender.sendDue(), 0, 'not before the retry is due');
    clock.advance(1_000);
    assert.equal(await sender.sendDue(), 1, 'the first retry within 10 s');
    [delivery] = await deliveriesOf(hook.id);
    assert.equal(delivery.state, 'delivered');
    assert.deepEqual(delivery.attempts.map((a: { status: number }) => a.status), [500, 200]);

    const [first, second] = receiver.received;
    assert.equal(first.body, second.body, 'every retry sends the same bytes');
    assert.equal(first.headers['x-segments-delivery'], second.headers['x-segments-delivery']);
    for (const r of receiver.received) {
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['x-segments-event'], 'segment.entered');
      const expected = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
      assert.equal(r.headers['x-segments-signature'], expected, 'signed with the secret over the raw body');
    }
    const body = JSON.parse(first.body);
    assert.equal(body.id, first.headers['x-segments-delivery']);
    assert.deepEqual({ ...body, id: undefined, at: undefined }, {
      id: undefined,
      at: undefined,
      event: 'segment.entered',
      model: model.id,
      modelName: 'Hooked',
      customer: 'WH-0001',
      segment: registered.segment,
      segmentName: model.segmentNames[registered.segment],
    });
    const feed = (await request(t.app).get(`/api/models/${model.id}/changes?limit=10000`).expect(200)).body.changes;
    const entry = feed.find((c: { customerId: string }) => c.customerId === 'WH-0001');
    assert.equal(body.at, entry.at, 'exactly as the change feed recorded it');
    assert.equal(body.segment, entry.to);
  });

  it('tries again after a refused connection and after a receiver that does not answer', async () => {
    const closed = new Receiver();
    const closedUrl = await closed.listen();
    await closed.close();
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const refusedHook = (await request(t.app).post('/api/webhooks').send({ url: closedUrl, secret: SECRET, events: ['segment.entered'] }).expect(201)).body;
      const silentHook = (await request(t.app).post('/api/webhooks').send({ url: silentUrl, secret: SECRET, events: ['segment.entered'] }).expect(201)).body;
      await request(t.app).post('/api/customers').send(customer('WH-0002')).expect(201);
      const { sender } = senderNow({ timeoutMs: 300 });
      assert.equal(await sender.sendDue(), 2);
      const [refused] = await deliveriesOf(refusedHook.id);
      assert.equal(refused.state, 'pending');
      assert.deepEqual(refused.attempts.map((a: { status: number | null }) => a.status), [null]);
      assert.match(refused.attempts[0].error, /refused/);
      const [timedOut] = await deliveriesOf(silentHook.id);
      assert.equal(timedOut.state, 'pending');
      assert.match(timedOut.attempts[0].error, /No answer within 0\.3 s/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('backs off, and gives up a day after the change, saying so in the log', async () => {
    const hook = (await request(t.app).post('/api/webhooks').send({ url, secret: SECRET, events: ['segment.entered'] }).expect(201)).body;
    receiver.answers = [503];
    await request(t.app).post('/api/customers').send(customer('WH-0003')).expect(201);
    const { clock, sender } = senderNow();
    const attemptTimes: number[] = [];
    // Each round moves the clock to the next attempt the sender set, a second short of it first.
    for (let round = 0; round < 100; round++) {
      assert.equal(await sender.sendDue(), 1);
      attemptTimes.push(clock.now());
      const [delivery] = await deliveriesOf(hook.id);
      if (delivery.state !== 'pending') break;
      clock.advance(Date.parse(delivery.nextAttemptAt) - clock.now() - 1_000);
      assert.equal(await sender.sendDue(), 0, 'not before it is due');
      clock.advance(1_000);
    }
    const [delivery] = await deliveriesOf(hook.id);
    assert.equal(delivery.state, 'failed');
    assert.equal(delivery.attempts.length, attemptTimes.length);
    const gaps = attemptTimes.slice(1).map((t, i) => t - attemptTimes[i]);
    assert.deepEqual(gaps.slice(0, 4), [5_000, 10_000, 20_000, 40_000], 'backing off');
    assert.ok(gaps.every((g) => g <= 60 * 60_000), 'at least once an hour');
    assert.ok(attemptTimes.at(-1)! - attemptTimes[0] <= 24 * 60 * 60_000);
    assert.equal(logged.length, 1);
    assert.match(logged[0], new RegExp(`Webhook delivery ${delivery.id} \\(segment.entered\\) to ${url} failed ${attemptTimes.length} times over a day; giving up`));
  });

  it('announces an activation and a retrain, and each customer they move as an exit and an entry', async () => {
    const hook = (await request(t.app).post('/api/webhooks').send({ url, secret: SECRET, events: ['segment.entered', 'segment.left', 'model.activated', 'model.retrained'] }).expect(201)).body;
    const second = (await request(t.app).post('/api/models?dataset=1&k=3&name=Second').expect(201)).body;
    assert.equal((await deliveriesOf(hook.id)).length, 0, 'saving a segmentation that does not assign changes nothing');
    await request(t.app).post(`/api/models/${second.id}/activate`).expect(200);
    const since = async () => (await request(t.app).get(`/api/models/${second.id}/changes?limit=10000`).expect(200)).body.changes;
    const feed = await since();
    const { clock, sender } = senderNow();
    await sender.sendDue();
    const bodies = receiver.received.map((r) => JSON.parse(r.body));
    const activated = bodies.filter((b) => b.event === 'model.activated');
    assert.equal(activated.length, 1);
    assert.equal(activated[0].model, second.id);
    const entered = bodies.filter((b) => b.event === 'segment.entered');
    assert.equal(entered.length, feed.length, 'one entry per customer the feed lists');
    assert.deepEqual(entered.map((b) => `${b.customer}:${b.segment}`).sort(), feed.map((c: { customerId: string; to: number }) => `${c.customerId}:${c.to}`).sort());
    await request(t.app).post(`/api/models/${second.id}/activate`).expect(200);
    clock.advance(60_000);
    assert.equal(await sender.sendDue(), 0, 'activating the active segmentation again announces nothing');

    await request(t.app).post(`/api/models/${model.id}/activate`).expect(200);
    // A crowd of middle-aged, mid-income customers: the refit moves the segments, and with them some customers.
    const newcomers = Array.from({ length: 300 }, (_, i) => ({ ...customer(`NEW-${i}`), age: 45 + (i % 3), annual_income: 90000 + 10 * i, spending_score: 50 + (i % 3) }));
    await request(t.app).post('/api/customers').send(newcomers).expect(201);
    const seen = (await request(t.app).get(`/api/models/${model.id}/changes?limit=10000`).expect(200)).body.changes.at(-1).seq;
    clock.advance(60_000);
    await sender.sendDue();
    receiver.received.length = 0;
    const answer = (await request(t.app).post(`/api/models/${model.id}/retrain`).expect(200)).body;
    assert.equal(answer.accepted, true, answer.reason);
    const moves = (await request(t.app).get(`/api/models/${model.id}/changes?since=${seen}&limit=10000`).expect(200)).body.changes;
    assert.ok(moves.length > 0 && moves.every((c: { cause: string }) => c.cause === 'retrain'), 'the retrain moved customers');
    clock.advance(60_000);
    await sender.sendDue();
    const sent = receiver.received.map((r) => JSON.parse(r.body));
    assert.equal(sent.filter((b) => b.event === 'model.retrained' && b.model === model.id).length, 1);
    const moved = sent.filter((b) => b.event.startsWith('segment.') && b.model === model.id);
    const expected = moves.flatMap((m: { customerId: string; from: number; to: number }) => [`segment.left:${m.customerId}:${m.from}`, `segment.entered:${m.customerId}:${m.to}`]);
    assert.deepEqual(moved.map((b) => `${b.event}:${b.customer}:${b.segment}`).sort(), expected.sort(), 'an exit and an entry for each move, as the feed records it');
    assert.ok((await deliveriesOf(hook.id)).every((d: { state: string }) => d.state === 'delivered'));
  });
});

describe('webhooks behind the dashboard password', () => {
  it('lets only an authenticated user list, add or delete them', async () => {
    const password = 'correct horse battery staple';
    const locked = await createTestApp({ auth: { password } });
    try {
      const bearer = { Authorization: `Bearer ${password}` };
      await request(locked.app).post('/api/webhooks').send({ url, secret: SECRET, events: ['segment.entered'] }).expect(401);
      await request(locked.app).get('/api/webhooks').expect(401);
      await request(locked.app).get('/webhooks').set('HX-Request', 'true').expect(401);
      const added = await request(locked.app).post('/api/webhooks').set(bearer).send({ url, secret: SECRET, events: ['segment.entered'] }).expect(201);
      await request(locked.app).get(`/api/webhooks/${added.body.id}/deliveries`).expect(401);
      await request(locked.app).delete(`/api/webhooks/${added.body.id}`).expect(401);
      assert.equal((await request(locked.app).get('/api/webhooks').set(bearer).expect(200)).body.length, 1, 'still there');
      await request(locked.app).delete(`/api/webhooks/${added.body.id}`).set(bearer).expect(204);
    } finally {
      locked.close();
    }
  });
});
