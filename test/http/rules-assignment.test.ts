/**
 * "Use the rules": a saved segmentation switched to assign by its rules places every customer
 * exactly as rules.sql does, on every surface (exports, audiences, predictions, registrations,
 * score.sql), records the customers the switch moves, and keeps its rules while data arrives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';
import { dashboardRows, segmentsOnDashboard, storedAsWarehouse } from '../support/warehouse.ts';

let t: TestApp;
let model: { id: number; k: number; segmentNames: string[] };
before(async () => {
  t = await createTestApp();
  model = (await request(t.app).post('/api/models?dataset=1&k=4&name=By%20rules').expect(201)).body;
  await request(t.app).post(`/api/models/${model.id}/activate`).expect(200);
});
after(() => t.close());

interface Change {
  seq: number;
  customerId: string;
  from: number | null;
  to: number | null;
  cause: string;
}

const changes = async (since = 0): Promise<Change[]> =>
  (await request(t.app).get(`/api/models/${model.id}/changes?since=${since}&limit=10000`).expect(200)).body.changes;

/** The segment (1-based, as text; '' for none) an SQL file places each stored customer in, run in SQLite. */
async function sqlSegments(path: string): Promise<string[]> {
  const sql = (await request(t.app).get(path).expect(200)).text;
  const warehouse = storedAsWarehouse(t.db, 1, 'customers');
  try {
    return (warehouse.prepare(sql).all() as { segment: number | null }[]).map((r) => (r.segment === null ? '' : String(r.segment)));
  } finally {
    warehouse.close();
  }
}

const CUSTOMER = {
  age: 29,
  gender: 'Female',
  annual_income: 142000,
  spending_score: 91,
  membership_years: 1,
  purchase_frequency: 14,
  last_purchase_amount: 510,
  preferred_category: 'Electronics',
};

