/**
 * How a segment is told to a marketer: each distinctive feature as a phrase for the name
 * ("big spenders", "lapsed") and a sentence in the data's own units ("spends 1,240 vs 605
 * overall (2.0×)"), the name built from those phrases, and a play chosen from what the
 * segment is: value × engagement × recency × risk. The words follow the column's role
 * (roles.ts), so a purchase count is "frequent", never "big-basket".
 */
import { formatFixed, formatNumber, formatPercent, formatYear } from '../format.ts';
import { headerWords, type ColumnRole } from '../analysis/roles.ts';

/** A feature that sets a segment apart, told in words. */
export interface TraitWords {
  /** What the feature speaks of ("spend", "frequency", "income"): a name says each once. */
  concept: string;
  /** The name's words for it, "big spenders" or "low spenders". */
  phrase: string;
  /** In the data's units: "spends 1,240 vs 605 overall (2.0×)". */
  text: string;
}

export interface TraitInput {
  feature: string;
  role: ColumnRole;
  mean: number;
  overallMean: number;
  differenceSd: number;
}

/** Longest name a legend and a heading hold. */
export const NAME_MAX = 48;

const GENERIC_SPEND = new Set([
  'total',
  'spend',
  'spending',
  'spent',
  'amount',
  'monetary',
  'purchase',
  'purchases',
  'revenue',
  'sales',
  'value',
  'annual',
  'last',
  'avg',
  'average',
  'mean',
  'order',
  'score',
  'mnt',
  'monthly',
  'yearly',
  'customer',
  'lifetime',
]);
const PURCHASE_WORDS = new Set([
  'purchase',
  'purchases',
  'order',
  'orders',
  'transaction',
  'transactions',
  'visit',
  'visits',
  'invoice',
  'invoices',
  'buy',
  'buys',
]);
const COUNT_FILLER = new Set([
  'num',
  'number',
  'of',
  'count',
  'n',
  'trx',
  'total',
  'no',
  'frequency',
  'freq',
  'prc',
  'pct',
  'percent',
  'rate',
  'ratio',
  'share',
]);
const RISK = /cash advance|debt|arrears|overdue|late|complain|default|minimum payment|loan/;

const rest = (words: string, drop: ReadonlySet<string>) =>
  words
    .split(' ')
    .filter((w) => !drop.has(w))
    .join(' ');
const subsetOf = (words: string, set: ReadonlySet<string>) => words.split(' ').every((w) => set.has(w));

/** Whether the feature's growth is a risk (cash advances, debt, complaints), not a value. */
export function isRiskFeature(feature: string): boolean {
  return RISK.test(headerWords(feature));
}

/** The name's phrase and its concept for one feature, high or low. */
export function traitPhrase(feature: string, role: ColumnRole, high: boolean): { concept: string; phrase: string } {
  const words = headerWords(feature) || feature.toLowerCase();
  const pick = (concept: string, up: string, down: string) => ({ concept, phrase: high ? up : down });
  if (/income|salary|earning|wealth/.test(words)) return pick('income', 'high income', 'low income');
  if (isRiskFeature(feature)) {
    const what = rest(words, COUNT_FILLER);
    return pick(what, `heavy ${what} use`, `little ${what} use`);
  }
  if (/(^| )price( |$)/.test(words)) return pick('price', 'high-price buyers', 'low-price buyers');
  if (/(^| )(quantity|qty|units)( |$)/.test(words)) return pick('quantity', 'large quantities', 'small quantities');
  switch (role) {
    case 'recency':
      return pick('recency', 'lapsed', 'recently active');
    case 'tenure':
      return pick('tenure', 'long-standing', 'new');
    case 'age':
      return pick('age', 'older', 'younger');
    case 'birth-year':
      return pick('age', 'younger', 'older');
    case 'money':
    case 'score': {
      if (/charge/.test(words)) return pick('charges', 'high-paying', 'low-paying');
      if (/spend|monetary/.test(words) || (role === 'money' && subsetOf(words, GENERIC_SPEND)))
        return pick('spend', 'big spenders', 'low spenders');
      if (role === 'score') return pick(words, `high ${words}`, `low ${words}`);
      const what = rest(words, GENERIC_SPEND) || words;
      if (/balance|limit|payment/.test(what)) return pick(what, `high ${what}`, `low ${what}`);
      return pick(what, `big ${what} buyers`, `light ${what} buyers`);
    }
    case 'count':
    case 'rate': {
      const what = rest(words, COUNT_FILLER);
      if (what === '' || subsetOf(what, PURCHASE_WORDS)) return pick('frequency', 'frequent buyers', 'occasional buyers');
      if (/full payment/.test(what)) return pick(what, 'pays in full', 'rarely pays in full');
      if (role === 'rate' && /frequency/.test(words)) return pick(what, `frequent ${what}`, `rare ${what}`);
      return pick(what, `many ${what}`, `few ${what}`);
    }
    case 'flag':
      return pick(words, `mostly ${words}`, `rarely ${words}`);
    default:
      return pick(words, `high ${words}`, `low ${words}`);
  }
}

/** A value as the column's role reads it: years bare, rates as percentages. */
export function formatForRole(value: number, role: ColumnRole): string {
  if (role === 'birth-year') return formatYear(value);
  if (role === 'rate' || role === 'flag') return Math.abs(value) <= 1 ? formatPercent(value, 0) : formatNumber(value);
  return formatNumber(value);
}

