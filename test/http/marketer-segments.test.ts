/**
 * Segments a marketer can act on, on every real file and on files built with the traps real
 * files have: column roles shown in the preview and changeable there, outcomes as rates per
 * segment (never features by default), a "never" value kept out of the defaults, names in a
 * marketer's words, traits in the data's units, and plays that differ between segments.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SHARED_DIR } from '../unit/reference.ts';
import { createTestApp, downloadWorkbook, type TestApp } from './harness.ts';

const DATASETS = join(SHARED_DIR, 'datasets');
const FILES = readdirSync(DATASETS).filter((f) => f.endsWith('.csv')).sort();

interface ApiSegment {
  id: number;
  name: string;
  share: number;
  recommendation: string;
  distinguishing: { text: string; differenceSd: number }[];
  outcomes: Record<string, Record<string, number>>;
  outcomesOverall: Record<string, Record<string, number>>;
  valueShare: { feature: string; share: number } | null;
}

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

async function importCsv(name: string, csv: string | Buffer, extra = ''): Promise<{ id: number; columns: { name: string; role: string; roleNote: string | null; sentinel: number | null }[] }> {
  const res = await request(t.app).post(`/api/datasets?name=${encodeURIComponent(name)}${extra}`).set('Content-Type', 'text/csv').send(csv);
  assert.equal(res.status, 201, res.text);
  return res.body;
}

const segmentsOf = async (id: number, query = ''): Promise<{ params: { features: string[] }; segments: ApiSegment[] }> =>
  (await request(t.app).get(`/api/segments?dataset=${id}${query}`).expect(200)).body;

/** The words a person reads on a page: no tags, scripts or attributes. */
const visibleText = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

/** A bank-call-log-like file: pdays -1 for "never contacted", a day of month, an outcome y, a skewed balance. */
function bankLikeCsv(rows = 600): string {
  const lines = ['age,balance,day,campaign,pdays,y'];
  for (let i = 0; i < rows; i++) {
    const group = i % 3;
    const age = 25 + group * 15 + (i % 9);
    const balance = Math.round([300, 2500, 9000][group] * (1 + ((i * 7) % 13) / 10));
    const pdays = i % 10 < 6 ? -1 : 30 + ((i * 11) % 300);
    lines.push(`${age},${balance},${1 + (i % 31)},${1 + (i % 8)},${pdays},${group === 2 && i % 4 !== 0 ? 'yes' : i % 9 === 0 ? 'yes' : 'no'}`);
  }
  return lines.join('\n');
}

describe('column roles', () => {
  it('keeps outcomes, calendar parts and "never" values out of the default features, saying why', async () => {
    const { id, columns } = await importCsv('Bank calls', bankLikeCsv());
    const role = Object.fromEntries(columns.map((c) => [c.name, c]));
    assert.equal(role.y.role, 'outcome');
    assert.equal(role.day.role, 'calendar');
    assert.equal(role.pdays.sentinel, -1);
    assert.match(role.pdays.roleNote ?? '', /-1 in 60% of rows stands for "never"/);
    const { params, segments } = await segmentsOf(id);
    assert.deepEqual(params.features, ['age', 'balance', 'campaign']);
    for (const s of segments) {
      assert.ok(s.outcomes.y, `segment ${s.id} has its rate of y`);
      assert.ok(Math.abs(s.outcomes.y.yes + s.outcomes.y.no - 1) < 1e-9);
    }
    const rates = segments.map((s) => s.outcomes.y.yes);
    assert.ok(Math.max(...rates) > segments[0].outcomesOverall.y.yes, 'one segment responds above the overall rate');
  });

  it('shows each column\'s role and reason in the preview, and lets the user change it', async () => {
    const preview = await request(t.app).post('/datasets/preview').set('HX-Request', 'true').attach('file', Buffer.from(bankLikeCsv(100)), 'bank.csv').expect(200);
    assert.match(preview.text, /name="role:y"[\s\S]*?<option value="outcome" selected>outcome<\/option>/);
    assert.match(preview.text, /class="role-reason unusable"[^>]*>named like a result/);
    const token = /\/datasets\/import\/([a-f0-9]{32})/.exec(preview.text)![1];
    await request(t.app).post(`/datasets/import/${token}`).set('HX-Request', 'true').type('form').send({ name: 'Bank, day as measure', 'role:day': 'measure' }).expect(201);
    const dataset = (await request(t.app).get('/api/datasets').expect(200)).body.find((d: { name: string }) => d.name === 'Bank, day as measure');
    const day = dataset.columns.find((c: { name: string }) => c.name === 'day');
    assert.equal(day.role, 'measure');
    assert.match(day.roleNote, /as chosen \(it looked like: calendar part\)/);
    assert.ok((await segmentsOf(dataset.id)).params.features.includes('day'));
  });

  it('refuses an unknown role or a role for a column the file lacks, naming them', async () => {
    const bad = await request(t.app).post('/api/datasets?name=x&role:y=winner').set('Content-Type', 'text/csv').send(bankLikeCsv(50)).expect(400);
    assert.match(bad.body.error, /The role of "y" must be one of money, count/);
    const missing = await request(t.app).post('/api/datasets?name=x&role:nope=outcome').set('Content-Type', 'text/csv').send(bankLikeCsv(50)).expect(400);
    assert.match(missing.body.error, /A role is chosen for "nope", but the file has no such column/);
  });
});

