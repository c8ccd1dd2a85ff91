/**
 * Outcomes per segment (churn, response): each level's share in each segment and over
 * everyone, and the reading a card, chart or report gives of them.
 */
import type { NumericColumn, TextColumn } from '../analysis/table.ts';
import type { ColumnRole } from '../analysis/roles.ts';

/** Per outcome column, each level's share of the segment's customers who have a value. */
export type OutcomeRates = Record<string, Record<string, number>>;

/** An outcome level that counts as "it happened": the rate shown is this level's share. */
const HAPPENED = new Set(['yes', 'y', '1', 'true', 't']);

/** What outcomes are read from and written to: a segment's profile (profile.ts). */
interface WithOutcomes {
  id: number;
  outcomes: OutcomeRates;
  outcomesOverall: OutcomeRates;
}

/** Each outcome column's level shares per segment and overall: a 0/1 column's mean is its rate. */
export function addOutcomes(
  profiles: WithOutcomes[],
  numeric: NumericColumn[],
  categorical: TextColumn[],
  roles: Map<string, ColumnRole>,
  bySegment: { means: ArrayLike<number> }[],
  overall: { mean: number }[],
  mixes: { levels: readonly string[]; counts: ArrayLike<number> }[],
  k: number,
): void {
  numeric.forEach((col, j) => {
    if (roles.get(col.name) !== 'outcome') return;
    const rate = (mean: number) => ({ 1: Number.isFinite(mean) ? mean : 0, 0: Number.isFinite(mean) ? 1 - mean : 0 });
    for (const p of profiles) {
      p.outcomes[col.name] = rate(bySegment[j].means[p.id]);
      p.outcomesOverall[col.name] = rate(overall[j].mean);
    }
  });
  categorical.forEach((col, c) => {
    if (roles.get(col.name) !== 'outcome') return;
    const { levels, counts } = mixes[c];
    const totals = levels.map((_, code) => {
      let n = 0;
      for (let g = 0; g < k; g++) n += counts[code * k + g];
      return n;
    });
    const everyone = totals.reduce((a, b) => a + b, 0);
    for (const p of profiles) {
      const inSegment = levels.reduce((n, _, code) => n + counts[code * k + p.id], 0);
      p.outcomes[col.name] = Object.fromEntries(levels.map((level, code) => [level, inSegment ? counts[code * k + p.id] / inSegment : 0]));
      p.outcomesOverall[col.name] = Object.fromEntries(levels.map((level, code) => [level, everyone ? totals[code] / everyone : 0]));
    }
  });
}

/** The level of an outcome that says "it happened" (yes, 1), if one does. */
const happenedLevel = (levels: readonly string[]) => levels.find((l) => HAPPENED.has(l.trim().toLowerCase()));

/** The rate of "it happened" (yes, 1) in an outcome's shares, or undefined when no level says so. */
export function happenedRate(shares: Record<string, number>): number | undefined {
  const level = happenedLevel(Object.keys(shares));
  return level === undefined ? undefined : shares[level];
}

/** One outcome of a segment as a reader takes it: the rate of "it happened" (or of the commonest level) against everyone's. */
export interface OutcomeReading {
  column: string;
  level: string;
  rate: number;
  overall: number;
}

export function outcomeReadings(segment: Omit<WithOutcomes, 'id'>): OutcomeReading[] {
  return Object.entries(segment.outcomes).map(([column, shares]) => {
    const overall = segment.outcomesOverall[column] ?? {};
    const level = happenedLevel(Object.keys(shares)) ?? Object.keys(overall).sort((a, b) => overall[b] - overall[a])[0] ?? '';
    return { column, level, rate: shares[level] ?? 0, overall: overall[level] ?? 0 };
  });
}
