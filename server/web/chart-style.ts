/** How every chart looks: the segments' colours, titles, axes and labels that fit. */
import { NOISE } from '../analysis/cluster/types.ts';

/**
 * Okabe-Ito, extended with Paul Tol's: colours that readers with colour-vision deficiencies
 * can tell apart, one per segment up to the API's 20 (public/app.css has the same list).
 */
export const SEGMENT_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#332288',
  '#882255',
  '#117733',
  '#44AA99',
  '#999933',
  '#661100',
  '#AA4499',
  '#88CCEE',
  '#DDCC77',
  '#6699CC',
  '#FFAABB',
  '#BBCC33',
  '#EE8866',
];
export const NOISE_COLOUR = '#9E9E9E';

export function segmentColour(id: number): string {
  return id === NOISE ? NOISE_COLOUR : SEGMENT_COLOURS[id % SEGMENT_COLOURS.length];
}

export type ChartConfig = Record<string, unknown>;

export const title = (text: string) => ({ display: true, text, font: { size: 14, weight: 'bold' } });
export const axis = (text: string, extra: Record<string, unknown> = {}) => ({ title: { display: true, text }, ...extra });
export const round = (v: number, digits = 3) => Number(v.toPrecision(digits));
/** Axis labels stay short; the full name is in the table beside the chart. */
export const shortLabel = (text: string, max = 26) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A category axis label wrapped onto lines of about `width` characters (Chart.js draws an
 * array as lines) instead of cut: "1. Low spenders, occasional buyers" reads whole. Three
 * lines at most; a longer label is cut on the last.
 */
export function wrapLabel(text: string, width = 16, maxLines = 3): string | string[] {
  if (text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  // A segment's number stays with the first word of its name.
  const words = text
    .split(/\s+/)
    .reduce<string[]>((out, w) => (out.length === 1 && /^\d+\.$/.test(out[0]) ? [`${out[0]} ${w}`] : [...out, w]), []);
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (line && next.length > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    // The last line kept runs into the next and is cut, so it ends in "…".
    lines.splice(maxLines - 1, lines.length, shortLabel(`${lines[maxLines - 1]} ${lines[maxLines]}`, width));
  }
  return lines.map((l) => shortLabel(l, width + 8));
}

export const MAX_CHART_LEVELS = 12;
