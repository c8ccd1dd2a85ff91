import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choosePlay, NAME_MAX, nameFromPhrases, traitPhrase, traitText, type SegmentCharacter } from '../../../server/segmentation/segment-words.ts';

const neutral: SegmentCharacter = { value: 0, income: 0, engagement: 0, lapsed: 0, tenure: 0, age: 0, risk: null, favourite: null };

describe('the words a segment is told in', () => {
  it('calls a purchase count frequent, never big-basket, and money spend', () => {
    assert.equal(traitPhrase('PURCHASES_TRX', 'count', true).phrase, 'frequent buyers');
    assert.equal(traitPhrase('purchase_frequency', 'count', false).phrase, 'occasional buyers');
    assert.equal(traitPhrase('UnitPrice', 'money', true).phrase, 'high-price buyers');
    assert.equal(traitPhrase('Quantity', 'count', false).phrase, 'small quantities');
    assert.equal(traitPhrase('MntWines', 'money', true).phrase, 'big wines buyers');
    assert.equal(traitPhrase('last_purchase_amount', 'money', true).phrase, 'big spenders');
    assert.equal(traitPhrase('Annual Income (k$)', 'money', false).phrase, 'low income');
    assert.equal(traitPhrase('Year_Birth', 'birth-year', true).phrase, 'younger');
    assert.equal(traitPhrase('CASH_ADVANCE', 'money', true).phrase, 'heavy cash advance use');
  });

  it('never says frequent and infrequent in one name, and keeps names short', () => {
    const name = nameFromPhrases([traitPhrase('PURCHASES_TRX', 'count', true), traitPhrase('purchase_frequency', 'count', false), traitPhrase('tenure', 'tenure', false)], 2);
    assert.equal(name, 'Frequent buyers, new');
    const long = nameFromPhrases([{ concept: 'a', phrase: 'x'.repeat(40) }, { concept: 'b', phrase: 'y'.repeat(40) }], 2);
    assert.ok(long.length <= NAME_MAX, long);
    assert.equal(nameFromPhrases([], 2), 'Typical customers');
  });

  it('tells a trait in the data\'s units: years bare, rates as percentages, ratios to everyone', () => {
    assert.equal(traitText({ feature: 'Year_Birth', role: 'birth-year', mean: 1958.4, overallMean: 1968.8, differenceSd: -1 }), 'born 1958 vs 1969 overall');
    assert.equal(traitText({ feature: 'PURCHASES_FREQUENCY', role: 'rate', mean: 0.8, overallMean: 0.49, differenceSd: 1 }), 'purchases frequency 80% vs 49% overall');
    assert.equal(traitText({ feature: 'MntSpend', role: 'money', mean: 1240, overallMean: 605, differenceSd: 1 }), 'mnt spend: spends 1,240 vs 605 overall (2.0×)');
  });

  it('chooses plays from value, engagement, recency and risk', () => {
    assert.match(choosePlay({ ...neutral, value: 1, engagement: 1 }).text, /^Reward and retain/);
    assert.match(choosePlay({ ...neutral, lapsed: 1 }).text, /^Win back/);
    assert.match(choosePlay({ ...neutral, engagement: 1, value: -1 }).text, /^Upsell/);
    assert.match(choosePlay({ ...neutral, tenure: -1 }).text, /^Onboard/);
    assert.match(choosePlay({ ...neutral, value: -1, engagement: -1 }).text, /^Keep the cost/);
    assert.match(choosePlay({ ...neutral, age: -1 }).text, /^Grow with them/);
    assert.match(choosePlay({ ...neutral, value: 1, income: -1 }).text, /^Keep them engaged/);
    assert.match(choosePlay({ ...neutral, age: 1 }).text, /^Serve them well/);
  });

  it('never gives a growth play to a risk-like segment', () => {
    for (const risk of ['credit', 'churn'] as const) {
      const play = choosePlay({ ...neutral, value: 1, engagement: 1, risk });
      assert.doesNotMatch(play.text, /Reward|Upsell|Cross-sell|Deepen/);
    }
  });
});
