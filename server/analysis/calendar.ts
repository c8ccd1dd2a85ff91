/**
 * Months and weekdays in the calendar's order, not by count: a chart of "Jan, Mar, Feb"
 * reads as a mistake. Levels are matched by their first three letters (Jan, January, JAN).
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function rankIn(names: readonly string[], level: string): number {
  const word = level.trim().toLowerCase();
  if (word.length < 3 || !/^[a-z]+\.?$/.test(word)) return -1;
  const index = names.indexOf(word.slice(0, 3));
  // "march" and "mar" match; "marketing" does not.
  const full = index >= 0 && (word.replace('.', '').length === 3 || fullNames(names)[index].startsWith(word.replace('.', '')));
  return full ? index : -1;
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const fullNames = (names: readonly string[]) => (names === MONTHS ? MONTH_NAMES : WEEKDAY_NAMES);

/**
 * The levels in calendar order when every one of them (bar an "Other" or missing label) names
 * a month, or every one a weekday; otherwise undefined, and the caller keeps its own order.
 */
export function calendarOrder(levels: readonly string[]): string[] | undefined {
  if (levels.length < 2) return undefined;
  for (const names of [MONTHS, WEEKDAYS]) {
    const ranks = levels.map((l) => rankIn(names, l));
    if (ranks.every((r) => r >= 0))
      return levels
        .map((l, i) => ({ l, r: ranks[i] }))
        .sort((a, b) => a.r - b.r)
        .map((x) => x.l);
  }
  return undefined;
}
