import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { COALESCE_MS, LiveEvents } from '../../server/live/live-events.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { ManualClock } from '../support/manual-clock.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const customer = { age: 41, gender: 'Female', annual_income: 115000, spending_score: 84, membership_years: 6, purchase_frequency: 9.5, last_purchase_amount: 480, preferred_category: 'Electronics' };
const rowCount = async () => (await request(t.app).get('/api/datasets')).body[0].rowCount as number;

/** The app on an ephemeral loopback port, with its own event hub on a clock the test moves. */
async function listen(): Promise<{ app: ReturnType<typeof createApp>; events: LiveEvents; clock: ManualClock; port: number; stop: () => Promise<void> }> {
  const clock = new ManualClock();
  const events = new LiveEvents(clock);
  const app = createApp({ db: t.db, events });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    app, events, clock, port,
    stop: async () => {
      events.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Calls `onMessage` with each server-sent message of a stream, as its text. */
function eachMessage(res: http.IncomingMessage, onMessage: (message: string) => void): void {
  res.setEncoding('utf8');
  let buffer = '';
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      onMessage(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  });
}

/** Resolves once `check` holds, looking again at each turn of the event loop; fails after 10 s (a hang). */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const giveUp = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > giveUp) throw new Error(`never: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Reads server-sent events from a running server until `count` have arrived; `connected` once its hello came. */
function collectEvents(url: string, count: number): { events: Promise<string[]>; connected: Promise<void>; received: string[]; close: () => void } {
  let req: http.ClientRequest;
  const received: string[] = [];
  let hello!: () => void;
  const connected = new Promise<void>((resolve) => { hello = resolve; });
  const events = new Promise<string[]>((resolve, reject) => {
    req = http.get(url, (res) => eachMessage(res, (message) => {
      if (message.includes('event: hello')) hello();
      if (message.includes('event: data-changed')) received.push(message);
      if (received.length >= count) resolve(received);
    }));
    req.on('error', reject);
    // Fails in seconds instead of waiting for the runner's timeout.
    setTimeout(() => reject(new Error(`${received.length} of ${count} events arrived`)), 5000).unref();
  });
  return { events, connected, received, close: () => req.destroy() };
}

describe('registering customers', () => {
  it('stores one customer with its segment and bumps the dataset version', async () => {
    const before = (await request(t.app).get('/api/datasets')).body[0];
    const res = await request(t.app).post('/api/customers?k=4').send(customer).expect(201);
    assert.equal(res.body.customers.length, 1);
    const [registered] = res.body.customers;
    assert.equal(typeof registered.id, 'number');
    assert.ok(registered.segment >= 0 && registered.segment < 4);
    assert.match(registered.name, /high/i);
    const after = (await request(t.app).get('/api/datasets')).body[0];
    assert.equal(after.rowCount, before.rowCount + 1);
    assert.equal(after.version, before.version + 1);
    const stored = t.db.prepare('SELECT segment, segment_name FROM customer_segments WHERE row_id = ?').get(registered.id) as { segment: number; segment_name: string };
    assert.deepEqual(stored, { segment: registered.segment, segment_name: registered.name });
    // The segmentation follows: the new customer is counted without a refit.
    const seg = await request(t.app).get('/api/segments?k=4').expect(200);
    assert.equal(seg.body.segments.reduce((s: number, x: { size: number }) => s + x.size, 0), after.rowCount);
    assert.ok(seg.body.notes.some((n: string) => /Assigned without refitting/.test(n)));
  });

  it('registers an array of customers and predicts each as /api/predict does', async () => {
    const young = { age: 23, annual_income: 38000, spending_score: 80, membership_years: 1, purchase_frequency: 13, last_purchase_amount: 100 };
    const res = await request(t.app).post('/api/customers?k=4').send([customer, young]).expect(201);
    assert.equal(res.body.customers.length, 2);
    const predicted = await request(t.app).post('/api/predict?k=4').send({ customer: young }).expect(200);
    assert.equal(res.body.customers[1].segment, predicted.body.segment);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['an unknown field', { ...customer, shoe_size: 44 }, /unknown field "shoe_size"/],
    ['a wrong type', { ...customer, age: 'forty' }, /"age" must be a number/],
    ['an out-of-range value', { ...customer, spending_score: 5000 }, /"spending_score" must be between/],
    ['a negative age', { ...customer, age: -5 }, /"age" must be between 0 and/],
    ['an empty body', {}, /Send one customer/],
    ['an empty array', [], /empty/],
    ['a bad customer in a batch', [customer, { ...customer, gender: 42 }], /customer 2: "gender" must be text/],
    ['every problem of a customer at once', { ...customer, age: 'forty', spending_score: 5000, shoe_size: 44, eye_colour: 'blue' },
      /^"age" must be a number; "spending_score" must be between .*; unknown fields "shoe_size", "eye_colour"; the dataset's columns are customer_id, age/],
    ['the problems of every customer in a batch', [{ ...customer, age: 'x' }, customer, { ...customer, gender: 42, hat: 1 }],
      /^customer 1: "age" must be a number; customer 3: "gender" must be text; customer 3: unknown field "hat"/],
    ['a flood of problems, counted beyond ten', Array.from({ length: 14 }, () => ({ ...customer, age: 'x' })), /customer 10: "age" must be a number; and 4 more problems\.$/],
  ];
  for (const [what, body, message] of invalid) {
    it(`rejects ${what}, naming the field, and stores nothing`, async () => {
      const before = await rowCount();
      const res = await request(t.app).post('/api/customers').send(body as object).expect(400);
      assert.match(res.body.error, message);
      assert.equal(await rowCount(), before);
    });
  }

  it('rejects a 10 MB body with 413 and stores nothing', async () => {
    const before = await rowCount();
    const huge = JSON.stringify([{ ...customer, gender: 'x'.repeat(10 * 1024 * 1024) }]);
    const res = await request(t.app).post('/api/customers').set('Content-Type', 'application/json').send(huge).expect(413);
    assert.match(res.body.error, /too large/);
    assert.equal(await rowCount(), before);
  });

  it('registers from the Predict form and answers with the segment', async () => {
    const res = await request(t.app).post('/customers').set('HX-Request', 'true').type('form')
      .send({ dataset: '1', k: '4', 'c:age': '30', 'c:annual_income': '50000', 'c:spending_score': '40', 'c:membership_years': '3', 'c:purchase_frequency': '5', 'c:last_purchase_amount': '120' })
      .expect(201);
    assert.match(res.text, /Registered customer #\d+ in segment <strong>\d\./);
  });
});

describe('live updates', { timeout: 30_000 }, () => {
  it('sends a server-sent event to every listener after a registration, coalescing a burst', async () => {
    const { app, events, clock, port, stop } = await listen();
    try {
      const first = collectEvents(`http://127.0.0.1:${port}/events?dataset=1`, 1);
      const second = collectEvents(`http://127.0.0.1:${port}/events`, 1);
      await Promise.all([first.connected, second.connected]);
      assert.equal(events.clientCount, 2);
      await Promise.all([1, 2, 3].map(() => request(app).post('/api/customers?k=4').send(customer).expect(201)));
      assert.equal(clock.waiting, 1, 'the burst of three registrations waits as one event');
      clock.advance(COALESCE_MS);
      const [a, b] = await Promise.all([first.events, second.events]);
      const data = JSON.parse(/data: (.*)/.exec(a[0])![1]);
      assert.equal(data.dataset, 1);
      assert.equal(data.version, (await request(app).get('/api/datasets')).body[0].version);
      assert.equal(b.length, 1);
      assert.equal(clock.waiting, 0, 'and nothing more is on its way');
      assert.equal(first.received.length, 1);
      first.close();
      second.close();
      await eventually(() => events.clientCount === 0, 'closed connections are dropped');
    } finally {
      await stop();
    }
  });
});

