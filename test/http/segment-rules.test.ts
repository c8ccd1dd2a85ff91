/**
 * A saved segmentation as readable rules: the fidelity reported is what rules.sql achieves
 * when SQLite runs it against the stored customers, checked against the dashboard's own
 * assignment of every customer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';
import { SHARED_DIR } from '../unit/reference.ts';
import { segmentsOnDashboard, storedAsWarehouse } from '../support/warehouse.ts';

let t: TestApp;
const datasets = new Map<string, number>([['sample', 1]]);
before(async () => {
  t = await createTestApp();
  for (const file of ['Mall_Customers.csv', 'Telco-Customer-Churn.csv']) {
    const csv = readFileSync(`${SHARED_DIR}datasets/${file}`);
    datasets.set(file, (await request(t.app).post(`/api/datasets?name=${encodeURIComponent(file)}`).set('Content-Type', 'text/csv').send(csv).expect(201)).body.id);
  }
});
after(() => t.close());

interface RulesBody {
  fidelity: number;
  leaves: number;
  segments: { index: number; name: string; share: number; fidelity: number; rules: { text: string; conditions: { feature: string; op: string; value: unknown }[] }[] }[];
}

/** Of the customers the dashboard segments, the share rules.sql run in SQLite places in the same segment. */
async function sqlFidelity(datasetId: number, modelId: number): Promise<{ agree: number; segmented: number }> {
  const sql = (await request(t.app).get(`/api/models/${modelId}/rules.sql?dialect=sqlite&table=customers`).expect(200).expect('Content-Type', /application\/sql/)).text;
  const warehouse = storedAsWarehouse(t.db, datasetId, 'customers');
  try {
    const placed = warehouse.prepare(sql).all() as { segment: number | null; segment_name: string | null }[];
    const expected = await segmentsOnDashboard(t.app, modelId);
    assert.equal(placed.length, expected.length);
    let agree = 0;
    let segmented = 0;
    placed.forEach((row, i) => {
      if (expected[i] === '') return;
      segmented++;
      if (String(row.segment) === expected[i]) agree++;
    });
    return { agree, segmented };
  } finally {
    warehouse.close();
  }
}

const CASES: [string, string, number | undefined][] = [
  ['sample', 'k=4', 0.85],
  ['sample', 'k=6', 0.85],
  ['sample', 'k=3&missing=drop&outliers=none', undefined],
  ['Mall_Customers.csv', 'k=5&features=Gender,Age,Annual%20Income%20(k%24),Spending%20Score%20(1-100)', undefined],
  ['Telco-Customer-Churn.csv', 'k=4&features=tenure,MonthlyCharges,Contract,InternetService', undefined],
];

