/** The one place a route decides "full page or partial", and helpers the views share. */
import { DerivedCache } from '../derived-cache.ts';
import type { CacheKey } from '../cache-key.ts';
import type { Request, Response } from 'express';
import { BORDERLINE_SHARE } from '../segmentation/explain.ts';
import { outcomeReadings } from '../segmentation/segment-outcomes.ts';
import * as format from '../format.ts';
import { SEGMENTATION_DEFAULTS } from '../defaults.ts';
import { chartTable } from './chart-table.ts';
import { transactionLogHint } from '../ingest/transactions.ts';
import { EXCEL_MAX_ROWS } from './export-format.ts';
import { formatFeatureList } from './feature-list.ts';

/**
 * True for an htmx request that swaps a region. History restores (Back) and requests that
 * target the whole body want the full page.
 */
export function isHtmx(req: Request): boolean {
  return req.get('HX-Request') === 'true' && req.get('HX-History-Restore-Request') !== 'true' && req.get('HX-Request-Type') !== 'full';
}

/** Renders the page, or for an htmx request only the partial that fills its target. */
export function renderPageOrPartial(req: Request, res: Response, page: string, partial: string, locals: Record<string, unknown>): void {
  // The same URL answers with a page or a fragment: caches must keep them apart.
  res.vary('HX-Request').vary('HX-History-Restore-Request');
  res.render(isHtmx(req) ? partial : page, locals);
}

const escapedCharts = new DerivedCache<object, string>();

/**
 * A chart's config as JSON, HTML-escaped for a data attribute (the template outputs it raw).
 * Configs of cached results are the same objects on every request: escape each once.
 */
export function chartAttribute(config: object): string {
  // The same escaping as ejs's <%= %>, done with native replaceAll: scatter configs run to
  // tens of kilobytes and the callback-per-match escaper was a tenth of a re-run.
  return escapedCharts.of(config, () =>
    JSON.stringify(config)
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&#34;')
      .replaceAll("'", '&#39;'),
  );
}

/** Heatmap cell class: sign and strength of a correlation in five steps each way. */
export function correlationClass(r: number): string {
  if (!Number.isFinite(r)) return 'corr-na';
  const step = Math.min(4, Math.floor(Math.abs(r) * 5));
  return `corr-${r >= 0 ? 'p' : 'n'}${step}`;
}

export const viewHelpers = {
  ...format,
  chartTable,
  outcomeReadings,
  transactionLogHint,
  chartAttribute,
  correlationClass,
  formatFeatureList,
  EXCEL_MAX_ROWS,
  BORDERLINE_SHARE,
  defaults: SEGMENTATION_DEFAULTS,
};

/** A view rendered to a string (to cache it), with the response's locals. */
export function renderToString(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise<string>((resolve, reject) => res.render(view, locals, (error, out) => (error ? reject(error) : resolve(out))));
}

/**
 * HTML rendered once per (owner, key) and kept as long as the owner object lives: a cached
 * result renders the same region for the same query on every request. The owner must not
 * change (results are readonly), and the key must name everything else the view reads.
 */
export class RenderedRegions {
  private readonly rendered = new DerivedCache<object, string>();

  render(res: Response, owner: object, key: CacheKey, view: string, locals: Record<string, unknown>): Promise<string> {
    return this.rendered.ofAsync(owner, () => renderToString(res, view, locals), key);
  }
}