describe('a "never" value chosen as a feature', () => {
  it('is read as missing everywhere: profiles, predictions and the exported SQL', async () => {
    const { id } = await importCsv('Bank calls, pdays chosen', bankLikeCsv());
    const query = `dataset=${id}&features=age,balance,pdays&k=3`;
    const { segments } = await segmentsOf(id, '&features=age,balance,pdays&k=3');
    for (const s of segments as unknown as { features: { feature: string; mean: number }[] }[]) {
      const pdays = s.features?.find((f) => f.feature === 'pdays');
      if (pdays) assert.ok(pdays.mean > 0, `pdays averages contacted customers only: ${pdays.mean}`);
    }
    const centroids = (await request(t.app).get(`/api/segments?${query}`).expect(200)).body.segments.map((s: { centroid: Record<string, number> }) => s.centroid.pdays);
    for (const c of centroids) assert.ok(c > 0, `a centre in original units ignores -1: ${c}`);
    const customer = { age: 40, balance: 2500 };
    const never = (await request(t.app).post(`/api/predict?${query}`).send({ customer: { ...customer, pdays: -1 } }).expect(200)).body;
    const missing = (await request(t.app).post(`/api/predict?${query}`).send({ customer: { ...customer, pdays: null } }).expect(200)).body;
    assert.notDeepEqual(never.distances, missing.distances, '-1 is flagged as "never", unlike a value nobody gave');
    const far = (await request(t.app).post(`/api/predict?${query}`).send({ customer: { ...customer, pdays: 182.5 } }).expect(200)).body;
    assert.notDeepEqual(never.distances, far.distances, '-1 is not read as a number of days');
    const model = (await request(t.app).post(`/api/models?${query}&name=Never%20contacted`).expect(201)).body;
    const sql = (await request(t.app).get(`/api/models/${model.id}/score.sql?dialect=sqlite&table=calls`).expect(200)).text;
    assert.match(sql, /NULLIF\(CAST\("pdays" AS REAL\), CAST\(-1 AS REAL\)\)/);
    const { default: Database } = await import('better-sqlite3');
    const warehouse = new Database(':memory:');
    warehouse.exec('CREATE TABLE calls (age INTEGER, balance INTEGER, day INTEGER, campaign INTEGER, pdays INTEGER, y TEXT)');
    const insert = warehouse.prepare('INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?)');
    const rows = bankLikeCsv().split('\n').slice(1).map((line) => line.split(','));
    for (const r of rows) insert.run(Number(r[0]), Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), r[5]);
    const scored = warehouse.prepare(sql).all() as { segment: number }[];
    const csv = (await request(t.app).get(`/export/customers.csv?model=${model.id}`).expect(200)).text.trim().split('\r\n');
    const at = csv[0].split(',').indexOf('segment');
    const dashboard = csv.slice(1).map((line) => Number(line.split(',')[at]));
    assert.deepEqual(scored.map((r) => Number(r.segment)), dashboard);
    warehouse.close();
    assert.match(sql, /CASE WHEN CAST\("pdays" AS REAL\) = CAST\(-1 AS REAL\) THEN/, 'the never value\'s indicator');
    const exported = (await request(t.app).get(`/api/models/${model.id}/export`).expect(200)).body;
    assert.deepEqual(exported.pipeline?.preprocessor?.flags ?? exported.preprocessor?.flags, [{ name: 'pdays', value: -1, weight: Math.SQRT1_2 }]);
    await request(t.app).post(`/api/models/import?dataset=${id}&name=Never%20contacted%20again`).send(exported).expect(201);
  });
});