describe('segment rules', { timeout: 240_000 }, () => {
  for (const [file, query, target] of CASES) {
    it(`${file} ${query}: the fidelity reported is the share rules.sql places as the dashboard does`, async () => {
      const datasetId = datasets.get(file)!;
      const model = (await request(t.app).post(`/api/models?dataset=${datasetId}&${query}&name=${encodeURIComponent(`Rules ${file} ${query}`.slice(0, 80))}`).expect(201)).body;
      const rules = (await request(t.app).get(`/api/models/${model.id}/rules`).expect(200)).body as RulesBody;
      if (target !== undefined) assert.ok(rules.fidelity >= target, `fidelity ${rules.fidelity}`);
      assert.equal(rules.segments.length, model.k);
      assert.ok(Math.abs(rules.segments.reduce((s, x) => s + x.share, 0) - 1) < 1e-9);
      for (const segment of rules.segments) {
        assert.ok(segment.fidelity >= 0 && segment.fidelity <= 1);
        for (const rule of segment.rules) {
          assert.ok(rule.conditions.length <= 4, rule.text);
          assert.ok(rule.text.length > 0);
        }
      }
      const { agree, segmented } = await sqlFidelity(datasetId, model.id);
      assert.equal(agree / segmented, rules.fidelity, `SQL places ${agree} of ${segmented}`);
    });
  }

  it('reads in the data\'s own units: thresholds between the values customers have, categories by name', async () => {
    const model = (await request(t.app).post('/api/models?dataset=1&k=4&name=Units').expect(201)).body;
    const rules = (await request(t.app).get(`/api/models/${model.id}/rules`).expect(200)).body as RulesBody;
    const conditions = rules.segments.flatMap((s) => s.rules.flatMap((r) => r.conditions));
    const income = conditions.find((c) => c.feature === 'annual_income');
    if (income) assert.ok(Number(income.value) > 10_000, `income thresholds are in dollars, not standard deviations: ${income.value}`);
    for (const c of conditions) assert.ok(['<', '>=', '=', '!='].includes(c.op));
    assert.match(rules.segments.flatMap((s) => s.rules.map((r) => r.text)).join(' | '), /(<|≥) [\d,.]+/);
  });

  it('shows each segment\'s rule in words with its fidelity and audience in the models panel', async () => {
    const model = (await request(t.app).post('/api/models?dataset=1&k=4&name=Panel%20rules').expect(201)).body;
    const panel = await request(t.app).get('/models?dataset=1').set('HX-Request', 'true').expect(200);
    assert.match(panel.text, new RegExp(`hx-get="/models/${model.id}/rules"`));
    const rules = (await request(t.app).get(`/api/models/${model.id}/rules`).expect(200)).body as RulesBody;
    const region = await request(t.app).get(`/models/${model.id}/rules`).set('HX-Request', 'true').expect(200);
    assert.match(region.text, new RegExp(`id="model-rules-${model.id}"`));
    assert.match(region.text, new RegExp(`${rules.leaves} rules place ${(rules.fidelity * 100).toFixed(1)}%`));
    for (const segment of rules.segments) {
      assert.ok(region.text.includes(`/api/models/${model.id}/segments/${segment.index}/members.csv`));
      for (const rule of segment.rules) assert.ok(region.text.includes(rule.text.replaceAll('<', '&lt;')), rule.text);
    }
    // The Clusters tab showing the saved segmentation draws the same rules beside its segment cards.
    const results = await request(t.app).get('/clusters?dataset=1&k=4').set('HX-Request', 'true').expect(200);
    // (The first saved segmentation with these options is the one shown: an earlier test may have saved it.)
    const shown = /hx-get="\/models\/(\d+)\/rules\?region=cluster-rules"/.exec(results.text);
    assert.ok(shown, 'the Clusters tab loads the rules of the saved segmentation it shows');
    const beside = await request(t.app).get(`/models/${shown[1]}/rules?region=cluster-rules`).set('HX-Request', 'true').expect(200);
    assert.match(beside.text, new RegExp(`id="cluster-rules-${shown[1]}"`));
    const inPanel = await request(t.app).get(`/models/${shown[1]}/rules`).set('HX-Request', 'true').expect(200);
    // The same region but for where it is drawn (its id, and the region its form redraws).
    assert.equal(beside.text.replaceAll('cluster-rules', 'REGION').replaceAll('model-rules', 'REGION'), inPanel.text.replaceAll('model-rules', 'REGION'));
  });

  it('writes rules.sql in every dialect, and refuses DBSCAN with a reason', async () => {
    const id = (await request(t.app).post('/api/models?dataset=1&k=3&name=Rule%20dialects').expect(201)).body.id;
    for (const dialect of ['ansi', 'postgres', 'duckdb', 'snowflake', 'bigquery', 'spark']) {
      const sql = (await request(t.app).get(`/api/models/${id}/rules.sql?dialect=${dialect}&table=shop.customers`).expect(200)).text;
      assert.match(sql, /AS segment_name/);
      assert.match(sql, /FROM .shop.\..customers./);
    }
    const lines = ['x,y'];
    for (let i = 0; i < 200; i++) lines.push(`${(i % 2) * 10 + (i % 7) / 10},${(i % 3) / 10}`);
    const small = (await request(t.app).post('/api/datasets?name=Dense%20rules').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201)).body.id;
    const dbscan = (await request(t.app).post(`/api/models?dataset=${small}&algorithm=dbscan&eps=0.5&name=Dense%20rules`).expect(201)).body.id;
    const refused = await request(t.app).get(`/api/models/${dbscan}/rules`).expect(400);
    assert.match(refused.body.error, /DBSCAN segmentation has no centres/);
    await request(t.app).get('/api/models/99999/rules').expect(404);
  });
});
