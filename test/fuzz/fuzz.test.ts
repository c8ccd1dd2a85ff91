/**
 * Fuzzing with fast-check: arbitrary query strings and arbitrary CSV files never crash the
 * server or get a 5xx; bad ones get a 4xx with a message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import { importCsvText } from '../support/import-text.ts';
import { InputError } from '../../server/errors.ts';
import { listDatasets } from '../../server/store/datasets.ts';
import { parseSegmentationParams, PARAM_NAMES } from '../../server/web/params.ts';
import { createTestApp, type TestApp } from '../http/harness.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Strings people and attackers type: numbers, near-numbers, names, markup, control characters. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '1e309', 'NaN', '-0', '0x10', '2.5', '10', '20', '21', '<script>alert(1)</script>', '"', "'", '=1+1', '\u202e', 'age', 'age,age', 'annual_income,gender', '%', '\u0000', 'kmeans', 'dbscan', 'robust', 'iqr-exclude'),
);

/** A query: known parameter names (sometimes repeated) and unknown ones. */
const queryArb = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES, 'dataset'), fc.string({ maxLength: 8 })), hostileText), { maxLength: 8 });
const toQuery = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

describe('fuzzing the query-parameter parser', () => {
  let t: TestApp;
  before(async () => (t = await createTestApp()));
  after(() => t.close());

  it('either parses into typed params or throws an InputError with a message', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES, 'dataset'), fc.string({ maxLength: 8 })), fc.oneof(hostileText, fc.array(hostileText, { minLength: 2, maxLength: 3 }))), { maxLength: 8 }), (pairs) => {
      const query = Object.fromEntries(pairs);
      try {
        const params = parseSegmentationParams(query, t.db);
        assert.ok(Number.isInteger(params.datasetId));
        assert.ok(params.k === null || (Number.isInteger(params.k) && params.k >= 2 && params.k <= 20));
        assert.ok(params.features.length >= 1 && params.features.length <= 50);
      } catch (error) {
        assert.ok(error instanceof InputError, `not an InputError: ${(error as Error).stack}`);
        assert.ok(error.message.length > 10 && error.status >= 400 && error.status < 500);
      }
    }), { numRuns: RUNS * 4 });
  });

  for (const path of ['/clusters', '/api/segments', '/api/sweep', '/predict', '/', '/export/segments.csv']) {
    it(`GET ${path} answers below 500 for any query`, async () => {
      await fc.assert(fc.asyncProperty(queryArb, fc.boolean(), async (pairs, htmx) => {
        const res = await request(t.app).get(`${path}?${toQuery(pairs)}`).set(htmx ? { 'HX-Request': 'true' } : {});
        assert.ok(res.status < 500, `${path}?${toQuery(pairs)} answered ${res.status}: ${res.text.slice(0, 200)}`);
        if (res.status >= 400) assert.match(res.text, /[a-z]{3,}/i, 'an error message');
      }), { numRuns: Math.ceil(RUNS / 3) });
    });
  }
});

/** CSV-ish text: a header and rows from characters that break parsers. */
const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.double({ noNaN: false }).map(String),
  fc.integer().map(String),
  fc.constantFrom('', '"', '""', '"a,b"', '\r', '\n', '\r\n', ',', ';', '\t', '\uFEFF', 'NA', 'null', '=SUM(A1)', '<b>x</b>', '\u202eabc', '2024-01-02', 'é', '\ud800'),
);
const csvArb = fc.tuple(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 12 }), fc.constantFrom(',', ';', '\t'), fc.constantFrom('\n', '\r\n'))
  .map(([rows, delimiter, newline]) => rows.map((r) => r.join(delimiter)).join(newline));

describe('fuzzing the CSV importer', () => {
  let t: TestApp;
  before(async () => (t = await createTestApp({ seed: false })));
  after(() => t.close());

  it('imports a file whole or refuses it with an InputError, never half', async () => {
    await fc.assert(fc.asyncProperty(csvArb, async (text) => {
      const before = listDatasets(t.db).length;
      try {
        const dataset = await importCsvText(t.db, text, { name: 'fuzz' });
        assert.equal(listDatasets(t.db).length, before + 1);
        assert.ok(dataset.rowCount >= 1 && dataset.columns.length >= 1);
      } catch (error) {
        assert.ok(error instanceof InputError, `not an InputError for ${JSON.stringify(text)}: ${(error as Error).stack}`);
        assert.equal(listDatasets(t.db).length, before, 'nothing half-written');
      }
    }), { numRuns: RUNS });
  });

  it('answers uploads of arbitrary bytes below 500', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(csvArb.map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b))), async (body) => {
      const res = await request(t.app).post('/api/datasets?name=fuzz').set('Content-Type', 'text/csv').send(body);
      assert.ok(res.status < 500, `answered ${res.status}: ${res.text.slice(0, 200)}`);
      if (res.status >= 400) assert.ok(typeof res.body.error === 'string' && res.body.error.length > 10);
    }), { numRuns: RUNS });
  });
});
