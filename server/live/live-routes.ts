/** The live stream's route: one EventSource per browser, shared by its tabs (live-events.ts). */
import { Router } from 'express';
import { optionalDatasetQuery, parseInput } from '../web/inputs.ts';
import type { LiveEvents } from './live-events.ts';

export function liveRouter(events: LiveEvents): Router {
  const router = Router();
  /**
   * GET /events[?dataset=ID][&lastEventId=ID]. The last id seen comes in the Last-Event-ID
   * header (the browser's own reconnect) or the query (a stream opened anew after it failed).
   */
  router.get('/events', (req, res) => {
    const datasetId = parseInput(optionalDatasetQuery, req.query.dataset, { field: 'dataset' }) ?? null;
    const lastSeen = req.get('Last-Event-ID') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    events.connect(res, datasetId, lastSeen);
  });
  return router;
}