describe('assigning by the rules', { timeout: 240_000 }, () => {
  let byCentres: string[];
  let lastSeq: number;

  it('moves the customers the rules place elsewhere, on the feed and to webhooks, in the transaction of the switch', async () => {
    const described = (await request(t.app).get(`/api/models/${model.id}/rules`).expect(200)).body;
    assert.equal(described.assignedBy, 'centres');
    assert.equal((await request(t.app).get(`/api/models/${model.id}`).expect(200)).body.assignedBy, 'centres');
    byCentres = await segmentsOnDashboard(t.app, model.id);
    const hook = (
      await request(t.app)
        .post('/api/webhooks')
        .send({ url: 'http://127.0.0.1:9/never', secret: 'assignment-secret', events: ['segment.left', 'segment.entered'] })
    ).body;
    assert.ok(hook.id, JSON.stringify(hook));
    lastSeq = (await changes()).at(-1)!.seq;

    const switched = (await request(t.app).post(`/api/models/${model.id}/assignment`).send({ by: 'rules' }).expect(200)).body;
    assert.equal(switched.assignedBy, 'rules');
    const byRules = await segmentsOnDashboard(t.app, model.id);
    const moved = byRules.map((s, row) => (s !== byCentres[row] ? row : -1)).filter((row) => row >= 0);
    // The rules are not perfect (fidelity below 1): some customers move, most stay.
    assert.ok(moved.length > 0 && moved.length < byRules.length * (1 - described.fidelity) + 1, `${moved.length} moved`);
    const recorded = (await changes(lastSeq)).filter((c) => c.cause === 'assignment');
    assert.equal(recorded.length, moved.length);
    const ids = (await dashboardRows(t.app, model.id)).map(([id]) => id);
    assert.deepEqual(
      recorded.map((c) => [c.customerId, c.from, c.to]),
      moved.map((row) => [ids[row], Number(byCentres[row]) - 1, Number(byRules[row]) - 1]),
    );
    const [listed] = (await request(t.app).get('/api/webhooks').expect(200)).body;
    assert.equal(listed.deliveries.pending, 2 * moved.length, 'an exit and an entry per customer moved');
    await request(t.app).delete(`/api/webhooks/${hook.id}`).expect(204);

    // The rules adopted are the ones described, with the fidelity measured then.
    const adopted = (await request(t.app).get(`/api/models/${model.id}/rules`).expect(200)).body;
    assert.equal(adopted.assignedBy, 'rules');
    assert.equal(adopted.fidelity, described.fidelity);
    assert.deepEqual(adopted.segments, described.segments);
    // Asking again changes nothing and records nothing.
    lastSeq = (await changes()).at(-1)!.seq;
    await request(t.app).post(`/api/models/${model.id}/assignment`).send({ by: 'rules' }).expect(200);
    assert.equal((await changes(lastSeq)).length, 0);
  });

  it('places every customer as rules.sql and score.sql do, in exports, audiences and predictions', async () => {
    const dashboard = await segmentsOnDashboard(t.app, model.id);
    assert.deepEqual(await sqlSegments(`/api/models/${model.id}/rules.sql?dialect=sqlite&table=customers`), dashboard);
    assert.deepEqual(await sqlSegments(`/api/models/${model.id}/score.sql?dialect=sqlite&table=customers`), dashboard);
    const ids = (await dashboardRows(t.app, model.id)).map(([id]) => id);
    const audience = (await request(t.app).get(`/api/models/${model.id}/segments/1/members.csv`).expect(200)).text.trim().split('\n').slice(1);
    assert.deepEqual(
      audience.map((line) => line.split(',')[0]),
      ids.filter((_, row) => dashboard[row] === '2'),
    );
    // A customer of the file, typed in: the prediction is the rules', and names the rule.
    const predicted = (await request(t.app).post('/api/predict').send({ customer: CUSTOMER }).expect(200)).body;
    assert.equal(predicted.model.id, model.id);
    assert.equal(predicted.explanation, null);
    assert.match(predicted.rule, /annual_income|age|spending_score|gender|preferred_category|membership_years|purchase_frequency|last_purchase_amount|every customer/);
    const rules = (await request(t.app).get(`/api/models/${model.id}/rules`).expect(200)).body;
    const placing = rules.segments.find((s: { rules: { text: string }[] }) => s.rules.some((r) => r.text === predicted.rule));
    assert.equal(placing.index, predicted.segment, 'the rule named is one of the predicted segment');
    // The Predict tab says the same, in words.
    const typed = Object.entries(CUSTOMER).map(([name, value]) => `c:${name}=${encodeURIComponent(value)}`).join('&');
    const tab = await request(t.app).get(`/predict?dataset=1&${typed}`).set('HX-Request', 'true').expect(200);
    assert.match(tab.text, /4 segments, by its rules/);
    assert.ok(tab.text.includes(`meets the rule <strong>${predicted.rule.replaceAll('<', '&lt;')}</strong>`), predicted.rule);
    assert.doesNotMatch(tab.text, /id="prediction-why"/);
  });

  it('assigns registrations by the rules, and a retrain keeps the rules as the assignment', async () => {
    const before = (await changes()).at(-1)!.seq;
    for (let i = 0; i < 12; i++) {
      await request(t.app)
        .post('/api/customers')
        .send({ ...CUSTOMER, customer_id: `RULES-${i}`, age: 20 + i * 4, annual_income: 30000 + i * 9000 })
        .expect(201);
    }
    const registered = (await changes(before)).filter((c) => c.cause === 'registration');
    assert.equal(registered.length, 12);
    const dashboard = await segmentsOnDashboard(t.app, model.id);
    assert.deepEqual(await sqlSegments(`/api/models/${model.id}/rules.sql?dialect=sqlite&table=customers`), dashboard);
    const rows = await dashboardRows(t.app, model.id);
    for (const c of registered) assert.equal(rows.find(([id]) => id === c.customerId)![1], String(c.to! + 1), c.customerId);

    const answer = (await request(t.app).post(`/api/models/${model.id}/retrain`).expect(200)).body as { accepted: boolean };
    const retrained = (await request(t.app).get(`/api/models/${model.id}`).expect(200)).body;
    assert.equal(retrained.assignedBy, 'rules', `the assignment survives a retrain (accepted: ${answer.accepted})`);
    assert.deepEqual(
      await sqlSegments(`/api/models/${model.id}/rules.sql?dialect=sqlite&table=customers`),
      await segmentsOnDashboard(t.app, model.id),
    );
  });

  it('travels in the exported model: imported, it assigns by the same rules; a rule on an unknown feature is refused', async () => {
    const exported = (await request(t.app).get(`/api/models/${model.id}/export`).expect(200)).body;
    assert.ok(exported.rules.ordered.length >= model.k);
    const imported = (await request(t.app).post('/api/models/import?dataset=1&name=Imported%20rules').send(exported).expect(201)).body;
    assert.equal(imported.assignedBy, 'rules');
    assert.deepEqual(await segmentsOnDashboard(t.app, imported.id), await segmentsOnDashboard(t.app, model.id));
    const hostile = structuredClone(exported);
    hostile.rules.ordered[0].conditions = [{ feature: 'shoe_size', op: '>=', value: 40 }];
    const refused = await request(t.app).post('/api/models/import?dataset=1&name=Hostile').send(hostile).expect(400);
    assert.match(refused.body.error, /rules\.ordered\[0\]\.conditions\[0\] must compare a numeric feature/);
    const outOfRange = structuredClone(exported);
    outOfRange.rules.ordered[0].segment = model.k;
    assert.match((await request(t.app).post('/api/models/import?dataset=1&name=Hostile').send(outOfRange).expect(400)).body.error, /segment must be below/);
  });

  it('switches from the panel and the Clusters tab: back to the centres (score.sql with them), then to the rules again', async () => {
    const region = await request(t.app)
      .post(`/models/${model.id}/assignment`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ by: 'centres', region: 'cluster-rules' })
      .expect(200);
    assert.match(region.text, new RegExp(`id="cluster-rules-${model.id}"`));
    assert.match(region.text, /The centres assign “By rules” again/);
    assert.match(region.text, /value="centres" checked/);
    assert.equal((await request(t.app).get(`/api/models/${model.id}`).expect(200)).body.assignedBy, 'centres');
    assert.equal((await changes()).at(-1)!.cause, 'assignment');
    const centresSql = (await request(t.app).get(`/api/models/${model.id}/score.sql?dialect=sqlite`).expect(200)).text;
    assert.doesNotMatch(centresSql, /as rules/);
    // The panel's region says which assigns, and offers the other.
    const again = await request(t.app).post(`/models/${model.id}/assignment`).set('HX-Request', 'true').type('form').send({ by: 'rules' }).expect(200);
    assert.match(again.text, new RegExp(`id="model-rules-${model.id}"`));
    assert.match(again.text, /value="rules" checked/);
    assert.match(again.text, /measured when the rules were adopted/);
    const panel = await request(t.app).get('/models?dataset=1').set('HX-Request', 'true').expect(200);
    assert.match(panel.text, /assigned by its rules/);
    assert.match((await request(t.app).get(`/api/models/${model.id}/score.sql?dialect=sqlite`).expect(200)).text, /a saved segmentation as rules/);
  });

  it('refuses what cannot be a choice, with what to send', async () => {
    const bad = await request(t.app).post(`/api/models/${model.id}/assignment`).send({ by: 'magic' }).expect(400);
    assert.match(bad.body.error, /by must be "centres"/);
    await request(t.app).post(`/api/models/${model.id}/assignment`).send({}).expect(400);
    await request(t.app).post('/api/models/99999/assignment').send({ by: 'rules' }).expect(404);
    const lines = ['x,y'];
    for (let i = 0; i < 200; i++) lines.push(`${(i % 2) * 10 + (i % 7) / 10},${(i % 3) / 10}`);
    const small = (await request(t.app).post('/api/datasets?name=Dense').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201)).body.id;
    const dbscan = (await request(t.app).post(`/api/models?dataset=${small}&algorithm=dbscan&eps=0.5&name=Dense`).expect(201)).body.id;
    const refused = await request(t.app).post(`/api/models/${dbscan}/assignment`).send({ by: 'rules' }).expect(400);
    assert.match(refused.body.error, /DBSCAN segmentation has no centres/);
    assert.equal((await request(t.app).get(`/api/models/${dbscan}`).expect(200)).body.assignedBy, 'centres');
  });
});
