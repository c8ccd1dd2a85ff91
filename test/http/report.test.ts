/**
 * The printable segment report: a page per segment with its name, size, distinguishing
 * numbers, outcome rates, play and chart, for a segmentation by parameters or a saved one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SHARED_DIR } from '../unit/reference.ts';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

describe('the printable segment report', () => {
  it('gives a page per segment with the numbers, outcomes and play the API gives', async () => {
    const id = (await request(t.app).post('/api/datasets?name=Telco').set('Content-Type', 'text/csv').send(readFileSync(join(SHARED_DIR, 'datasets', 'Telco-Customer-Churn.csv'))).expect(201)).body.id;
    const api = (await request(t.app).get(`/api/segments?dataset=${id}&k=4`).expect(200)).body.segments as { name: string; recommendation: string; distinguishing: { text: string }[] }[];
    const html = (await request(t.app).get(`/report?dataset=${id}&k=4`).expect(200)).text;
    assert.equal((html.match(/class="report-page report-segment/g) ?? []).length, 4, 'a page per segment');
    for (const [i, s] of api.entries()) {
      assert.ok(html.includes(`${i + 1}. ${s.name.replaceAll('&', '&amp;')}`), s.name);
      assert.ok(html.includes(s.distinguishing[0].text.replaceAll('&', '&amp;')), s.distinguishing[0].text);
    }
    assert.match(html, /<strong>Churn = Yes<\/strong>: \d+\.\d% vs 26\.5% overall/);
    assert.equal((html.match(/data-chart="/g) ?? []).length, 5, 'the sizes and one chart per segment');
    assert.match(html, /data-print/);
    assert.match(html, /@media print|app\.css/);
  });

  it('reports a saved segmentation by model=ID with its names and playbooks, and refuses other parameters beside it', async () => {
    const model = (await request(t.app).post('/api/models?dataset=1&k=4&name=Quarterly').expect(201)).body;
    await request(t.app).patch(`/api/models/${model.id}/segments/1`).send({ name: 'Weekend regulars', playbook: 'Saturday bundles.' }).expect(200);
    const html = (await request(t.app).get(`/report?model=${model.id}`).expect(200)).text;
    assert.match(html, /2\. Weekend regulars/);
    assert.match(html, /<strong>Our playbook:<\/strong> Saturday bundles\./);
    assert.match(html, /“Quarterly”|Quarterly/);
    const refused = await request(t.app).get(`/report?model=${model.id}&k=3`).expect(400);
    assert.match(refused.text, /leave out &#34;k&#34;|leave out "k"/);
    await request(t.app).get('/report?k=99').expect(400);
  });

  it('is linked from the Clusters tab with the view\'s parameters', async () => {
    const html = (await request(t.app).get('/clusters?dataset=1&k=4').expect(200)).text;
    assert.match(html, /href="\/report\?(model=\d+|(dataset=1&amp;)?k=4[^"]*)">Printable report</);
  });
});
