/**
 * The webhooks' outbox: each delivery is written in the transaction of the change it
 * announces (so a change is never recorded without its deliveries, nor the other way), with
 * its body fixed there, so every retry sends the same bytes under the same id. The sender
 * (webhooks/webhook-sender.ts) takes due deliveries from here and records each attempt.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import type { WebhookEvent } from './webhooks.ts';
import { writeGate } from './write-gate.ts';

/** What a receiving system gets, as JSON. `customer` and the segment are null for a model's events. */
export interface DeliveryBody {
  id: string;
  event: WebhookEvent;
  model: number;
  modelName: string;
  customer: string | null;
  /** The segment's index (0 for the first), as the change feed gives it. */
  segment: number | null;
  segmentName: string | null;
  at: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** A delivery the sender is to attempt now. */
export interface DueDelivery {
  seq: number;
  id: string;
  webhookId: number;
  event: WebhookEvent;
  body: string;
  createdMs: number;
  attempts: number;
}

export interface DeliveryAttempt {
  at: string;
  /** The receiver's HTTP status; null when no answer came (refused, timed out). */
  status: number | null;
  error: string | null;
}

export interface DeliveryRecord {
  id: string;
  event: WebhookEvent;
  body: DeliveryBody;
  state: DeliveryState;
  createdAt: string;
  nextAttemptAt: string | null;
  attempts: DeliveryAttempt[];
}

export type OutboxEntry = Omit<DeliveryBody, 'id' | 'modelName' | 'segmentName'>;

/**
 * The statements of one write to the outbox, for the caller's transaction: one delivery per
 * webhook that subscribes to the entry's event, named as the model's segments are named now.
 */
export function outboxWriter(db: Db): (entry: OutboxEntry) => void {
  const insert = db.prepare(
    'INSERT INTO webhook_deliveries (id, webhook_id, event, body, created_ms, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?)',
  );
  let subscribers: Map<WebhookEvent, number[]> | undefined;
  const models = new Map<number, { name: string; segmentNames: string[] }>();
  const modelOf = (id: number) => {
    let model = models.get(id);
    if (!model) {
      const row = db.prepare("SELECT name, json_extract(pipeline, '$.segmentNames') AS names FROM saved_models WHERE id = ?").get(id) as
        { name: string; names: string | null } | undefined;
      model = { name: row?.name ?? '', segmentNames: row?.names ? (JSON.parse(row.names) as string[]) : [] };
      models.set(id, model);
    }
    return model;
  };
  return (entry) => {
    // Read in the caller's transaction, at its first entry: a webhook added meanwhile is seen.
    subscribers ??= webhooksByEvent(db);
    const hooks = subscribers.get(entry.event);
    if (!hooks) return;
    const model = modelOf(entry.model);
    const atMs = Date.parse(entry.at);
    for (const hook of hooks) {
      const body: DeliveryBody = {
        id: randomUUID(),
        event: entry.event,
        model: entry.model,
        modelName: model.name,
        customer: entry.customer,
        segment: entry.segment,
        segmentName: entry.segment === null ? null : (model.segmentNames[entry.segment] ?? null),
        at: entry.at,
      };
      insert.run(body.id, hook, entry.event, JSON.stringify(body), atMs, atMs);
    }
  };
}

/** Whether any webhook subscribes to the event: when none does, writes that would announce it need not go one by one. */
export function subscribedTo(db: Db, event: WebhookEvent): boolean {
  return webhooksByEvent(db).has(event);
}

function webhooksByEvent(db: Db): Map<WebhookEvent, number[]> {
  const byEvent = new Map<WebhookEvent, number[]>();
  for (const row of db.prepare('SELECT id, events FROM webhooks').all() as { id: number; events: string }[]) {
    for (const event of JSON.parse(row.events) as WebhookEvent[]) byEvent.set(event, [...(byEvent.get(event) ?? []), row.id]);
  }
  return byEvent;
}

/** Writes model events in a transaction of their own (a caller with no other write to join). */
export function enqueueDeliveries(db: Db, entries: readonly OutboxEntry[]): Promise<void> {
  const write = outboxWriter(db);
  return writeGate(db).run(db.transaction(() => entries.forEach(write)));
}

/** Pending deliveries due at `nowMs`, oldest first. */
export function dueDeliveries(db: Db, nowMs: number, limit: number): DueDelivery[] {
  return db
    .prepare(
      `SELECT d.seq, d.id, d.webhook_id AS webhookId, d.event, d.body, d.created_ms AS createdMs,
         (SELECT COUNT(*) FROM webhook_attempts a WHERE a.delivery_seq = d.seq) AS attempts
       FROM webhook_deliveries d WHERE d.state = 'pending' AND d.next_attempt_ms <= ? ORDER BY d.next_attempt_ms, d.seq LIMIT ?`,
    )
    .all(nowMs, limit) as DueDelivery[];
}

/** When the next pending delivery falls due, if any is pending. */
export function nextDueMs(db: Db): number | undefined {
  const row = db.prepare("SELECT min(next_attempt_ms) AS next FROM webhook_deliveries WHERE state = 'pending'").get() as {
    next: number | null;
  };
  return row.next ?? undefined;
}

/** Records an attempt and what follows it: delivered, failed for good, or another try at `nextAttemptMs`. */
export function recordAttempt(
  db: Db,
  seq: number,
  attempt: DeliveryAttempt,
  outcome: { state: DeliveryState; nextAttemptMs?: number },
): Promise<void> {
  return writeGate(db).run(
    db.transaction(() => {
      const updated = db
        .prepare('UPDATE webhook_deliveries SET state = ?, next_attempt_ms = coalesce(?, next_attempt_ms) WHERE seq = ?')
        .run(outcome.state, outcome.nextAttemptMs ?? null, seq);
      // Its webhook was deleted while the attempt was on its way: nothing is left to record it under.
      if (updated.changes === 0) return;
      db.prepare('INSERT INTO webhook_attempts (delivery_seq, at, status, error) VALUES (?, ?, ?, ?)').run(
        seq,
        attempt.at,
        attempt.status,
        attempt.error,
      );
    }),
  );
}

/** A webhook's latest deliveries, the newest first, each with its attempts in order. */
export function listDeliveries(db: Db, webhookId: number, limit: number): DeliveryRecord[] {
  const rows = db
    .prepare(
      'SELECT seq, id, event, body, state, created_ms, next_attempt_ms FROM webhook_deliveries WHERE webhook_id = ? ' +
        'ORDER BY seq DESC LIMIT ?',
    )
    .all(webhookId, limit) as {
    seq: number;
    id: string;
    event: WebhookEvent;
    body: string;
    state: DeliveryState;
    created_ms: number;
    next_attempt_ms: number;
  }[];
  const attemptsOf = db.prepare('SELECT at, status, error FROM webhook_attempts WHERE delivery_seq = ? ORDER BY rowid');
  return rows.map((r) => ({
    id: r.id,
    event: r.event,
    body: JSON.parse(r.body) as DeliveryBody,
    state: r.state,
    createdAt: new Date(r.created_ms).toISOString(),
    nextAttemptAt: r.state === 'pending' ? new Date(r.next_attempt_ms).toISOString() : null,
    attempts: attemptsOf.all(r.seq) as DeliveryAttempt[],
  }));
}

/** How many of a webhook's deliveries were sent, wait, or were given up. */
export function deliveryCounts(db: Db, webhookId: number): Record<DeliveryState, number> {
  const counts: Record<DeliveryState, number> = { pending: 0, delivered: 0, failed: 0 };
  const rows = db.prepare('SELECT state, COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ? GROUP BY state').all(webhookId) as {
    state: DeliveryState;
    n: number;
  }[];
  for (const r of rows) counts[r.state] = r.n;
  return counts;
}
