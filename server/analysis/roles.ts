/**
 * What a column means to a marketer, beside its kind: money, a count, a rate, recency,
 * tenure, age, a birth year, a score, a flag, an outcome (what a campaign wants to move),
 * a calendar part, or a plain measure. Guessed from the header and a sample of values,
 * shown in the import preview with the reason, and changed there by the user. Roles decide
 * the default features (outcomes and calendar parts are not), the words of segment names,
 * the plays, and the outcome rates shown per segment.
 */
import type { ColumnKind } from './column-kind.ts';

export const ROLES = [
  'money',
  'count',
  'rate',
  'recency',
  'tenure',
  'age',
  'birth-year',
  'score',
  'flag',
  'outcome',
  'calendar',
  'derived',
  'measure',
] as const;
export type ColumnRole = (typeof ROLES)[number];

/** How the preview names each role. */
export const ROLE_LABELS: Record<ColumnRole, string> = {
  money: 'money',
  count: 'count',
  rate: 'rate or share',
  recency: 'recency (time since)',
  tenure: 'tenure',
  age: 'age',
  'birth-year': 'birth year',
  score: 'score',
  flag: 'yes/no flag',
  outcome: 'outcome',
  calendar: 'calendar part',
  derived: 'derived from other columns',
  measure: 'measure or category',
};

/**
 * Roles that never make a default feature: an outcome is what segments are judged by, a day
 * of month is noise, and a column derived from others (RFM's 1-5 scores beside the values
 * they score) would count the same information twice.
 */
export const NOT_DEFAULT_FEATURE: ReadonlySet<ColumnRole> = new Set<ColumnRole>(['outcome', 'calendar', 'derived']);

export interface RoleGuess {
  role: ColumnRole;
  /** Why, in words for the preview. */
  reason: string;
  /**
   * A value that stands for "never" or "none" rather than a quantity (pdays = -1 in 59 % of
   * rows): such a column is not a default feature, since its sentinel would make a segment.
   */
  sentinel?: { value: number; share: number };
}

/** What the guess reads of a column: its header, its kind and its sample's present values. */
export interface RoleSample {
  name: string;
  kind: ColumnKind;
  /** The sample's present values that are numbers (all of them for a numeric column). */
  numbers: readonly number[];
  /** The sample's distinct present text values, lower-cased (for a categorical column). */
  levels: readonly string[];
}

/** The header as lower-case words: "PURCHASES_TRX" -> "purchases trx", "NumWebPurchases" -> "num web purchases". */
export function headerWords(name: string): string {
  return name
    .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Any of the words, as a regular expression's alternatives (the words' own patterns kept). */
const anyOf = (words: string): string =>
  `(${words
    .trim()
    .split(/\s*,\s*/)
    .join('|')})`;

const OUTCOME_NAME = new RegExp(
  `^${anyOf(
    'y, response, responded, churn, churned, exited, attrition, converted, conversion, outcome, target, subscribed, deposit, ' +
      'purchased, default, defaulted, accepted( cmp)? ?\\d*, label',
  )}$`,
);
const CALENDAR_NAME = /(^| )(day( of)? month|day of week|weekday|month|dom|dow|day)$/;
const BIRTH_YEAR_NAME = /(year (of )?birth|birth ?year|yob|born)/;
const AGE_NAME = /(^| )age( |$)|(^| )age years/;
const RECENCY_NAME = /(recency|days? since|since last|last (seen|visit|contact|purchase days)|inactive|pdays|dormant)/;
const TENURE_NAME = /(tenure|membership|member since|member years|customer since|years (with|as)|months (with|as)|seniority)/;
const RATE_NAME = /(frequency|rate|ratio|share|pct|percent|prc|proportion)( |$)/;
const SCORE_NAME = /(score|rating|satisfaction|nps)( |$)/;
const COUNT_NAME = new RegExp(
  `(^| )${anyOf(
    'num, number, count, n, trx, transactions?, visits?, orders?, invoices?, kids?, kidhome, teenhome, children, campaign, ' +
      'previous, calls?, products?, items?, quantity, qty',
  )}( |$)|^num `,
);
const MONEY_NAME = new RegExp(
  `${anyOf(
    'income, salary, earning, spend, spending, amount, balance, price, revenue, monetary, value, payments?, charges?, cost, fee, ' +
      'mnt, credit limit, cash advance, purchases, fresh, milk, grocery, frozen, detergents, delicassen, sales, profit, wealth',
  )}( |$)`,
);

const YES_NO = new Set(['yes', 'no', 'y', 'n', 'true', 'false', 't', 'f', '0', '1']);

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** Two values only, 0/1 or yes/no. */
function isTwoValued(sample: RoleSample): boolean {
  if (sample.kind === 'numeric') {
    const distinct = new Set(sample.numbers);
    return distinct.size >= 1 && distinct.size <= 2 && [...distinct].every((v) => v === 0 || v === 1);
  }
  return sample.levels.length > 0 && sample.levels.length <= 2 && sample.levels.every((l) => YES_NO.has(l));
}