describe('outcomes per segment', () => {
  it('Telco: churn is an outcome, a rate per segment on the cards, in the API and in the export', async () => {
    const { id, columns } = await importCsv('Telco', await import('node:fs').then((fs) => fs.readFileSync(join(DATASETS, 'Telco-Customer-Churn.csv'))));
    assert.equal(columns.find((c) => c.name === 'Churn')!.role, 'outcome');
    const { segments } = await segmentsOf(id, '&k=4');
    const overall = segments[0].outcomesOverall.Churn.Yes;
    assert.ok(Math.abs(overall - 1869 / 7043) < 1e-9, `overall churn ${overall}`);
    assert.ok(segments.some((s) => s.outcomes.Churn.Yes > overall * 1.3), 'a segment churns well above the rest');
    const churners = segments.find((s) => s.outcomes.Churn.Yes > overall * 1.3)!;
    assert.match(churners.recommendation, /^Retain/, 'a churn-prone segment gets a retention play, not a growth play');
    const shares = segments.map((s) => s.valueShare!.share);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'value shares add up to the whole');
    const html = (await request(t.app).get(`/clusters?dataset=${id}&k=4`).expect(200)).text;
    assert.match(html, /<strong>Churn = Yes<\/strong>: \d+\.\d% vs 26\.5% overall/);
    const chart = /id="cluster-outcomes"[\s\S]*?data-chart="([^"]*)"/.exec(html);
    assert.ok(chart, 'an outcome chart');
    const config = JSON.parse(chart[1].replaceAll('&#34;', '"').replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
    assert.equal(config.options.plugins.title.text, 'Churn = Yes by segment');
    assert.deepEqual(config.data.datasets[0].data.map((v: number) => Math.round(v * 10)), segments.map((s) => Math.round(s.outcomes.Churn.Yes * 1000)));
    const csv = (await request(t.app).get(`/export/segments.csv?dataset=${id}&k=4`).expect(200)).text;
    const header = csv.split('\r\n')[0].split(',');
    assert.ok(header.includes('Churn = Yes (share)'), header.join(','));
    assert.ok(header.includes(`share of ${segments[0].valueShare!.feature}`));
    const book = await downloadWorkbook(t.app, `/export/segments.xlsx?dataset=${id}&k=4`);
    const headers = (book.worksheets[0].getRow(1).values as unknown[]).slice(1);
    assert.ok(headers.includes('Churn = Yes (share)'));
  });
});

describe('segments told in a marketer\'s words', { timeout: 240_000 }, () => {
  const files = ['sample', ...FILES];
  for (const file of files) {
    it(`${file}: short unique names without "(2)" or contradictions, traits in units, not one play for most segments`, async () => {
      const id = file === 'sample' ? 1 : (await importCsv(`words ${file}`, await import('node:fs').then((fs) => fs.readFileSync(join(DATASETS, file))))).id;
      for (const k of [3, 4, 6]) {
        const { segments } = await segmentsOf(id, `&k=${k}`);
        const names = segments.map((s) => s.name);
        assert.equal(new Set(names).size, names.length, `${file} k=${k}: unique ${names.join(' | ')}`);
        for (const name of names) {
          assert.ok(name.length <= 48, `${file} k=${k}: "${name}" is longer than 48`);
          assert.doesNotMatch(name, /\(\d\)|basket/i, `${file} k=${k}: "${name}"`);
          assert.ok(!(/\bfrequent\b/i.test(name) && /\binfrequent|occasional\b/i.test(name)), `${file}: "${name}" contradicts itself`);
          assert.ok(!(/\bbig spenders\b/i.test(name) && /\blow spenders\b/i.test(name)), `${file}: "${name}" contradicts itself`);
        }
        for (const s of segments) for (const d of s.distinguishing) assert.match(d.text, / vs .* overall/, `${file}: "${d.text}"`);
        const plays = new Map<string, number>();
        for (const s of segments) {
          const play = s.recommendation.split(':')[0];
          plays.set(play, (plays.get(play) ?? 0) + 1);
        }
        assert.ok(plays.size > 1, `${file} k=${k}: every segment gets "${[...plays.keys()][0]}"`);
        const commonest = Math.max(...plays.values());
        assert.ok(commonest <= Math.ceil(segments.length / 2), `${file} k=${k}: one play for most segments (${JSON.stringify([...plays])})`);
        assert.ok(new Set(segments.map((s) => s.recommendation)).size === segments.length, `${file} k=${k}: two cards read alike`);
      }
      for (const path of ['/clusters', '/', '/predict']) {
        const page = (await request(t.app).get(`${path}?dataset=${id}&k=4`).expect(200)).text.replaceAll('&#34;', '"');
        assert.doesNotMatch(visibleText(page), /\bSD\b|standard deviations|kneedle/i, `${file} ${path}: the tab speaks statistics`);
        assert.doesNotMatch(page, /"text":"[^"]*(standard deviation|\bSD\b)/i, `${file} ${path}: a chart speaks statistics`);
      }
    });
  }
});

