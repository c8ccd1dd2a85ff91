import { formatCount } from '../format.ts';
/** One plain-language sentence per metric, for business readers. */
export function readSilhouette(v: number, smallestShare = 1, minShare = 0): string {
  if (!Number.isFinite(v)) return 'Needs at least two segments.';
  if (v >= 0.5 && smallestShare < minShare) return 'High, but a segment of a few customers inflates it.';
  if (v >= 0.5) return 'Well separated: customers sit clearly closer to their own segment.';
  if (v >= 0.25) return 'Segments overlap somewhat; the split is usable but not sharp.';
  return 'Segments overlap heavily; try another k or other features.';
}

export function readDaviesBouldin(v: number): string {
  if (!Number.isFinite(v)) return 'Needs at least two segments.';
  if (v < 0.8) return 'Compact, distinct segments (lower is better).';
  if (v < 1.5) return 'Reasonable separation (lower is better).';
  return 'Segments blur into each other (lower is better).';
}

export function readCalinskiHarabasz(v: number): string {
  if (!Number.isFinite(v)) return 'Needs at least two segments.';
  return 'Between- versus within-segment spread; higher is better, compare across k on the same data.';
}

export function readInertia(): string {
  return 'Total squared distance to segment centres in scaled units; it always falls as k grows, so look for the elbow.';
}

export function readStability(v: number): string {
  if (!Number.isFinite(v)) return 'Not computed for this segmentation.';
  if (v >= 0.85) return 'Very stable: refits on resampled customers find the same segments.';
  if (v >= 0.6) return 'Mostly stable: the main segments survive resampling.';
  return 'Unstable: the segments change with the sample; treat them with care.';
}

/**
 * The segmentation's quality in one word and a sentence, for the tab's headline: the
 * silhouette read in words, and never "clear" beside a segment too small to act on.
 */
export function readQuality(silhouette: number, smallestShare: number, minShare: number): { word: string; sentence: string } {
  if (!Number.isFinite(silhouette)) return { word: 'One group', sentence: 'Needs at least two segments to judge.' };
  const tiny = smallestShare < minShare;
  const tinyNote = tiny ? ' One segment is too small to run a campaign for; its separation says little.' : '';
  if (silhouette >= 0.5 && !tiny)
    return { word: 'Clear', sentence: 'Customers sit clearly closer to their own segment than to any other.' };
  if (silhouette >= 0.25)
    return { word: 'Overlapping', sentence: `The segments overlap somewhat: usable for targeting, but the edges are soft.${tinyNote}` };
  if (silhouette >= 0.5)
    return { word: 'Clear, with a tiny segment', sentence: `Well apart, but mostly because of a handful of customers.${tinyNote}` };
  return { word: 'Heavily overlapping', sentence: `Many customers sit between segments; try another k or other features.${tinyNote}` };
}

const ENGINE_NAMES = { duckdb: 'DuckDB', postgres: 'PostgreSQL' } as const;

/** A source engine as people call it. */
export const engineName = (engine: 'duckdb' | 'postgres'): string => ENGINE_NAMES[engine];

/** How a source dataset reads wherever it is shown: "fitted on a 1,000,000-customer sample of 100,000,000". */
export function readSourceSample(source: { engine: 'duckdb' | 'postgres'; totalRows: number; sampleRows: number }): string {
  const whole = source.sampleRows >= source.totalRows;
  return (
    `Read in place by ${ENGINE_NAMES[source.engine]}: ` +
    (whole
      ? `fitted on all ${formatCount(source.totalRows)} customers`
      : `fitted on a ${formatCount(source.sampleRows)}-customer sample of ${formatCount(source.totalRows)}`)
  );
}

export const readings = {
  readSilhouette,
  readDaviesBouldin,
  readCalinskiHarabasz,
  readInertia,
  readStability,
  readQuality,
  readSourceSample,
  engineName,
};
