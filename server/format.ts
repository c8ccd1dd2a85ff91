/**
 * How numbers read wherever a person sees them (tabs, charts, exports' labels, messages):
 * thousands separators, sensible precision, shares as percentages, years bare. A leaf:
 * analysis, engine and web all format through it.
 */

/** Numbers as people read them: thousands separators, three significant digits below 1,000. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function formatPercent(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : '—';
}

/** A year as written on a calendar: 1958, never 1,958. */
export function formatYear(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value)) : '—';
}
