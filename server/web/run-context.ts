/** Ties queued analysis to the request that asked for it. */
import type { Request, Response } from 'express';
import type { RunContext } from '../engine/pool.ts';
import type { LiveEvents } from '../live/live-events.ts';

/** Browser views name themselves in this header (public/app.js): one id per page load. */
export const VIEW_HEADER = 'X-View-Id';

/**
 * The view is the page load plus the route, so a k-slider drag on Clusters replaces its own
 * queued fits but never a Predict request from the same tab. The signal fires when the client
 * disconnects first (htmx aborts a request a newer one replaces).
 */
export function runContext(req: Request, res: Response, datasetId?: number): RunContext {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const id = req.get(VIEW_HEADER);
  const named = id && /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : undefined;
  const view = named ? `${named}|${req.path}` : undefined;
  // The worker's steps reach the page through the live-update stream (app.ts sets the sink).
  const events = res.locals.progressEvents as LiveEvents | undefined;
  const onProgress =
    named && events && datasetId !== undefined
      ? (step: Parameters<LiveEvents['progress']>[3]) => events.progress(datasetId, named, req.path, step)
      : undefined;
  return { view, signal: controller.signal, onProgress };
}
