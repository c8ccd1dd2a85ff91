/** The Clusters tab answers in two parts: the shown k's fit first, the curves over k after. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const htmx = (path: string) => request(t.app).get(path).set('HX-Request', 'true');

describe('progressive Clusters tab', () => {
  it('renders a new setting\'s fit without waiting for the sweep, and leaves the curves to their region', async () => {
    const fit = await htmx('/clusters?k=5&seed=11').expect(200);
    assert.match(fit.text, /data-k="5"/);
    assert.match(fit.text, /id="cluster-scatter"/);
    assert.match(fit.text, /id="cluster-sweep-pending"[^>]*hx-get="\/clusters\/sweep\?dataset=1&amp;k=5&amp;seed=11&amp;shown=5"[^>]*hx-trigger="load"/);
    assert.doesNotMatch(fit.text, /id="cluster-elbow"/, 'no curves before the sweep');
    assert.ok(t.engine.cachedSweep({ ...(await import('../../server/web/params.ts')).parseSegmentationParams({ seed: '11' }, t.db) }) === undefined, 'the sweep did not run');
  });

  it('fills the curves region with the recommended k, the curves and the shown k\'s stability', async () => {
    const region = await htmx('/clusters/sweep?dataset=1&k=5&seed=11&shown=5').expect(200);
    assert.match(region.text, /id="cluster-sweep"/);
    assert.match(region.text, /Recommended: <strong>k = \d+<\/strong>/);
    assert.match(region.text, /id="cluster-elbow"[\s\S]*data-chart=/);
    assert.match(region.text, /id="cluster-stability"[\s\S]*Stability of k = 5[\s\S]*metric-value">(0|1|0\.\d+)</);
    assert.doesNotMatch(region.text, /data-settles-k/, 'k was given: nothing to settle');
    // The sweep is at hand now: another k comes with its curves and stability inline.
    const next = await htmx('/clusters?k=3&seed=11').expect(200);
    assert.match(next.text, /id="cluster-sweep"/);
    assert.doesNotMatch(next.text, /cluster-sweep-pending/);
  });

  it('shows a provisional k without one in the URL, and the curves region settles it on the recommended k', async () => {
    const first = await htmx('/clusters?seed=12').expect(200);
    assert.match(first.text, /data-k="4"/, 'the provisional k');
    assert.match(first.text, /Shown meanwhile: k = 4/);
    const region = await htmx('/clusters/sweep?dataset=1&seed=12&shown=4').expect(200);
    const recommended = Number(/Recommended: <strong>k = (\d+)/.exec(region.text)![1]);
    if (recommended === 4) assert.doesNotMatch(region.text, /data-settles-k/);
    else assert.match(region.text, new RegExp(`data-settles-k="${recommended}"`));
    // Asked for again, the view shows the recommended k at once.
    const settled = await htmx('/clusters?seed=12').expect(200);
    assert.match(settled.text, new RegExp(`data-k="${recommended}"`));
  });

  it('settles on the recommended k when it is not the provisional one', async () => {
    const lines = ['x,y'];
    for (let i = 0; i < 600; i++) lines.push(`${((i % 6) % 3) * 40 + ((i * 7) % 11) / 5},${Math.floor((i % 6) / 3) * 40 + ((i * 13) % 17) / 6}`);
    const id = (await request(t.app).post('/api/datasets?name=Six').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201)).body.id;
    const first = await htmx(`/clusters?dataset=${id}`).expect(200);
    assert.match(first.text, /data-k="4"/);
    assert.match(first.text, /class="note provisional" role="status">Showing k = 4 for now, while the recommended k is computed/, 'the first view says it is provisional, at the top');
    const region = await htmx(`/clusters/sweep?dataset=${id}&shown=4`).expect(200);
    assert.match(region.text, /data-settles-k="6"[^>]*|hx-get="\/clusters\?dataset=\d+"[^>]*data-settles-k="6"/);
    assert.match(region.text, /hx-target="#cluster-results"/);
    assert.match(region.text, /role="status">The quality checks recommend <strong>k = 6<\/strong>: the segments above switch to it from the provisional k = 4/, 'the switch is announced');
    const settled = await htmx(`/clusters?dataset=${id}`).expect(200);
    assert.doesNotMatch(settled.text, /note provisional/, 'the settled view is not provisional');
  });

  it('refuses a shown k that is not a number', async () => {
    const res = await htmx('/clusters/sweep?dataset=1&shown=lots').expect(400);
    assert.match(res.text, /shown must be a whole number/);
  });

  it('answers /api/segments with the stability it always had', async () => {
    const res = await request(t.app).get('/api/segments?k=4&seed=13').expect(200);
    assert.ok(res.body.metrics.stability >= 0 && res.body.metrics.stability <= 1);
  });
});