/**
 * A value standing for "never": -1, 999, 9999 or -999 in more than 3 % of the rows, set
 * apart from every other value (below all of them, or more than twice the largest).
 */
export function findSentinel(numbers: readonly number[]): { value: number; share: number } | undefined {
  if (numbers.length < 20) return undefined;
  for (const value of [-1, -999, 999, 9999]) {
    let hits = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of numbers) {
      if (v === value) hits++;
      else {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    const share = hits / numbers.length;
    if (share <= 0.03 || hits === numbers.length) continue;
    const apart = value < 0 ? min >= 0 : max * 2 < value && min >= 0;
    if (apart) return { value, share };
  }
  return undefined;
}

function range(numbers: readonly number[]): { min: number; max: number; integers: boolean } {
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  for (const v of numbers) {
    if (v < min) min = v;
    if (v > max) max = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  return { min, max, integers };
}

/** The role a column most likely plays, from its header first and its values second. */
export function inferRole(sample: RoleSample): RoleGuess {
  const words = headerWords(sample.name);
  // A dataset imported before roles has only its header to go by.
  const nameOnly = sample.numbers.length === 0 && sample.levels.length === 0;
  const numeric = sample.kind === 'numeric' || (sample.numbers.length > 0 && sample.levels.length <= sample.numbers.length);
  const { min, max, integers } = range(sample.numbers);
  const guess = (role: ColumnRole, reason: string): RoleGuess => {
    const sentinel = sample.kind === 'numeric' ? findSentinel(sample.numbers) : undefined;
    if (!sentinel) return { role, reason };
    return {
      role,
      reason:
        `${reason}; ${sentinel.value} in ${percent(sentinel.share)} of rows stands for "never" or "none", so it is not a default ` +
        `feature`,
      sentinel,
    };
  };
  if (OUTCOME_NAME.test(words) && (nameOnly || isTwoValued(sample) || (sample.kind === 'categorical' && sample.levels.length <= 5))) {
    return { role: 'outcome', reason: 'named like a result (response, churn, converted): shown as a rate per segment, not clustered on' };
  }
  if (BIRTH_YEAR_NAME.test(words) || (!nameOnly && /year/.test(words) && numeric && integers && min >= 1890 && max <= 2030)) {
    return guess('birth-year', 'a year of birth: read as age, written without separators');
  }
  if (numeric && integers && CALENDAR_NAME.test(words) && min >= 0 && max <= 31) {
    return { role: 'calendar', reason: 'a day or month of the calendar: says when, not who, so not a default feature' };
  }
  if (sample.kind === 'id' || sample.kind === 'date' || sample.kind === 'text')
    return { role: 'measure', reason: 'not analysed (an identifier, a date or free text)' };
  if (sample.kind !== 'numeric') {
    if (isTwoValued(sample)) return { role: 'flag', reason: 'two values, yes or no' };
    return { role: 'measure', reason: 'categories' };
  }
  if (RECENCY_NAME.test(words)) return guess('recency', 'time since the last contact or purchase: high means lapsed');
  if (TENURE_NAME.test(words)) return guess('tenure', 'how long the customer has been with you');
  if (AGE_NAME.test(words)) return guess('age', "the customer's age");
  if (isTwoValued(sample)) return guess('flag', 'two values, 0 or 1');
  // "frequency" is a rate between 0 and 1 (PURCHASES_FREQUENCY) or a count per period (purchase_frequency 9.5).
  if (RATE_NAME.test(words) && (nameOnly || (min >= 0 && max <= 1))) return guess('rate', 'a rate between 0 and 1');
  if (/(pct|percent|prc|share)( |$)/.test(words) && min >= 0 && max <= 100) return guess('rate', 'a percentage');
  if (/frequency|freq( |$)/.test(words)) return guess('count', 'purchases or visits per period');
  if (SCORE_NAME.test(words)) return guess('score', 'a score on a fixed scale');
  if (COUNT_NAME.test(words) && (integers || max <= 1000)) return guess('count', 'a count of purchases, visits or items');
  if (MONEY_NAME.test(words)) return guess('money', 'an amount of money (spend, income, balance or price)');
  if (!integers && min >= 0 && max <= 1) return guess('rate', 'values between 0 and 1: a rate or share');
  return guess('measure', 'a number');
}

/** For datasets imported before roles: the guess from the header and kind alone. */
export function roleFromName(name: string, kind: ColumnKind): ColumnRole {
  return inferRole({ name, kind, numbers: [], levels: [] }).role;
}