/** The feature in the data's units against everyone: "spends 1,240 vs 605 overall (2.0×)". */
export function traitText(input: TraitInput): string {
  const { feature, role, mean, overallMean } = input;
  const words = headerWords(feature) || feature;
  const vs = `${formatForRole(mean, role)} vs ${formatForRole(overallMean, role)} overall`;
  const ratio =
    mean > 0 && overallMean > 0 && role !== 'birth-year' && role !== 'rate' && role !== 'flag'
      ? ` (${formatRatio(mean / overallMean)})`
      : '';
  if (role === 'birth-year') return `born ${vs}`;
  if (role === 'age') return `aged ${vs}`;
  if (role === 'money' && /spend|amount|monetary|purchases?$/.test(words) && !isRiskFeature(feature))
    return `${words}: spends ${vs}${ratio}`;
  return `${words} ${vs}${ratio}`;
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${Math.round(ratio)}×` : `${formatFixed(ratio, 1)}×`;
}

/** Phrases joined as a person writes them: "Big spenders, frequent buyers", capitalised, at most NAME_MAX characters. */
export function nameFromPhrases(phrases: readonly { concept: string; phrase: string }[], count: number): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const p of phrases) {
    if (kept.length >= count) break;
    // One phrase per concept: "frequent" and "occasional" never meet in a name.
    if (seen.has(p.concept)) continue;
    seen.add(p.concept);
    kept.push(p.phrase);
  }
  if (kept.length === 0) return 'Typical customers';
  mergeBuyers(kept);
  let name = kept.join(', ');
  while (name.length > NAME_MAX && kept.length > 1) name = kept.splice(-1) && kept.join(', ');
  if (name.length > NAME_MAX) name = `${name.slice(0, NAME_MAX - 1).trimEnd()}…`;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** "big grocery buyers", "big milk buyers" -> "big grocery and milk buyers". */
function mergeBuyers(phrases: string[]): void {
  for (let i = 0; i + 1 < phrases.length; i++) {
    const a = /^(big|light) (.+) buyers$/.exec(phrases[i]);
    const b = /^(big|light) (.+) buyers$/.exec(phrases[i + 1]);
    if (a && b && a[1] === b[1]) phrases.splice(i, 2, `${a[1]} ${a[2]} and ${b[2]} buyers`);
  }
}

/** What a play is chosen from: the segment's standing on each axis (+1 high, -1 low, 0 neither). */
export interface SegmentCharacter {
  value: number;
  income: number;
  engagement: number;
  lapsed: number;
  tenure: number;
  /** Younger (-1) or older (+1) than everyone. */
  age: number;
  /** A risk-like feature high (cash advances, debt) or an outcome like churn well above the overall rate. */
  risk: 'credit' | 'churn' | null;
  /** A product line the segment buys much more of than others ("fresh", "wines"). */
  favourite: string | null;
}

export interface Play {
  /** Which play: segments with the same key get the same advice. */
  key: string;
  text: string;
}

/** A play chosen from the segment's character: never a growth play for a risk-like segment. */
export function choosePlay(c: SegmentCharacter): Play {
  const play = (key: string, text: string): Play => ({ key, text });
  if (c.risk === 'credit') {
    return play(
      'protect-credit',
      'Protect: review credit exposure, offer a repayment or balance-transfer plan and budgeting help; no offers that push more spending.',
    );
  }
  if (c.risk === 'churn') {
    return play(
      'retain',
      'Retain before they leave: a service check-in, an offer tied to a longer commitment, and a fix for what drives them away.',
    );
  }
  if (c.lapsed > 0 && c.value > 0)
    return play(
      'win-back-vip',
      'Win back big spenders: a personal note or call and a tailored comeback offer before they are gone for good.',
    );
  if (c.lapsed > 0) return play('win-back', 'Win back: a time-limited comeback offer and a "we miss you" message; ask what changed.');
  if (c.value > 0 && c.engagement > 0)
    return play(
      'reward',
      'Reward and retain: a VIP tier, early access to launches and personal service; protect them with perks rather than discounts.',
    );
  if (c.value > 0 && c.income < 0)
    return play('engage', 'Keep them engaged: trend-led content and a points programme on affordable lines that rewards frequency.');
  if (c.value > 0)
    return play(
      'deepen',
      'Deepen: they spend well when they come; timed reminders and personal recommendations to bring them back more often.',
    );
  if (c.income > 0 && c.value <= 0)
    return play('unlock', 'Unlock untapped potential: premium showcases and quality-led messages to turn their income into spend.');
  if (c.engagement > 0 && c.value < 0)
    return play('upsell', 'Upsell: bundles, free-delivery thresholds and "complete the set" offers to raise the value of each visit.');
  if (c.favourite)
    return play(
      `cross-sell:${c.favourite}`,
      `Cross-sell around ${c.favourite}: lead with it, then recommend the lines its buyers add next.`,
    );
  if (c.tenure < 0)
    return play('onboard', 'Onboard: a welcome series and a first-repeat offer that builds the habit in their first months.');
  if (c.tenure > 0) return play('loyalty', 'Recognise loyalty: anniversary rewards, referral incentives and early-renewal perks.');
  if (c.value < 0 && c.engagement < 0)
    return play('low-cost', 'Keep the cost to serve low: automated, price-led offers through cheap channels; test a reactivation trigger.');
  if (c.value < 0 || c.income < 0)
    return play('value', 'Value first: price-led promotions, multibuy deals and budget ranges; keep the cost of reaching them low.');
  if (c.age < 0)
    return play('young', 'Grow with them: mobile-first offers, social proof and a loyalty start that rewards their first purchases.');
  if (c.age > 0)
    return play(
      'mature',
      'Serve them well: service-led contact, clear value and comfort-first offers through the channels they already use.',
    );
  if (c.engagement < 0)
    return play('activate', 'Activate: reminders and a small incentive on the next purchase to turn occasional visits into a habit.');
  return play('nurture', 'Nurture: regular personalised recommendations, and test offers to learn what moves this group.');
}
