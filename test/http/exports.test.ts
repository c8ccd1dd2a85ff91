import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { neutraliseFormula, writeCsv } from '../../server/web/export-format.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../server/errors.ts';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(() => t.close());

/** supertest collects a binary body into a Buffer with this parser. */
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

async function readXlsx(buffer: Buffer): Promise<(string | number | null)[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  assert.equal(workbook.worksheets.length, 1);
  const rows: (string | number | null)[][] = [];
  workbook.worksheets[0].eachRow({ includeEmpty: false }, (row) => {
    const values = (row.values as (string | number | null | undefined)[]).slice(1);
    rows.push(values.map((v) => (v === undefined ? null : v)));
  });
  return rows;
}

describe('exports', () => {
  it('exports one CSV row per segment with the promised columns', async () => {
    const res = await request(t.app).get('/export/segments.csv?k=4').expect(200).expect('Content-Type', /text\/csv/).expect('Content-Disposition', /segments\.csv/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 4);
    for (const column of ['segment', 'name', 'customers', 'share', 'recommendation', 'mean annual_income', 'median age']) assert.ok(column in rows[0], column);
    assert.equal(rows.reduce((s, r) => s + Number(r.customers), 0), 2400);
    const api = await request(t.app).get('/api/segments?k=4');
    assert.deepEqual(rows.map((r) => r.name), api.body.segments.map((s: { name: string }) => s.name));
  });

  it('exports the same segment numbers to Excel, as typed number cells', async () => {
    const csv = parse((await request(t.app).get('/export/segments.csv?k=4')).text) as string[][];
    const res = await request(t.app).get('/export/segments.xlsx?k=4').buffer(true).parse(binary).expect(200).expect('Content-Type', /spreadsheetml/);
    const rows = await readXlsx(res.body as Buffer);
    assert.deepEqual(rows[0], csv[0]);
    assert.equal(rows.length, 5);
    const meanAge = csv[0].indexOf('mean age');
    const valueShare = csv[0].indexOf('share of last_purchase_amount');
    assert.ok(meanAge > 0 && valueShare > 0, csv[0].join(','));
    rows.slice(1).forEach((row, i) => {
      assert.equal(typeof row[2], 'number');
      assert.equal(row[2], Number(csv[i + 1][2]));
      for (const c of [meanAge, valueShare]) assert.ok(Math.abs((row[c] as number) - Number(csv[i + 1][c])) < 1e-9);
    });
  });

  it('exports every customer with its segment, in CSV and Excel', async () => {
    const csv = parse((await request(t.app).get('/export/customers.csv?k=3').expect(200)).text, { columns: true }) as Record<string, string>[];
    assert.equal(csv.length, 2400);
    assert.ok(['1', '2', '3'].includes(csv[0].segment));
    assert.equal(csv[0].customer_id, 'C000001');
    const res = await request(t.app).get('/export/customers.xlsx?k=3').buffer(true).parse(binary).expect(200);
    const rows = await readXlsx(res.body as Buffer);
    assert.equal(rows.length, 2401);
    assert.equal(rows[1][0], 'C000001');
    assert.equal(String(rows[1][9]), csv[0].segment);
  });

  it('marks customers left out by the drop rule', async () => {
    const csv = parse((await request(t.app).get('/export/customers.csv?k=3&missing=drop').expect(200)).text, { columns: true }) as Record<string, string>[];
    const dropped = csv.filter((r) => r['segment name'].startsWith('Not segmented'));
    assert.ok(dropped.length > 0);
    assert.ok(dropped.every((r) => r.segment === ''));
  });

  it('neutralises cells that a spreadsheet would run as formulas', async () => {
    assert.equal(neutraliseFormula('=HYPERLINK("x")'), `'=HYPERLINK("x")`);
    for (const start of ['+', '-', '@', '\t', '\r']) assert.ok(neutraliseFormula(`${start}1`).startsWith("'"));
    assert.equal(neutraliseFormula('Plain'), 'Plain');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeCsv({ sheetName: 'x', headers: ['a'], rowCount: 2, rows: [['=1+1'], [-5]] }, out);
    assert.equal(Buffer.concat(chunks).toString(), "a\r\n'=1+1\r\n-5\r\n");
  });

  it('streams the customer export in pages, serving other requests meanwhile', async () => {
    // 2,400 customers are two pages: between them the server answers another request on
    // the same database connection (an open row iterator would hold it busy).
    let datasetsAnswered = false;
    const exported = request(t.app).get('/export/customers.csv?k=3').expect(200);
    const listing = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await request(t.app).get('/api/datasets').expect(200);
      datasetsAnswered = true;
    })();
    const [res] = await Promise.all([exported, listing]);
    assert.ok(datasetsAnswered);
    assert.equal(res.text.trim().split('\r\n').length, 2401);
  });

  it('stops writing a CSV export when the client goes away', { timeout: 10_000 }, async () => {
    const { Writable } = await import('node:stream');
    const { writeCsv } = await import('../../server/web/export-format.ts');
    let read = 0;
    // Far more rows than the client takes before it goes, but finite: a writer that never
    // stops fails the assertion instead of running for ever.
    function* endless() {
      while (read < 200_000) yield [read++, 'row'];
    }
    const out = new Writable({ highWaterMark: 1024, write: (_chunk, _encoding, done) => setTimeout(done, 1) });
    setTimeout(() => out.destroy(), 30);
    await writeCsv({ sheetName: 'x', headers: ['n', 'text'], rowCount: Infinity, rows: endless() }, out);
    assert.ok(read < 100_000, `stopped after ${read} rows`);
  });

  it('refuses an Excel export beyond its row limit and says to use CSV', async () => {
    const { writeXlsx, EXCEL_MAX_ROWS } = await import('../../server/web/export-format.ts');
    await assert.rejects(
      writeXlsx({ sheetName: 'x', headers: ['a'], rowCount: EXCEL_MAX_ROWS + 1, rows: [] }, join(tmpdir(), 'never-written.xlsx')),
      (e: Error) => e instanceof InputError && e.status === 400 && /stop at 150,000 rows, and this one has 150,001\. Export CSV instead/.test(e.message),
    );
  });

  it('answers an export with a bad parameter with 400', async () => {
    const res = await request(t.app).get('/export/segments.csv?k=0').expect(400);
    assert.match(res.body.error ?? res.text, /k must be at least 2/);
  });
});

