/**
 * What each segment is: size, share, feature means against the overall mean, categorical
 * mix, a readable name from its most distinctive features, and a marketing recommendation.
 */
import type { BoxStats } from './box-stats.ts';
import { clusterSizes } from './metrics.ts';
import { ColumnFacts, levelCountsBySegment, numericBySegment } from './segment-columns.ts';
import type { DataTable, NumericColumn, TextColumn } from './table.ts';

export interface FeatureProfile {
  feature: string;
  mean: number;
  median: number;
  overallMean: number;
  /** (segment mean - overall mean) / overall population SD. */
  differenceSd: number;
  /** Quartiles, whiskers and outlier count within the segment: the box plot by segment. */
  spread: BoxStats;
}

export interface CategoryShare {
  level: string;
  count: number;
  share: number;
}

export interface SegmentProfile {
  id: number;
  name: string;
  size: number;
  share: number;
  features: FeatureProfile[];
  categories: { feature: string; mix: CategoryShare[] }[];
  /** Features that set the segment apart, most distinctive first (|differenceSd| >= 0.5). */
  distinguishing: { feature: string; differenceSd: number; description: string }[];
  recommendation: string;
}

/** Below this many SD from the overall mean a feature does not make a segment distinctive. */
export const DISTINCTIVE_SD = 0.5;

interface Concept {
  pattern: RegExp;
  high: string;
  low: string;
  role: 'age' | 'income' | 'spending' | 'frequency' | 'tenure' | 'recency' | 'basket' | 'other';
}

// Business words for common column meanings; anything else reads "high <column>".
const CONCEPTS: Concept[] = [
  { pattern: /recency|days.?since|last.?seen|inactive/i, high: 'lapsed', low: 'recently active', role: 'recency' },
  { pattern: /\bage\b|^age|age$/i, high: 'older', low: 'young', role: 'age' },
  { pattern: /income|salary|earning|wealth/i, high: 'high income', low: 'low income', role: 'income' },
  { pattern: /spend|score|monetary/i, high: 'high spending', low: 'low spending', role: 'spending' },
  { pattern: /freq|visits|orders|invoices|purchases.?per/i, high: 'frequent', low: 'infrequent', role: 'frequency' },
  { pattern: /member|tenure|years|loyal/i, high: 'long-standing', low: 'new', role: 'tenure' },
  { pattern: /amount|basket|order.?value|aov|purchase|price/i, high: 'big-basket', low: 'small-basket', role: 'basket' },
];

/** Longer column names are cut in segment names: a name has to fit a legend and a heading. */
const NAME_PART_MAX = 32;

/**
 * A column name as words a person would write: MntWines -> "mnt wines", PURCHASES_FREQUENCY
 * -> "purchases frequency", "Annual Income (k$)" -> "annual income" (units are for axes).
 */
export function humanise(column: string): string {
  const words = column
    .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_.\-/]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase() || column.trim().toLowerCase();
  return words.length > NAME_PART_MAX ? `${words.slice(0, NAME_PART_MAX - 1)}…` : words;
}

function conceptFor(feature: string): Concept {
  return CONCEPTS.find((c) => c.pattern.test(feature)) ?? {
    pattern: /$^/,
    high: `high ${humanise(feature)}`,
    low: `low ${humanise(feature)}`,
    role: 'other',
  };
}

