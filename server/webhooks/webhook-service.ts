/**
 * Webhooks as a service: add, list, delete, and each one's deliveries. What they deliver is
 * written with each change (store/webhook-outbox.ts) and sent by the sender (webhook-sender.ts).
 */
import type { Db } from '../store/db.ts';
import { deliveryCounts, listDeliveries, type DeliveryRecord, type DeliveryState } from '../store/webhook-outbox.ts';
import { addWebhook, deleteWebhook, getWebhook, listWebhooks, parseNewWebhook, type Webhook } from '../store/webhooks.ts';

export { WEBHOOK_EVENTS, type Webhook, type WebhookEvent } from '../store/webhooks.ts';

/** A webhook as the models panel lists it: how its deliveries stand. */
export interface WebhookSummary extends Webhook {
  deliveries: Record<DeliveryState, number>;
}

export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `body`: `{ url, secret, events }`, from JSON or a form; a bad one is an InputError saying what to fix. */
  add(body: unknown): Promise<Webhook> {
    return addWebhook(this.db, parseNewWebhook(body), this.now().toISOString());
  }

  list(): WebhookSummary[] {
    return listWebhooks(this.db).map((hook) => ({ ...hook, deliveries: deliveryCounts(this.db, hook.id) }));
  }

  get(id: number): Webhook {
    return getWebhook(this.db, id);
  }

  delete(id: number): Promise<Webhook> {
    return deleteWebhook(this.db, id);
  }

  /** The webhook's latest deliveries, newest first, each with every attempt. */
  deliveries(id: number, limit: number): DeliveryRecord[] {
    getWebhook(this.db, id);
    return listDeliveries(this.db, id, limit);
  }
}
