/**
 * The background sender of webhook deliveries. It takes due deliveries from the outbox
 * (store/webhook-outbox.ts), posts each one signed with its webhook's secret, and records
 * every attempt. A non-2xx answer, a timeout or a refused connection is tried again after a
 * delay that starts at 5 s and doubles up to an hour; a delivery still failing a day after
 * it was written is given up, and the log says so. The outbox is in the database, so a
 * server killed with deliveries pending sends them once it runs again.
 */
import { createHmac } from 'node:crypto';
import { realTimers, type LiveTimers } from '../live/live-events.ts';
import type { Db } from '../store/db.ts';
import { dueDeliveries, recordAttempt, type DueDelivery } from '../store/webhook-outbox.ts';
import { deliveryTarget } from '../store/webhooks.ts';

/** Posts `body` and answers the HTTP status; throws when no answer came (refused, timed out). */
export type PostDelivery = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<number>;

export interface SenderSettings {
  timers?: LiveTimers;
  /** The clock in milliseconds: when a delivery is due and when it is given up. */
  now?: () => number;
  post?: PostDelivery;
  log?: (line: string) => void;
  /** How often the outbox is looked at for new and due deliveries. */
  pollMs?: number;
  /** How long a receiver has to answer one attempt. */
  timeoutMs?: number;
  /** Deliveries posted at once. */
  concurrency?: number;
}

export const FIRST_RETRY_MS = 5_000;
const LONGEST_RETRY_MS = 60 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/** Deliveries read from the outbox per round. */
const BATCH = 200;

/** The wait before the next attempt, after `attempts` failed ones. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}

/** `X-Segments-Signature`: the hex HMAC-SHA256 of the raw body with the webhook's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const postWithFetch: PostDelivery = async (url, body, headers, timeoutMs) => {
  const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  // The answer's body is not read: dropping it frees the connection.
  await response.body?.cancel();
  return response.status;
};

export class WebhookSender {
  private readonly timers: LiveTimers;
  private readonly now: () => number;
  private readonly post: PostDelivery;
  private readonly log: (line: string) => void;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private stopTimer: (() => void) | undefined;
  private round: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    settings: SenderSettings = {},
  ) {
    this.timers = settings.timers ?? realTimers;
    this.now = settings.now ?? Date.now;
    this.post = settings.post ?? postWithFetch;
    this.log = settings.log ?? ((line) => console.warn(line));
    this.pollMs = settings.pollMs ?? 1_000;
    this.timeoutMs = settings.timeoutMs ?? 10_000;
    this.concurrency = settings.concurrency ?? 4;
  }

  /** Starts looking at the outbox: now (what a killed server left pending), then every `pollMs`. */
  start(): void {
    this.stopped = false;
    this.stopTimer ??= this.timers.every(this.pollMs, () => void this.sendDue().catch((e) => this.log(`Webhook sender: ${e}`)));
    void this.sendDue().catch((e) => this.log(`Webhook sender: ${e}`));
  }

  /** Stops looking, and waits for the attempts on their way (their outcome is recorded). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.round?.catch(() => 0);
  }

  /**
   * Attempts every delivery due now, once each; resolves with how many were attempted. A
   * call while a round runs waits for it instead of starting another.
   */
  sendDue(): Promise<number> {
    if (!this.round) this.round = this.sendRound().finally(() => (this.round = undefined));
    return this.round;
  }

  private async sendRound(): Promise<number> {
    const startedAt = this.now();
    const tried = new Set<number>();
    for (;;) {
      if (this.stopped && tried.size > 0) break;
      // Due as the round started: one that failed during it waits for its next round.
      const due = dueDeliveries(this.db, startedAt, BATCH).filter((d) => !tried.has(d.seq));
      if (due.length === 0) break;
      due.forEach((d) => tried.add(d.seq));
      let next = 0;
      const worker = async () => {
        while (next < due.length) await this.attempt(due[next++]);
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, due.length) }, worker));
    }
    return tried.size;
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    const target = deliveryTarget(this.db, delivery.webhookId);
    if (!target) return;
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'CustomerSegments-Webhooks/1',
      'X-Segments-Event': delivery.event,
      'X-Segments-Delivery': delivery.id,
      'X-Segments-Signature': signature(target.secret, delivery.body),
    };
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.post(target.url, delivery.body, headers, this.timeoutMs);
      if (status < 200 || status > 299) error = `The receiver answered HTTP ${status}.`;
    } catch (e) {
      error = describeFailure(e, this.timeoutMs);
    }
    const at = this.now();
    const attempt = { at: new Date(at).toISOString(), status, error };
    if (error === null) return recordAttempt(this.db, delivery.seq, attempt, { state: 'delivered' });
    const attempts = delivery.attempts + 1;
    const nextAttemptMs = at + retryDelayMs(attempts);
    if (nextAttemptMs - delivery.createdMs > GIVE_UP_AFTER_MS) {
      this.log(
        `Webhook delivery ${delivery.id} (${delivery.event}) to ${target.url} failed ${attempts} times over a day; ` +
          `giving up. Last failure: ${error}`,
      );
      return recordAttempt(this.db, delivery.seq, attempt, { state: 'failed' });
    }
    return recordAttempt(this.db, delivery.seq, attempt, { state: 'pending', nextAttemptMs });
  }
}

/** Why no answer came, for the deliveries list. */
function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `No answer within ${timeoutMs / 1000} s.`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'The connection was refused (is the receiver running?).';
  if (code === 'ENOTFOUND') return 'The receiver’s host name was not found.';
  return `The request failed: ${e.cause?.message ?? e.message ?? String(error)}`;
}
