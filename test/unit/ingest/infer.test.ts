/** Column kinds a person would agree with, each with its reason. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferColumn } from '../../../server/ingest/infer.ts';

const repeat = (values: string[], n: number) => Array.from({ length: n }, (_, i) => values[i % values.length]);
const guess = (name: string, values: string[]) => inferColumn(name, values);

describe('column kinds', () => {
  it('takes identifiers by name, numeric or text, even with repeats and gaps', () => {
    const customerIds = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? '' : String(12346 + (i % 60))));
    assert.equal(guess('CustomerID', customerIds).kind, 'id');
    for (const name of ['customer_id', 'customerID', 'CUST_ID', 'InvoiceNo', 'StockCode', 'account number', 'Customer Id', 'key']) {
      assert.equal(guess(name, repeat(['A1', 'B2', 'C3'], 100)).kind, 'id', name);
    }
    assert.match(guess('CustomerID', customerIds).reason, /named like an identifier/);
    for (const name of ['paid', 'Kid', 'Channel', 'tenure']) assert.notEqual(guess(name, repeat(['1.5', '2.5', '7'], 100)).kind, 'id', name);
  });

  it('takes unique text and row numbers as identifiers', () => {
    assert.equal(guess('email', Array.from({ length: 100 }, (_, i) => `p${i}@x.org`)).kind, 'id');
    const row = guess('Unnamed: 0', Array.from({ length: 100 }, (_, i) => String(i)));
    assert.deepEqual([row.kind, row.reason], ['id', 'counts up by one in every row: a row number']);
  });

  it('makes text with thousands of values free text, never a category', () => {
    const descriptions = Array.from({ length: 5000 }, (_, i) => `WHITE HANGING HEART ${i % 3000}`);
    const g = guess('Description', descriptions);
    assert.equal(g.kind, 'text');
    assert.match(g.reason, /3,000 distinct values in 5,000 rows: free text/);
  });

  it('reads dates in ISO, day-first and month-first forms, with times and month names', () => {
    for (const values of [['2024-05-31', '2023-01-02 10:15'], ['04-09-2012', '13-01-2013'], ['12/31/2024 10:30', '1/2/2024'], ['12 Jan 2020', 'Jan 12, 2020'], ['31.12.24', '01.01.25']]) {
      assert.equal(guess('when', repeat(values, 60)).kind, 'date', values.join(' '));
    }
    assert.match(guess('Dt_Customer', repeat(['04-09-2012', '13-01-2013'], 60)).reason, /day before month/);
    assert.match(guess('d', repeat(['01/02/2020', '01/13/2020'], 60)).reason, /month before day/);
    assert.match(guess('d', repeat(['01/02/2020', '03/04/2020'], 60)).reason, /cannot be told/);
  });

  it('makes 0/1 and yes/no flags and small integer codes categories', () => {
    assert.match(guess('SeniorCitizen', repeat(['0', '1', '0'], 100)).reason, /2 whole-number codes \(0\/1\)/);
    assert.deepEqual([guess('Partner', repeat(['Yes', 'No'], 100)).kind, guess('Partner', repeat(['Yes', 'No'], 100)).reason], ['categorical', 'a yes/no flag']);
    assert.equal(guess('Channel', repeat(['1', '2'], 100)).kind, 'categorical');
  });

  it('flags constant and empty columns as unusable', () => {
    const constant = guess('Z_CostContact', repeat(['3'], 100));
    assert.deepEqual([constant.kind, constant.unusable], ['numeric', 'constant']);
    assert.match(constant.reason, /the same value \("3"\) in every row/);
    const empty = guess('notes', repeat([''], 100));
    assert.deepEqual([empty.kind, empty.unusable], ['text', 'empty']);
  });

  it('reads spreadsheet error cells as missing and counts them', () => {
    const values = repeat(['12.5', '#DIV/0!', '', '3'], 100);
    const g = guess('#VALUE!', values);
    assert.equal(g.kind, 'numeric');
    assert.match(g.reason, /25 spreadsheet error cells \(#DIV\/0!\) read as missing/);
  });
});