describe('partials', () => {
  it('pages and sorts the customer table on the server', async () => {
    const first = await request(t.app).get('/customers?page=2').set('HX-Request', 'true').expect(200);
    assert.doesNotMatch(first.text, /<html/);
    assert.match(first.text, /data-page="2"/);
    assert.match(first.text, /C000026/);
    assert.match(first.text, /Page 2 of 96/);
    const sorted = await request(t.app).get('/customers?sort=3&dir=desc').set('HX-Request', 'true').expect(200);
    const incomes = [...sorted.text.matchAll(/<tr>(?:<td[^>]*>[^<]*<\/td>){3}<td class="num">([\d,]+)<\/td>/g)].map((m) => Number(m[1].replace(/,/g, '')));
    assert.equal(incomes.length, 25);
    assert.deepEqual(incomes, [...incomes].sort((a, b) => b - a));
    await request(t.app).get('/customers?sort=99').set('HX-Request', 'true').expect(400);
    await request(t.app).get('/customers?page=x').set('HX-Request', 'true').expect(400);
  });

  it('shows KPIs, a correlation matrix and box plots on the Overview', async () => {
    const res = await request(t.app).get('/').expect(200);
    assert.match(res.text, /Customers with outliers \(IQR 1.5×\)/);
    assert.match(res.text, /class="heatmap"/);
    assert.match(res.text, /Spread of each numeric column/);
    assert.match(res.text, /id="customer-table"/);
  });

  it('renders box plots and category mixes by segment on the Clusters partial', async () => {
    const res = await request(t.app).get('/clusters?k=4&features=age,spending_score,gender').set('HX-Request', 'true').expect(200);
    assert.match(res.text, /age by segment/);
    assert.match(res.text, /gender mix by segment/);
    assert.match(res.text, /href="\/export\/segments.xlsx\?dataset=1&amp;k=4&amp;features=age%2Cspending_score%2Cgender"/);
  });

  it('draws DBSCAN noise in grey and counts it', async () => {
    const res = await request(t.app).get('/clusters?algorithm=dbscan&eps=0.5&minPts=10').set('HX-Request', 'true').expect(200);
    assert.match(res.text, /<span class="swatch seg-noise"><\/span>Noise/);
    assert.match(res.text, /9E9E9E/);
  });

  it('opens in Excel ready to read: shares as percentages, counts and means formatted, a filter and a frozen header', async () => {
    const res = await request(t.app).get('/export/segments.xlsx?k=4').buffer(true).parse(binary).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const headers = (sheet.getRow(1).values as string[]).slice(1);
    const format = (header: string) => sheet.getRow(2).getCell(headers.indexOf(header) + 1).numFmt;
    assert.equal(format('share'), '0.0%');
    assert.equal(format('customers'), '#,##0');
    assert.equal(format('mean age'), '#,##0.00');
    assert.ok(sheet.autoFilter, 'a filter on the header row');
    assert.equal(sheet.views[0]?.state, 'frozen');
    assert.equal(sheet.views[0]?.ySplit, 1);
  });

  it('writes CSV numbers without float noise: shares to 4 decimals, means to 6 significant digits', async () => {
    const csv = parse((await request(t.app).get('/export/segments.csv?k=4').expect(200)).text, { columns: true }) as Record<string, string>[];
    for (const row of csv) {
      assert.match(row.share, /^0(\.\d{1,4})?$/, `share ${row.share}`);
      assert.ok(row['mean age'].replace(/[-.]/g, '').replace(/^0+/, '').length <= 6, `mean age ${row['mean age']}`);
    }
    const api = (await request(t.app).get('/api/segments?k=4').expect(200)).body.segments as { share: number }[];
    csv.forEach((row, i) => assert.ok(Math.abs(Number(row.share) - api[i].share) < 5e-5));
  });

  it('gives a date column as dates in Excel and as written in CSV', async () => {
    const lines = ['customer_id,signup_date,spend'];
    for (let i = 0; i < 60; i++) lines.push(`D${i},${13 + (i % 15)}/0${1 + (i % 9)}/2024,${100 + i * 7}`);
    const id = (await request(t.app).post('/api/datasets?name=Dated').set('Content-Type', 'text/csv').send(lines.join('\n')).expect(201)).body.id;
    const res = await request(t.app).get(`/export/customers.xlsx?dataset=${id}&k=3`).buffer(true).parse(binary).expect(200);
    const rows = await readXlsx(res.body as Buffer);
    const when = rows[1][1] as unknown as Date;
    assert.ok(when instanceof Date, `a date cell, not ${typeof when}`);
    assert.equal(when.toISOString().slice(0, 10), '2024-01-13', 'day first, as the column tells (13/01/2024)');
    const csv = (await request(t.app).get(`/export/customers.csv?dataset=${id}&k=3`).expect(200)).text;
    assert.match(csv.split('\r\n')[1], /^D0,13\/01\/2024,/);
  });
});
