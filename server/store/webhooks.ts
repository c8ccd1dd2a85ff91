/**
 * Webhooks: where a receiving system wants segment entries, exits and model changes sent.
 * A webhook's secret signs its deliveries and is never read back out of here except by the
 * sender (`deliveryTarget`).
 */
import { InputError, NotFoundError } from '../errors.ts';
import type { Db } from './db.ts';
import { writeGate } from './write-gate.ts';

export const WEBHOOK_EVENTS = ['segment.entered', 'segment.left', 'model.retrained', 'model.activated'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A webhook as it is shown: without its secret. */
export interface Webhook {
  id: number;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
}

export interface NewWebhook {
  url: string;
  secret: string;
  events: WebhookEvent[];
}

interface WebhookRow {
  id: number;
  url: string;
  events: string;
  created_at: string;
}

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as WebhookEvent[],
  createdAt: r.created_at,
});

export async function addWebhook(db: Db, hook: NewWebhook, at: string): Promise<Webhook> {
  const id = await writeGate(db).run(() =>
    Number(
      db
        .prepare('INSERT INTO webhooks (url, secret, events, created_at) VALUES (?, ?, ?, ?)')
        .run(hook.url, hook.secret, JSON.stringify(hook.events), at).lastInsertRowid,
    ),
  );
  return getWebhook(db, id);
}

export function listWebhooks(db: Db): Webhook[] {
  return (db.prepare('SELECT id, url, events, created_at FROM webhooks ORDER BY id').all() as WebhookRow[]).map(toWebhook);
}

export function getWebhook(db: Db, id: number): Webhook {
  const row = db.prepare('SELECT id, url, events, created_at FROM webhooks WHERE id = ?').get(id) as WebhookRow | undefined;
  if (!row) throw new NotFoundError(`There is no webhook with id ${id}.`);
  return toWebhook(row);
}

/** Deletes the webhook and its deliveries, sent or not: nothing more goes to its URL. */
export async function deleteWebhook(db: Db, id: number): Promise<Webhook> {
  const hook = getWebhook(db, id);
  await writeGate(db).run(() => db.prepare('DELETE FROM webhooks WHERE id = ?').run(id));
  return hook;
}

/** Where and how the sender posts a webhook's deliveries. */
export function deliveryTarget(db: Db, id: number): { url: string; secret: string } | undefined {
  return db.prepare('SELECT url, secret FROM webhooks WHERE id = ?').get(id) as { url: string; secret: string } | undefined;
}

/** Checks a request to add a webhook: an http(s) URL, a secret, known events. */
export function parseNewWebhook(body: unknown): NewWebhook {
  const b = (body ?? {}) as Record<string, unknown>;
  const url = typeof b.url === 'string' ? b.url.trim() : '';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || url.length > 2000)
    throw new InputError('Give the webhook an http:// or https:// URL (at most 2,000 characters).', { field: 'url' });
  const secret = typeof b.secret === 'string' ? b.secret : '';
  if (secret.length < 8 || secret.length > 200)
    throw new InputError('Give the webhook a secret of 8 to 200 characters: each delivery is signed with it.', { field: 'secret' });
  const asked = typeof b.events === 'string' ? [b.events] : b.events;
  if (!Array.isArray(asked) || asked.length === 0)
    throw new InputError(`Choose the events to send, among ${WEBHOOK_EVENTS.join(', ')}.`, { field: 'events' });
  const unknown = asked.filter((e) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(e));
  if (unknown.length > 0)
    throw new InputError(`Unknown event ${JSON.stringify(unknown[0]).slice(0, 60)}: the events are ${WEBHOOK_EVENTS.join(', ')}.`, {
      field: 'events',
    });
  return { url, secret, events: WEBHOOK_EVENTS.filter((e) => asked.includes(e)) };
}