describe('a default k worth acting on', { timeout: 240_000 }, () => {
  for (const file of ['sample', ...FILES]) {
    it(`${file}: 3 to 8 segments by default, none under 2% or over 85%, and the elbow's k neither`, async () => {
      const id = file === 'sample' ? 1 : (await importCsv(`k ${file}`, await import('node:fs').then((fs) => fs.readFileSync(join(DATASETS, file))))).id;
      const sweep = (await request(t.app).get(`/api/sweep?dataset=${id}`).expect(200)).body as { recommendedK: number; elbowK: number; rule: string; rows: { k: number; smallestShare: number; largestShare: number }[] };
      assert.ok(sweep.recommendedK >= 3 && sweep.recommendedK <= 8, `${file}: k = ${sweep.recommendedK}`);
      assert.doesNotMatch(sweep.rule, /kneedle/);
      const { segments } = await segmentsOf(id);
      assert.equal(segments.length, sweep.recommendedK);
      for (const s of segments) assert.ok(s.share >= 0.02 && s.share <= 0.85, `${file}: a default segment holds ${(s.share * 100).toFixed(1)}%`);
      const elbow = sweep.rows.find((r) => r.k === sweep.elbowK)!;
      assert.ok(elbow.smallestShare >= 0.02 && elbow.largestShare <= 0.85, `${file}: the elbow's k = ${elbow.k} has ${(elbow.smallestShare * 100).toFixed(1)}%–${(elbow.largestShare * 100).toFixed(1)}%`);
    });
  }
});

/** A marketing-campaign-like file: birth years, income, wine spend, recency, kids at home, a 0/1 response. */
function campaignCsv(rows = 400): string {
  const lines = ['ID,Year_Birth,Income,Kidhome,Recency,MntWines,NumWebPurchases,Response'];
  for (let i = 0; i < rows; i++) {
    const group = i % 3;
    lines.push([1000 + i, 1945 + group * 15 + (i % 11), 30000 + group * 25000 + (i % 17) * 700, i % 3 === 0 ? 1 : 0, (i * 7) % 99,
      [40, 300, 900][group] + (i % 23) * 5, 2 + group * 2 + (i % 5), group === 2 && i % 3 !== 0 ? 1 : i % 11 === 0 ? 1 : 0].join(','));
  }
  return lines.join('\n');
}

describe('numbers for people on a campaign file', () => {
  it('writes birth years without separators on every tab, and keeps the response out of the features', async () => {
    const { id, columns } = await importCsv('Campaign', campaignCsv());
    const role = Object.fromEntries(columns.map((c) => [c.name, c.role]));
    assert.deepEqual([role.Year_Birth, role.Income, role.MntWines, role.NumWebPurchases, role.Response], ['birth-year', 'money', 'money', 'count', 'outcome']);
    const { params, segments } = await segmentsOf(id);
    assert.ok(!params.features.includes('Response'));
    for (const s of segments) assert.ok(s.outcomes.Response, 'the response rate per segment');
    for (const path of ['/', '/clusters', '/predict']) {
      const html = (await request(t.app).get(`${path}?dataset=${id}`).expect(200)).text;
      assert.doesNotMatch(visibleText(html), /\b1,9\d\d\b/, `${path}: a year with a separator`);
      const decoded = html.replaceAll('&#34;', '"');
      assert.doesNotMatch(decoded, /"1,9\d\d/, `${path}: a chart label with a year separator`);
    }
    const clusters = (await request(t.app).get(`/clusters?dataset=${id}`).expect(200)).text.replaceAll('&#34;', '"');
    assert.match(clusters, /"text":"Year_Birth by segment"[\s\S]*?"useGrouping":false|"useGrouping":false[\s\S]*?"text":"Year_Birth by segment"/, 'the box plot axis writes years bare');
  });
});

