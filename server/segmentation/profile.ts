/**
 * What each segment is: size, share, feature means against the overall mean, categorical
 * mix, a readable name from its most distinctive features, and a marketing recommendation.
 */
import type { BoxStats } from '../analysis/box-stats.ts';
import { clusterSizes } from '../analysis/metrics.ts';
import { getNamed } from '../analysis/named.ts';
import { addOutcomes, happenedRate, type OutcomeRates } from './segment-outcomes.ts';
import { segmentProducts, type SegmentProducts } from '../analysis/products.ts';
import { headerWords, roleFromName, type ColumnRole } from '../analysis/roles.ts';
import { ColumnFacts, levelCountsBySegment, numericBySegment } from './segment-columns.ts';
import { choosePlay, isRiskFeature, nameFromPhrases, traitPhrase, traitText, type SegmentCharacter } from './segment-words.ts';
import type { Column, DataTable, NumericColumn, TextColumn } from '../analysis/table.ts';

export interface FeatureProfile {
  feature: string;
  /** What the column means (roles.ts): how its numbers are written. */
  role: ColumnRole;
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

export interface DistinguishingFeature {
  feature: string;
  role: ColumnRole;
  /** Scaled distance from everyone, for the API: the tabs speak in the data's units. */
  differenceSd: number;
  /** The name's words for it: "big spenders". */
  description: string;
  /** In the data's units: "spends 1,240 vs 605 overall (2.0×)". */
  text: string;
}

export interface SegmentProfile {
  id: number;
  name: string;
  size: number;
  share: number;
  features: FeatureProfile[];
  categories: { feature: string; mix: CategoryShare[] }[];
  /** Features that set the segment apart (isDistinctive), most distinctive first; never an outcome. */
  distinguishing: DistinguishingFeature[];
  /** Outcome columns (response, churn): each level's share in the segment. */
  outcomes: OutcomeRates;
  /** The same over every customer profiled, to read the segment's rates against. */
  outcomesOverall: OutcomeRates;
  /** The segment's share of the total of the main money column (spend), beside its share of customers. */
  valueShare: { feature: string; share: number } | null;
  /** Top and trending products, for an RFM dataset whose log names its products. */
  products?: SegmentProducts;
  recommendation: string;
}

/** Below this many SD from the overall mean a feature does not make a segment distinctive. */
export const DISTINCTIVE_SD = 0.5;

/**
 * Whether a feature sets a segment apart: half an SD from everyone, or on a skewed amount
 * (a long tail inflates the SD) a quarter of one with half or twice everyone's mean. On the
 * credit-card file a segment spending 0.4× the average was "close to the average customer".
 */
export function isDistinctive(f: Pick<FeatureProfile, 'differenceSd' | 'mean' | 'overallMean'>): boolean {
  const size = Math.abs(f.differenceSd);
  if (size >= DISTINCTIVE_SD) return true;
  const ratio = f.overallMean > 0 && f.mean >= 0 ? f.mean / f.overallMean : 1;
  return size >= DISTINCTIVE_SD / 2 && (ratio >= 2 || ratio <= 0.5);
}

/** Outcomes whose rise is a loss (churn), not a win (response). */
const LOSS_OUTCOME = /churn|attrition|exit|left|cancel|complain|default/i;

/**
 * A column name as words a person would write: MntWines -> "mnt wines", PURCHASES_FREQUENCY
 * -> "purchases frequency", "Annual Income (k$)" -> "annual income" (units are for axes).
 */
export function humanise(column: string): string {
  return headerWords(column) || column.trim().toLowerCase();
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
  const roleOf = (col: Column): ColumnRole => (table.roles && getNamed(table.roles, col.name)) ?? roleFromName(col.name, col.kind);
  const numeric = table.columns.filter((c): c is NumericColumn => c.kind === 'numeric');
  const categorical = table.columns.filter((c): c is TextColumn => c.kind === 'categorical');
  const roles = new Map<string, ColumnRole>(table.columns.map((c) => [c.name, roleOf(c)]));
  const overall = numeric.map((col) => facts.overall(col.name, col.values));
  // The shared counting loop, optimised by every fit: this function's own copy of it, run once
  // per k, stayed in the interpreter for up to 60 ms on a million labels.
  const sizes = clusterSizes(labels, k);
  const segmentOfRow = facts.segmentOfRow(table.rowCount, labels);
  const bySegment = numeric.map((col) => numericBySegment(col.values, segmentOfRow, k, facts.countable(col.name, col.values)));
  const mixes = categorical.map((col) => {
    const codes = facts.levelCodes(col);
    return { levels: codes.levels, counts: levelCountsBySegment(codes, labels, k) };
  });
  const inModel = new Set(input.featureNames);
  const valueColumn = mainMoneyColumn(numeric, roles, inModel);
  const profiles = Array.from({ length: k }, (_, id): SegmentProfile => {
    const size = sizes[id];
    const features = numeric.map((col, j): FeatureProfile => {
      const m = bySegment[j].means[id];
      const sd = overall[j].sd;
      return {
        feature: col.name,
        role: roles.get(col.name)!,
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
    const distinguishing = features
      // Outcomes are reported as rates; a derived score (RFM's 1-5) repeats the value beside it.
      .filter((f) => isDistinctive(f) && roles.get(f.feature) !== 'outcome' && roles.get(f.feature) !== 'derived')
      // Features the segmentation used come first: they are what made the segment.
      .sort(
        (a, b) => Number(inModel.has(b.feature)) - Number(inModel.has(a.feature)) || Math.abs(b.differenceSd) - Math.abs(a.differenceSd),
      )
      .map(describeFeature);
    const valueIndex = valueColumn ? numeric.indexOf(valueColumn) : -1;
    return {
      id,
      name: '',
      size,
      share: total ? size / total : 0,
      features,
      categories,
      distinguishing,
      outcomes: {},
      outcomesOverall: {},
      valueShare: valueIndex >= 0 ? { feature: valueColumn!.name, share: shareOfTotal(bySegment[valueIndex].sums, id) } : null,
      recommendation: '',
    };
  });
  addOutcomes(profiles, numeric, categorical, roles, bySegment, overall, mixes, k);
  if (table.purchases) segmentProducts(table.purchases, segmentOfRow, k).forEach((products, id) => (profiles[id].products = products));
  assignUniqueNames(profiles, roles);
  assignPlays(profiles);
  return profiles;
}

function describeFeature(f: FeatureProfile): DistinguishingFeature {
  const { role } = f;
  const { phrase } = traitPhrase(f.feature, role, f.differenceSd >= 0);
  return { feature: f.feature, role, differenceSd: f.differenceSd, description: phrase, text: traitText(f) };
}

const shareOfTotal = (sums: ArrayLike<number>, id: number) => {
  let all = 0;
  for (let g = 0; g < sums.length; g++) all += sums[g];
  return all > 0 ? sums[id] / all : 0;
};

/** The money column whose total is "revenue": spend or charges, a feature of the segmentation first. */
function mainMoneyColumn(numeric: NumericColumn[], roles: Map<string, ColumnRole>, inModel: Set<string>): NumericColumn | undefined {
  const spendLike = numeric.filter(
    (c) => roles.get(c.name) === 'money' && ['spend', 'charges'].includes(traitPhrase(c.name, 'money', true).concept),
  );
  return spendLike.find((c) => inModel.has(c.name)) ?? spendLike[0];
}

/** What a play reads of a segment: its standing on value, engagement, recency, tenure and risk. */
function characterOf(p: SegmentProfile): SegmentCharacter {
  const standing = (concepts: string[]) => {
    const hit = p.distinguishing.find((d) => concepts.includes(traitPhrase(d.feature, d.role, true).concept));
    return hit ? Math.sign(hit.differenceSd) : 0;
  };
  const credit = p.distinguishing.some((d) => isRiskFeature(d.feature) && d.differenceSd >= DISTINCTIVE_SD);
  const churn = Object.entries(p.outcomes).some(([column, shares]) => {
    if (!LOSS_OUTCOME.test(column)) return false;
    const rate = happenedRate(shares);
    const everyone = happenedRate(p.outcomesOverall[column]);
    return rate !== undefined && everyone !== undefined && rate >= everyone * 1.3 && rate - everyone >= 0.05;
  });
  const favourite = p.distinguishing.find(
    (d) => d.role === 'money' && d.differenceSd >= 1 && d.description.startsWith('big ') && d.description.endsWith(' buyers'),
  );
  // Without a spend column, product lines bought mostly below everyone mean low value (those
  // bought above are a favourite to cross-sell around, below).
  const lines = p.distinguishing.filter((d) => d.role === 'money' && /^(big|light) .+ buyers$/.test(d.description));
  const linesStanding = Math.sign(lines.reduce((sum, d) => sum + Math.sign(d.differenceSd), 0));
  const spend = standing(['spend', 'charges']);
  return {
    value: spend !== 0 ? spend : Math.min(0, linesStanding),
    income: standing(['income']),
    engagement: standing(['frequency']),
    lapsed: Math.max(0, standing(['recency'])),
    tenure: standing(['tenure']),
    age: standing(['age']),
    risk: credit ? 'credit' : churn ? 'churn' : null,
    favourite: favourite ? favourite.description.slice(4, -7) : null,
  };
}

/**
 * A play per segment from its character. Segments that get the same play are told what sets
 * each apart, so no two cards read alike unless the segments are.
 */
function assignPlays(profiles: SegmentProfile[]): void {
  const plays = profiles.map((p) => choosePlay(characterOf(p)));
  const counts = new Map<string, number>();
  plays.forEach((play) => counts.set(play.key, (counts.get(play.key) ?? 0) + 1));
  profiles.forEach((p, i) => {
    const lead = p.distinguishing[0];
    p.recommendation =
      counts.get(plays[i].key)! > 1 && lead ? `${plays[i].text} Lead with what sets them apart: ${lead.text}.` : plays[i].text;
  });
}

/** The column an RFM dataset keeps each customer's classic RFM group in (ingest/transactions.ts). */
export const RFM_GROUP_COLUMN = 'rfm_segment';

/**
 * On RFM data, the familiar group a segment mostly is ("Champions", "At Risk"): the group of
 * at least half its customers, or "Mostly …" for at least 40%.
 */
function rfmGroupOf(p: SegmentProfile): string | undefined {
  const top = p.categories.find((c) => c.feature === RFM_GROUP_COLUMN)?.mix[0];
  if (!top) return undefined;
  if (top.share >= 0.5) return top.level;
  return top.share >= 0.4 ? `mostly ${top.level}` : undefined;
}

/**
 * Names from the distinctive features' phrases, two by default, more where names collide;
 * past the distinctive ones, the next-largest differences break a tie, so no "(2)" is needed.
 */
function assignUniqueNames(profiles: SegmentProfile[], roles: Map<string, ColumnRole>): void {
  const phrasesOf = profiles.map((p) => {
    const group = rfmGroupOf(p);
    const strong = [
      ...(group ? [{ concept: 'rfm', phrase: group }] : []),
      ...p.distinguishing.map((d) => traitPhrase(d.feature, d.role, d.differenceSd >= 0)),
    ];
    const named = new Set(p.distinguishing.map((d) => d.feature));
    const weaker = p.features
      .filter((f) => !named.has(f.feature) && roles.get(f.feature) !== 'outcome' && f.differenceSd !== 0)
      .sort((a, b) => Math.abs(b.differenceSd) - Math.abs(a.differenceSd))
      .map((f) => traitPhrase(f.feature, roles.get(f.feature)!, f.differenceSd >= 0));
    return { strong, all: [...strong, ...weaker] };
  });
  const depth = profiles.map(() => 2);
  const nameOf = (i: number) => {
    const { strong, all } = phrasesOf[i];
    return nameFromPhrases(depth[i] <= 2 || depth[i] <= strong.length ? strong : all, depth[i]);
  };
  for (let round = 0; round < 6; round++) {
    const names = profiles.map((_, i) => nameOf(i));
    const counts = new Map<string, number>();
    names.forEach((n) => counts.set(n, (counts.get(n) ?? 0) + 1));
    let collided = false;
    names.forEach((n, i) => {
      if (counts.get(n)! > 1 && depth[i] < Math.min(5, phrasesOf[i].all.length)) {
        depth[i]++;
        collided = true;
      }
    });
    if (!collided) break;
  }
  // Segments that agree on every feature's direction (two features, eight segments): the one
  // furthest from everyone is "very", the nearest "mildly"; a fourth alike is numbered.
  const alike = new Map<string, number[]>();
  profiles.forEach((_, i) => alike.set(nameOf(i), [...(alike.get(nameOf(i)) ?? []), i]));
  const reach = (i: number) => Math.abs(profiles[i].distinguishing[0]?.differenceSd ?? 0);
  for (const [base, members] of alike) {
    members.sort((a, b) => reach(b) - reach(a));
    const lower = base.charAt(0).toLowerCase() + base.slice(1);
    const qualified =
      members.length === 1 ? [base] : members.length === 2 ? [`Very ${lower}`, base] : [`Very ${lower}`, base, `Mildly ${lower}`];
    members.forEach((i, rank) => (profiles[i].name = qualified[rank] ?? `${base} ${rank + 1}`));
  }
}
