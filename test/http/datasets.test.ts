import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { SHARED_DIR } from '../unit/reference.ts';
import { BAD_DIR, EXPECTED } from '../fixtures/bad-fixtures.ts';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

const htmx = { 'HX-Request': 'true' };
const mall = () => readFileSync(`${SHARED_DIR}datasets/Mall_Customers.csv`);

describe('datasets API', () => {
  it('imports a text/csv body with ?name and lists it', async () => {
    const res = await request(t.app).post('/api/datasets?name=Mall%20customers').set('Content-Type', 'text/csv').send(mall().toString()).expect(201);
    assert.equal(res.body.name, 'Mall customers');
    assert.equal(res.body.rowCount, 200);
    assert.equal(res.body.columns.find((c: { name: string }) => c.name === 'Annual Income (k$)').kind, 'numeric');
    const list = await request(t.app).get('/api/datasets').expect(200);
    assert.ok(list.body.some((d: { id: number }) => d.id === res.body.id));
    // The new dataset is segmentable straight away, by its own column names.
    const seg = await request(t.app).get(`/api/segments?dataset=${res.body.id}&features=${encodeURIComponent('Annual Income (k$),Spending Score (1-100)')}&k=5`).expect(200);
    assert.ok(seg.body.metrics.silhouette > 0.5);
  });

  it('imports a multipart upload with the fields file and name', async () => {
    const res = await request(t.app).post('/api/datasets').field('name', 'Wholesale').attach('file', readFileSync(`${SHARED_DIR}datasets/Wholesale customers data.csv`), 'wholesale.csv').expect(201);
    assert.equal(res.body.rowCount, 440);
    assert.equal(res.body.columns.find((c: { name: string }) => c.name === 'Region').kind, 'categorical');
  });

  it('renames and deletes a dataset, leaving the others alone', async () => {
    const created = await request(t.app).post('/api/datasets?name=Temp').set('Content-Type', 'text/csv').send('a,b\n1,2\n3,4\n').expect(201);
    const renamed = await request(t.app).patch(`/api/datasets/${created.body.id}`).send({ name: 'Renamed' }).expect(200);
    assert.equal(renamed.body.name, 'Renamed');
    await request(t.app).delete(`/api/datasets/${created.body.id}`).expect(204);
    const list = await request(t.app).get('/api/datasets');
    assert.ok(!list.body.some((d: { id: number }) => d.id === created.body.id));
    assert.equal(list.body[0].rowCount, 2400, 'the default dataset is untouched');
    await request(t.app).delete(`/api/datasets/${created.body.id}`).expect(404);
  });

  for (const [file, message] of Object.entries(EXPECTED)) {
    it(`answers the bad file ${file} with 4xx "${message}" and stores nothing`, async () => {
      const before = (await request(t.app).get('/api/datasets')).body;
      const res = await request(t.app).post('/api/datasets?name=bad').set('Content-Type', 'text/csv').send(readFileSync(join(BAD_DIR, file)));
      assert.ok(res.status >= 400 && res.status < 500, String(res.status));
      assert.ok(res.body.error.includes(message), res.body.error);
      assert.deepEqual((await request(t.app).get('/api/datasets')).body, before);
    });
  }

  it('rejects a body over the size limit with 413', async () => {
    const small = createApp({ db: t.db, maxUploadBytes: 100 });
    const res = await request(small).post('/api/datasets?name=big').set('Content-Type', 'text/csv').send('a,b\n' + '1,2\n'.repeat(100)).expect(413);
    assert.match(res.body.error, /larger than the 0 MB limit|limit/);
    const multipart = await request(small).post('/api/datasets').field('name', 'big').attach('file', Buffer.from('a,b\n' + '1,2\n'.repeat(100)), 'big.csv').expect(413);
    assert.match(multipart.body.error, /limit/);
  });

  it('asks for a name and for CSV content', async () => {
    const noName = await request(t.app).post('/api/datasets').set('Content-Type', 'text/csv').send('a\n1\n').expect(400);
    assert.match(noName.body.error, /Name the dataset/);
    const json = await request(t.app).post('/api/datasets?name=x').send({ a: 1 }).expect(415);
    assert.match(json.body.error, /text\/csv/);
  });
});