export function describeDifference(feature: string, differenceSd: number): string {
  const concept = conceptFor(feature);
  return differenceSd >= 0 ? concept.high : concept.low;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A marketing recommendation from the segment's standing on the common business concepts. */
export function recommend(distinguishing: { feature: string; differenceSd: number }[]): string {
  // Standing on a concept: the strongest distinguishing feature with that role, or null.
  const z = (...roles: Concept['role'][]): number | null => {
    const hits = distinguishing.filter((d) => roles.includes(conceptFor(d.feature).role));
    if (hits.length === 0) return null;
    return hits.reduce((a, b) => (Math.abs(b.differenceSd) > Math.abs(a.differenceSd) ? b : a)).differenceSd;
  };
  const high = (v: number | null) => v !== null && v >= DISTINCTIVE_SD;
  const low = (v: number | null) => v !== null && v <= -DISTINCTIVE_SD;
  const value = z('spending', 'basket');
  const income = z('income');
  if (high(z('recency'))) return 'Win back: a time-limited comeback offer and a "we miss you" message; ask what changed.';
  if (high(value) && high(income)) return 'Reward and retain: a VIP tier, early access to launches and personal service; protect them with perks rather than discounts.';
  if (low(value) && high(income)) return 'Unlock untapped potential: premium showcases and quality-led messages to turn their income into spend.';
  if (high(z('frequency')) && low(value)) return 'Upsell: bundles, free-delivery thresholds and "complete the set" offers to raise the value of each visit.';
  if (high(value) && low(income)) return 'Keep them engaged: trend-led content and a points programme on affordable lines that rewards frequency.';
  if (high(z('tenure'))) return 'Recognise loyalty: anniversary rewards, referral incentives and early-renewal perks.';
  if (low(value) || low(income)) return 'Value first: price-led promotions, multibuy deals and budget ranges; keep the cost of reaching them low.';
  if (low(z('age')) || low(z('tenure'))) return 'Grow the relationship: mobile-first onboarding offers and a welcome series that builds the habit.';
  if (high(value) || high(z('frequency'))) return 'Cross-sell: recommend adjacent categories to customers who already buy well.';
  return 'Nurture: regular personalised recommendations, and test offers to learn what moves this group.';
}

export interface ProfileInput {
  table: DataTable;
  /** Table row of each labelled row. */
  rowIndex: Int32Array;
  labels: Int32Array;
  k: number;
  /** The features the segmentation used: names are built from these first. */
  featureNames: string[];
  /** What earlier profiles of the same rows worked out (used only when its rowIndex is this one). */
  facts?: ColumnFacts;
}

/**
 * Segment statistics in passes over the columns, allocating nothing per row: on a million
 * customers, copies of each segment's values cost hundreds of MB of garbage per fit.
 */
export function buildProfiles(input: ProfileInput): SegmentProfile[] {
  const { table, rowIndex, labels, k } = input;
  const facts = input.facts?.rowIndex === rowIndex ? input.facts : new ColumnFacts(rowIndex);
  const total = labels.length;
  const numeric = table.columns.filter((c): c is NumericColumn => c.kind === 'numeric');
  const categorical = table.columns.filter((c): c is TextColumn => c.kind === 'categorical');
  const overall = numeric.map((col) => facts.overall(col.name, col.values));
  // The shared counting loop, optimised by every fit: this function's own copy of it, run once
  // per k, stayed in the interpreter for up to 60 ms on a million labels.
  const sizes = clusterSizes(labels, k);
  const segmentOfRow = facts.segmentOfRow(table.rowCount, labels);
  const bySegment = numeric.map((col) => numericBySegment(col.values, segmentOfRow, k, facts.countable(col.name, col.values)));
  const mixes = categorical.map((col) => {
    const codes = facts.levelCodes(col.name, col.values);
    return { levels: codes.levels, counts: levelCountsBySegment(codes, labels, k) };
  });
  const profiles = Array.from({ length: k }, (_, id): SegmentProfile => {
    const size = sizes[id];
    const features = numeric.map((col, j): FeatureProfile => {
      const m = bySegment[j].means[id];
      const sd = overall[j].sd;
      return {
        feature: col.name,
        mean: m,
        median: bySegment[j].boxes[id].median,
        spread: bySegment[j].boxes[id],
        overallMean: overall[j].mean,
        differenceSd: sd > 0 && Number.isFinite(m) ? (m - overall[j].mean) / sd : 0,
      };
    });
    const categories = categorical.map((col, c) => {
      const { levels, counts: byLevel } = mixes[c];
      const mix = levels.flatMap((level, code) => {
        const count = byLevel[code * k + id];
        return count > 0 ? [{ level, count, share: size ? count / size : 0 }] : [];
      });
      return { feature: col.name, mix: mix.sort((a, b) => b.count - a.count) };
    });
    const inModel = new Set(input.featureNames);
    const distinguishing = features
      .filter((f) => Math.abs(f.differenceSd) >= DISTINCTIVE_SD)
      // Features the segmentation used come first: they are what made the segment.
      .sort((a, b) => Number(inModel.has(b.feature)) - Number(inModel.has(a.feature)) || Math.abs(b.differenceSd) - Math.abs(a.differenceSd))
      .map((f) => ({ feature: f.feature, differenceSd: f.differenceSd, description: describeDifference(f.feature, f.differenceSd) }));
    return {
      id,
      name: '',
      size,
      share: total ? size / total : 0,
      features,
      categories,
      distinguishing,
      recommendation: recommend(distinguishing),
    };
  });
  assignUniqueNames(profiles);
  return profiles;
}

const DIRECTIONS = new Set(['high', 'low']);

/**
 * A name from the segment's most distinctive features, as a person would write it: no word
 * twice ("High balance and cash advance", not "High balance, high cash advance"), and a
 * feature whose words are already in the name left for the next one.
 */
export function segmentName(descriptions: string[], count: number): string {
  const used = new Set<string>();
  const phrases: { direction: string | null; rest: string }[] = [];
  for (const description of descriptions) {
    if (phrases.length >= count) break;
    const words = description.split(' ');
    const direction = DIRECTIONS.has(words[0]) ? words[0] : null;
    const nouns = direction ? words.slice(1) : words;
    if (nouns.some((w) => used.has(w))) continue;
    nouns.forEach((w) => used.add(w));
    phrases.push({ direction, rest: nouns.join(' ') });
  }
  if (phrases.length === 0) return 'Typical customers';
  // Phrases of one direction share it: "high A and B", then "low C".
  const parts: string[] = [];
  for (const direction of [...new Set(phrases.map((p) => p.direction))]) {
    const group = phrases.filter((p) => p.direction === direction).map((p) => p.rest);
    if (direction === null) parts.push(...group);
    else parts.push(`${direction} ${group.length > 1 ? `${group.slice(0, -1).join(', ')} and ${group[group.length - 1]}` : group[0]}`);
  }
  return capitalise(parts.join(', '));
}

/** Two most distinctive features, more where names collide. */
function assignUniqueNames(profiles: SegmentProfile[]): void {
  const nameWith = (p: SegmentProfile, count: number) => segmentName(p.distinguishing.map((d) => d.description), count);
  const depth = profiles.map(() => 2);
  for (let round = 0; round < 4; round++) {
    const names = profiles.map((p, i) => nameWith(p, depth[i]));
    const counts = new Map<string, number>();
    names.forEach((n) => counts.set(n, (counts.get(n) ?? 0) + 1));
    let collided = false;
    names.forEach((n, i) => {
      if (counts.get(n)! > 1 && depth[i] < profiles[i].distinguishing.length) {
        depth[i]++;
        collided = true;
      }
    });
    if (!collided) break;
  }
  const used = new Map<string, number>();
  profiles.forEach((p, i) => {
    const base = nameWith(p, depth[i]);
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    p.name = seen === 0 ? base : `${base} (${seen + 1})`;
  });
}