describe('reconnecting event streams', { timeout: 30_000 }, () => {
  it('sends a client that missed events the latest one at once', async () => {
    const { events, clock, port, stop } = await listen();
    try {
      events.notify(1, 99);
      clock.advance(COALESCE_MS);
      const message = await new Promise<string>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/events?dataset=1', headers: { 'Last-Event-ID': '0' } }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (chunk.includes('data-changed')) {
              resolve(chunk);
              req.destroy();
            }
          });
        });
        req.on('error', reject);
        setTimeout(() => {
          req.destroy();
          reject(new Error('no event replayed'));
        }, 5000).unref();
      });
      assert.match(message, /"version":99/);
    } finally {
      await stop();
    }
  });
});

/** The first `count` messages of an event stream, each as its text. */
function readMessages(port: number, path: string, headers: Record<string, string>, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const messages: string[] = [];
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => eachMessage(res, (message) => {
      if (/^(event|data|id):/m.test(message)) messages.push(message);
      if (messages.length === count) {
        req.destroy();
        resolve(messages);
      }
    }));
    req.on('error', (error) => (messages.length >= count ? undefined : reject(error)));
    setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${messages.length} of ${count} messages: ${messages.join(' | ')}`));
    }, 3000).unref();
  });
}

/** A listening app whose hub has sent one event for each [dataset, version], then `check` runs against it. */
async function afterEvents(sent: [number, number][], check: (hub: Awaited<ReturnType<typeof listen>>) => Promise<void>): Promise<void> {
  const hub = await listen();
  try {
    for (const [dataset, version] of sent) {
      hub.events.notify(dataset, version);
      hub.clock.advance(COALESCE_MS);
    }
    await check(hub);
  } finally {
    await hub.stop();
  }
}

describe('what a stream tells a page that reconnects', () => {
  it('opens with a hello naming this server process and the latest event id per dataset', () => afterEvents([[1, 7]], async ({ events, port }) => {
      const [hello] = await readMessages(port, '/events?dataset=1', {}, 1);
      assert.match(hello, /^event: hello$/m);
      const data = JSON.parse(/data: (.*)/.exec(hello)![1]) as { boot: string; latest: Record<string, number> };
      assert.equal(data.boot, events.boot);
      assert.deepEqual(data.latest, { 1: 1 });
      assert.deepEqual(events.snapshot(), { boot: events.boot, latest: { 1: 1 } });
  }));

  it('replays only what an id of this boot missed, and everything for an id of another boot', () => afterEvents([[1, 7], [2, 3]], async ({ events, port }) => {
      const missedOne = await readMessages(port, '/events', { 'Last-Event-ID': `${events.boot}:1` }, 2);
      assert.match(missedOne[1], new RegExp(`^id: ${events.boot}:2$`, 'm'));
      assert.match(missedOne[1], /"dataset":2/);
      const otherBoot = await readMessages(port, `/events?lastEventId=${encodeURIComponent('0123abcd:9')}`, {}, 3);
      assert.deepEqual(otherBoot.slice(1).map((m) => /"dataset":(\d+)/.exec(m)![1]).sort(), ['1', '2']);
  }));

  it('renders each page with the boot and latest event id it was served under', () => afterEvents([[1, 7]], async ({ app, events }) => {
      const page = await request(app).get('/?k=4').expect(200);
      assert.match(page.text, new RegExp(`<div id="live" data-dataset="1" data-boot="${events.boot}" data-seen="1" hidden>`));
      assert.match(page.text, /id="live-status"[^>]*>Connecting…</);
      assert.doesNotMatch(page.text, /hx-sse/);
  }));
});
