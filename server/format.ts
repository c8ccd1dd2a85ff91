/**
 * How numbers read wherever a person sees them (tabs, charts, exports' labels, messages):
 * thousands separators, sensible precision, shares as percentages, years bare. A leaf:
 * analysis, engine and web all format through it.
 */

// Built once: toLocaleString builds a formatter per call (10 µs each; a results partial formats thousands of numbers).
const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const UP_TO_SIX_DECIMALS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const EVERY_DIGIT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 20 });

/** Numbers as people read them: thousands separators, three significant digits below 1,000. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const abs = Math.abs(value);
  if (abs >= 1000) return WHOLE.format(Math.round(value));
  if (Number.isInteger(value)) return String(value);
  return UP_TO_SIX_DECIMALS.format(Number(value.toPrecision(digits)));
}

export function formatPercent(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : '—';
}

/** A year as written on a calendar: 1958, never 1,958. */
export function formatYear(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value)) : '—';
}

/** A count with thousands separators: 1,000,000 customers. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? WHOLE.format(Math.round(value)) : '—';
}

/** A figure with a fixed number of decimals, for scores read side by side (0.512 below 0.530). */
export function formatFixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** A size in megabytes, as upload limits are stated (MAX_UPLOAD_MB). */
export function formatMegabytes(bytes: number, digits = 0): string {
  return `${(bytes / 1e6).toFixed(digits)} MB`;
}

/** A change of a share in percentage points, signed: +1.5 pts. */
export function formatPoints(change: number): string {
  if (!Number.isFinite(change)) return '—';
  return `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)} pts`;
}

/** A value of a dataset's column as a person reads it: a birth year bare (1958), other numbers with separators. */
export function formatColumnValue(value: number | null | undefined, column: { role?: string } | undefined, digits?: number): string {
  if (value === null || value === undefined) return formatNumber(value);
  return column?.role === 'birth-year' ? formatYear(value) : formatNumber(value, digits);
}

/** A moment as a dashboard lists it, to the minute in UTC: 2026-12-06 07:15 UTC. */
export function formatDateTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isFinite(time) ? `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—';
}

/** A day as a dashboard lists it: 2026-12-06. */
export function formatDate(iso: string | number): string {
  const time = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isFinite(time) ? new Date(time).toISOString().slice(0, 10) : '—';
}

/** A threshold as written, every digit kept, with separators: 61,000 or 0.35. */
export function formatExact(value: number): string {
  return Number.isFinite(value) ? EVERY_DIGIT.format(value) : '—';
}
