/** Webhooks: the JSON API under /api/webhooks, and their section of the models panel. */
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { WEBHOOK_EVENTS, type WebhookService } from '../webhooks/webhook-service.ts';
import { parseInput, pathId } from './inputs.ts';

/** ?limit=N of a deliveries list: the latest N, 100 by default. */
const deliveriesQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'limit must be a whole number' })
    .int()
    .min(1, { error: 'limit must be at least 1' })
    .max(1000, { error: 'limit must be at most 1,000' })
    .default(100),
});

const webhookId = (value: unknown): number => pathId(value, 'id (the id of a webhook)');

export function webhooksRouter(webhooks: WebhookService): Router {
  const router = Router();

  // The secret goes in and never comes back out: answers carry the id, URL and events.
  router.post('/api/webhooks', async (req, res) => {
    const { id, url, events } = await webhooks.add(req.body);
    res.status(201).json({ id, url, events });
  });
  router.get('/api/webhooks', (_req, res) => res.json(webhooks.list()));
  router.delete('/api/webhooks/:id', async (req, res) => {
    await webhooks.delete(webhookId(req.params.id));
    res.status(204).end();
  });
  router.get('/api/webhooks/:id/deliveries', (req, res) => {
    const { limit } = parseInput(deliveriesQuery, req.query);
    res.json({ deliveries: webhooks.deliveries(webhookId(req.params.id), limit) });
  });

  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const renderPanel = (res: Response, extra: Record<string, unknown> = {}) =>
    res.render('partials/webhooks-panel', { webhooks: webhooks.list(), events: WEBHOOK_EVENTS, message: undefined, ...extra });

  router.get('/webhooks', (_req, res) => renderPanel(res));
  router.post('/webhooks', form, async (req, res) => {
    try {
      const hook = await webhooks.add(req.body);
      res.status(201);
      renderPanel(res, { message: `Deliveries to ${hook.url} start with the next change.` });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // The form comes back as it was sent (but for the secret), with what to fix.
      const { url, events } = (req.body ?? {}) as { url?: unknown; events?: unknown };
      res.status(error.status);
      renderPanel(res, { error: error.message, draft: { url: typeof url === 'string' ? url : '', events: [events].flat() } });
    }
  });
  router.post('/webhooks/:id/delete', async (req, res) => {
    const hook = await webhooks.delete(webhookId(req.params.id));
    renderPanel(res, { message: `Deleted the webhook to ${hook.url}; its pending deliveries will not be sent.` });
  });
  return router;
}
