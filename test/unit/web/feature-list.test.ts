import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFeatureList, parseFeatureList } from '../../../server/web/feature-list.ts';

describe('the features parameter', () => {
  it('splits plain names on commas', () => {
    assert.deepEqual(parseFeatureList('age, annual_income ,spending_score'), ['age', 'annual_income', 'spending_score']);
  });

  it('reads a quoted name that holds a comma or a quote, CSV-style', () => {
    assert.deepEqual(parseFeatureList('"Region, Country",age,"say ""hi"""'), ['Region, Country', 'age', 'say "hi"']);
    assert.deepEqual(parseFeatureList(['Region, Country', 'age']), ['Region, Country', 'age'], 'or one name per repeated parameter');
  });

  it('writes back what it reads', () => {
    const names = ['Region, Country', 'Spend <30d', 'say "hi"', 'pre--post', 'Income > 50k'];
    assert.equal(formatFeatureList(names), '"Region, Country",Spend <30d,"say ""hi""",pre--post,Income > 50k');
    assert.deepEqual(parseFeatureList(formatFeatureList(names)), names);
  });

  it('refuses an unclosed quote with a message', () => {
    assert.throws(() => parseFeatureList('"Region, Country'), /never closed/);
  });
});