describe('datasets page', () => {
  it('lists datasets with upload, rename and delete controls', async () => {
    const res = await request(t.app).get('/datasets').expect(200);
    assert.match(res.text, /id="upload-form"/);
    assert.match(res.text, /<progress id="upload-progress"/);
    assert.match(res.text, /Sample customers/);
    assert.match(res.text, /hx-confirm="Delete this dataset/);
  });

  it('previews an upload, lets the user correct a kind, and imports it', async () => {
    const preview = await request(t.app).post('/datasets/preview').set(htmx).attach('file', mall(), 'Mall_Customers.csv').expect(200);
    assert.doesNotMatch(preview.text, /<html/);
    assert.match(preview.text, /value="Mall_Customers"/);
    const token = /hx-post="\/datasets\/import\/([a-f0-9]{32})"/.exec(preview.text)![1];
    assert.match(preview.text, /<option value="comma" selected>/);
    // Re-read as semicolon-separated: one column, shown as such.
    const reread = await request(t.app).post(`/datasets/preview/${token}`).set(htmx).type('form').send({ delimiter: 'semicolon' }).expect(200);
    assert.match(reread.text, /<option value="semicolon" selected>/);
    const imported = await request(t.app).post(`/datasets/import/${token}`).set(htmx).type('form')
      .send({ name: 'Mall (age as category)', delimiter: 'comma', hasHeader: 'true', 'kind:Age': 'categorical' }).expect(201);
    assert.match(imported.text, /Imported “Mall \(age as category\)”/);
    // The list of datasets below the form is swapped too, the new one in it.
    const oob = /<div id="dataset-list" hx-swap-oob="true">([\s\S]*)<\/div>/.exec(imported.text);
    assert.ok(oob, 'the dataset list comes out of band');
    assert.match(oob[1], /class="dataset-name">Mall \(age as category\)<\/a>/);
    const list = (await request(t.app).get('/api/datasets')).body as { name: string; columns: { name: string; kind: string }[] }[];
    const mallSet = list.find((d) => d.name === 'Mall (age as category)')!;
    assert.equal(mallSet.columns.find((c) => c.name === 'Age')!.kind, 'categorical');
    // The staged file is gone once imported.
    await request(t.app).post(`/datasets/import/${token}`).set(htmx).type('form').send({ name: 'again' }).expect(404);
  });

  it('offers RFM for a transaction log and derives customers', async () => {
    const log = 'InvoiceNo,Quantity,InvoiceDate,UnitPrice,CustomerID\n1,2,2011-01-01,3.5,A\n2,1,2011-01-05,10,B\n3,4,2011-01-09,1,A\n';
    const preview = await request(t.app).post('/datasets/preview').set(htmx).attach('file', Buffer.from(log), 'log.csv').expect(200);
    assert.match(preview.text, /looks like a transaction log/);
    const token = /\/datasets\/import\/([a-f0-9]{32})/.exec(preview.text)![1];
    const imported = await request(t.app).post(`/datasets/import/${token}`).set(htmx).type('form').send({ name: 'Log RFM', rfm: 'true' }).expect(201);
    assert.match(imported.text, /3 transactions from 2 customers/);
  });

  it('renames and deletes through the page forms', async () => {
    const created = await request(t.app).post('/api/datasets?name=Doomed').set('Content-Type', 'text/csv').send('a,b\n1,2\n3,4\n').expect(201);
    const renamed = await request(t.app).post(`/datasets/${created.body.id}/rename`).set(htmx).type('form').send({ name: 'Saved <b>name</b>' }).expect(200);
    assert.match(renamed.text, /Saved &lt;b&gt;name&lt;\/b&gt;/);
    const deleted = await request(t.app).post(`/datasets/${created.body.id}/delete`).set(htmx).expect(200);
    assert.doesNotMatch(deleted.text, /Saved &lt;b&gt;/);
  });

  it('answers a bad preview with the message in the preview region', async () => {
    const res = await request(t.app).post('/datasets/preview').set(htmx).attach('file', readFileSync(join(BAD_DIR, 'ragged.csv')), 'ragged.csv').expect(400);
    assert.match(res.text, /Line 3 has a different number of fields/);
    await request(t.app).post('/datasets/import/not-a-token').set(htmx).type('form').send({ name: 'x' }).expect(404);
  });
});
