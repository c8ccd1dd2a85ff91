/** Access control, CSRF, security headers and limits, as a browser or a script meets them. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { DEFAULT_DATASET_PATH } from '../../server/config.ts';
import { openDatabase, type Db } from '../../server/store/db.ts';
import { seedDefaultDataset } from '../../server/ingest/seed.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { ManualClock } from '../support/manual-clock.ts';

/** The CSRF cookie and the page's meta token, as a browser would hold them. */
async function browserToken(app: TestApp['app'], path = '/datasets'): Promise<{ cookie: string; token: string }> {
  const page = await request(app).get(path).expect(200);
  const token = page.text.match(/<meta name="csrf-token" content="([^"]+)"/)![1];
  const set = (page.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('cs_csrf='));
  return { cookie: set!.split(';')[0], token };
}

describe('security headers', () => {
  let t: TestApp;
  before(async () => (t = await createTestApp()));
  after(() => t.close());

  it('sends a strict Content-Security-Policy without unsafe-inline or unsafe-eval', async () => {
    const res = await request(t.app).get('/').expect(200);
    const csp = res.headers['content-security-policy'];
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('renders pages without inline scripts, inline styles or event-handler attributes', async () => {
    for (const path of ['/', '/clusters', '/predict', '/datasets']) {
      const html = (await request(t.app).get(path).expect(200)).text;
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: inline script`);
      assert.doesNotMatch(html, /<style|\sstyle="/, `${path}: inline style`);
      assert.doesNotMatch(html, /\son[a-z]+="/, `${path}: event handler attribute`);
      assert.doesNotMatch(html, /hx-on|js:/, `${path}: htmx expression needing eval`);
    }
  });
});

describe('CSRF protection', () => {
  let t: TestApp;
  before(async () => (t = await createTestApp()));
  after(() => t.close());
  const customer = { dataset: '1', k: '4', 'c:age': '30', 'c:annual_income': '50000', 'c:spending_score': '40', 'c:membership_years': '3', 'c:purchase_frequency': '5', 'c:last_purchase_amount': '120' };

  it('refuses a browser form post from another site (no token) with 403 and a message', async () => {
    const res = await request(t.app).post('/customers').set('Origin', 'https://evil.example').set('HX-Request', 'true').type('form').send(customer).expect(403);
    assert.match(res.text, /security token/);
    const countRes = await request(t.app).get('/api/datasets').expect(200);
    assert.equal((countRes.body as { rowCount: number }[])[0].rowCount, 2400, 'nothing was registered');
  });

  it('refuses a token that does not match the cookie', async () => {
    const { cookie } = await browserToken(t.app);
    await request(t.app).post('/customers').set('Cookie', cookie).set('Origin', 'http://127.0.0.1').set('X-CSRF-Token', 'x'.repeat(43)).type('form').send(customer).expect(403);
  });

  it('accepts the page\'s token sent as the X-CSRF-Token header', async () => {
    const { cookie, token } = await browserToken(t.app);
    const res = await request(t.app).post('/customers').set('Cookie', cookie).set('Origin', 'http://127.0.0.1').set('HX-Request', 'true').set('X-CSRF-Token', token).type('form').send(customer);
    assert.equal(res.status, 201, res.text.slice(0, 600));
    assert.match(res.text, /Registered customer #\d+/);
  });

  it('needs the token for JSON API calls from a browser too', async () => {
    await request(t.app).post('/api/predict').set('Sec-Fetch-Site', 'cross-site').send({ customer: { age: 30 } }).expect(403);
  });
});

describe('access control with DASHBOARD_PASSWORD', () => {
  let dir: string;
  let db: Db;
  let app: ReturnType<typeof createApp>;
  const password = 'correct horse battery staple';
  const clock = new ManualClock();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cs-auth-'));
    db = openDatabase(join(dir, 'auth.db'));
    await seedDefaultDataset(db, DEFAULT_DATASET_PATH, 'Sample customers');
    app = createApp({ db, auth: { password, failureDelayMs: 300, now: clock.now }, trustProxy: 1 });
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends people to the login page and programs a 401', async () => {
    const page = await request(app).get('/clusters?k=3').expect(303);
    assert.equal(page.headers.location, '/login?next=%2Fclusters%3Fk%3D3');
    const api = await request(app).get('/api/segments').expect(401);
    assert.match(api.body.error, /Bearer/);
    assert.match(api.headers['www-authenticate'], /^Bearer/);
    const htmx = await request(app).get('/clusters').set('HX-Request', 'true').expect(401);
    assert.match(htmx.headers['hx-redirect'], /^\/login/);
    await request(app).get('/events?dataset=1').expect(401);
    await request(app).get('/export/segments.csv').expect(303);
  });

  it('keeps the login page, static files and the health check open', async () => {
    const login = await request(app).get('/login').expect(200);
    assert.match(login.text, /type="password"/);
    assert.doesNotMatch(login.text, /Sign out/);
    await request(app).get('/static/app.css').expect(200);
    await request(app).get('/healthz').expect(200);
  });

  it('accepts the password as a bearer token on the API, compared exactly', async () => {
    await request(app).get('/api/segments?k=3').set('Authorization', `Bearer ${password}`).expect(200);
    await request(app).get('/api/segments?k=3').set('Authorization', `Bearer ${password}x`).expect(401);
    // A wrong bearer password locks the address out as a failed login does (300 ms here, doubling).
    await request(app).get('/api/segments?k=3').set('Authorization', `Bearer ${password}`).expect(429);
    clock.advance(300);
    await request(app).get('/api/segments?k=3').set('Authorization', `Bearer ${password.slice(0, -1)}`).expect(401);
    clock.advance(599);
    await request(app).get('/api/segments?k=3').set('Authorization', `Bearer ${password}`).expect(429);
    clock.advance(1);
    await request(app).post('/api/predict').set('Authorization', `Bearer ${password}`).send({ customer: { age: 30, annual_income: 50000, spending_score: 50 } }).expect((res) => assert.notEqual(res.status, 401));
  });

  it('slows down failed logins, then signs in with a strict session cookie', async () => {
    const { cookie, token } = await browserToken(app, '/login');
    const form = (pw: string) => request(app).post('/login').set('Cookie', cookie).set('Origin', 'http://127.0.0.1').type('form').send({ password: pw, next: '/clusters', _csrf: token });
    const wrong = await form('guess').expect(401);
    assert.match(wrong.text, /not right/);
    const locked = await form(password).expect(429);
    assert.ok(Number(locked.headers['retry-after']) >= 1);
    assert.match(locked.text, /Too many failed attempts/);
    clock.advance(300);
    const ok = await form(password).expect(303);
    assert.equal(ok.headers.location, '/clusters');
    const session = (ok.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cs_session='))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Strict/);
    assert.doesNotMatch(session, /Secure/, 'plain HTTP: no Secure flag');
    const both = `${cookie}; ${session.split(';')[0]}`;
    const page = await request(app).get('/clusters?k=3').set('Cookie', both).expect(200);
    assert.match(page.text, /Sign out/);
    // Signing out ends the session.
    await request(app).post('/logout').set('Cookie', both).set('Origin', 'http://127.0.0.1').type('form').send({ _csrf: token }).expect(303);
    await request(app).get('/clusters').set('Cookie', both).expect(303);
  });

  it('marks the session cookie Secure behind an HTTPS proxy and never redirects off-site', async () => {
    const { cookie, token } = await browserToken(app, '/login');
    const res = await request(app).post('/login').set('X-Forwarded-Proto', 'https').set('X-Forwarded-For', '203.0.113.9').set('Cookie', cookie).set('Origin', 'https://dash.example')
      .type('form').send({ password, next: '//evil.example/', _csrf: token }).expect(303);
    assert.equal(res.headers.location, '/');
    assert.match((res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cs_session='))!, /Secure/);
  });

  it('keeps a signed-in session when the browser lost only its CSRF cookie (a restart)', async () => {
    const { cookie, token } = await browserToken(app, '/login');
    const ok = await request(app).post('/login').set('X-Forwarded-For', '203.0.113.11').set('Cookie', cookie).set('Origin', 'http://127.0.0.1')
      .type('form').send({ password, _csrf: token }).expect(303);
    const session = (ok.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cs_session='))!.split(';')[0];
    const page = await request(app).get('/datasets').set('Cookie', session).expect(200);
    assert.ok((page.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith('cs_csrf=')), 'a new CSRF cookie is issued');
  });

  it('refuses a login post without the CSRF token', async () => {
    await request(app).post('/login').set('Origin', 'https://evil.example').set('X-Forwarded-For', '203.0.113.10').type('form').send({ password }).expect(403);
  });
});

describe('limits', () => {
  let t: TestApp;
  before(async () => (t = await createTestApp()));
  after(() => t.close());

  it('bounds k, the number of features and the sweep range with a 400 and a message', async () => {
    assert.match((await request(t.app).get('/api/segments?k=21').expect(400)).body.error, /k must be at most 20/);
    const many = Array.from({ length: 51 }, (_, i) => `f${i}`).join(',');
    assert.match((await request(t.app).get(`/api/segments?features=${many}`).expect(400)).body.error, /at most 50 features|features/);
    assert.match((await request(t.app).get('/api/sweep?kMax=21').expect(400)).body.error, /kMax must be at most 20/);
  });

  it('refuses a JSON body over 2 MB with 413', async () => {
    const big = { customer: { note: 'x'.repeat(2_100_000) } };
    assert.match((await request(t.app).post('/api/predict').send(big).expect(413)).body.error, /too large/);
  });
});

describe('validation of every input', () => {
  let t: TestApp;
  before(async () => (t = await createTestApp()));
  after(() => t.close());

  const cases: [string, () => request.Test, number, RegExp][] = [
    ['unknown column', () => request(t.app).get('/api/segments?features=age,shoe_size'), 400, /shoe_size/],
    ['k out of range', () => request(t.app).get('/api/segments?k=1'), 400, /k must be at least 2/],
    ['non-numeric k', () => request(t.app).get('/api/segments?k=five'), 400, /k must be a number/],
    ['repeated parameter', () => request(t.app).get('/api/segments?k=3&k=4'), 400, /given more than once/],
    ['non-numeric seed', () => request(t.app).get('/api/sweep?seed=1e400'), 400, /seed/],
    ['unknown algorithm', () => request(t.app).get('/api/segments?algorithm=magic'), 400, /algorithm/],
    ['bad dataset id in the path', () => request(t.app).patch('/api/datasets/abc').send({ name: 'x' }), 404, /positive whole number/],
    ['rename without a name', () => request(t.app).patch('/api/datasets/1').send({ name: '   ' }), 400, /1 to 80 characters/],
    ['rename with a number', () => request(t.app).patch('/api/datasets/1').send({ name: 5 }), 400, /name must be text/],
    ['predict without a customer', () => request(t.app).post('/api/predict').send({ age: 3 }), 400, /"customer"/],
    ['predict with a nested value', () => request(t.app).post('/api/predict').send({ customer: { age: { $gt: 1 } } }), 400, /customer/],
    ['predict with a non-numeric feature', () => request(t.app).post('/api/predict?k=3').send({ customer: { age: 'old', annual_income: 1, spending_score: 1, membership_years: 1, purchase_frequency: 1, last_purchase_amount: 1 } }), 400, /age/],
    ['models of a dataset named by text', () => request(t.app).get('/api/models?dataset=first'), 400, /dataset must be a positive whole number/],
    ['model id that is not a number', () => request(t.app).get('/api/models/1.5'), 404, /positive whole number/],
    ['customer page that is not a number', () => request(t.app).get('/customers?page=-2').set('HX-Request', 'true'), 400, /page must be a whole number of at least 1/],
    ['sort direction', () => request(t.app).get('/customers?dir=sideways').set('HX-Request', 'true'), 400, /dir must be asc or desc/],
    ['event stream of a text dataset', () => request(t.app).get('/events?dataset=x'), 400, /dataset/],
    ['repeated form field', () => request(t.app).post('/customers').type('form').send('dataset=1&dataset=2&c:age=3'), 400, /once/],
  ];
  for (const [what, send, status, message] of cases) {
    it(`${what}: ${status} with a message`, async () => {
      const res = await send();
      assert.equal(res.status, status, `${what}: ${res.text.slice(0, 200)}`);
      assert.match(res.body?.error ?? res.text, message);
    });
  }
});
