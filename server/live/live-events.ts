/**
 * Server-sent events: every open dashboard hears when a dataset's data changes. Bursts are
 * coalesced (at most one event per dataset per COALESCE_MS) and closed connections dropped.
 *
 * A browser holds one stream for all its tabs (public/live-stream.js): HTTP/1.1 allows six
 * connections per host, so a stream per tab starved the seventh tab. Each stream opens with
 * a `hello` that names this server process (`boot`) and the latest event id per dataset;
 * a page knows the boot and ids it was rendered under, so after a dropped connection or a
 * server restart it sees what it missed and refreshes without a reload.
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { ProgressStep } from '../analysis/progress.ts';

export const COALESCE_MS = 250;
/** How soon a browser retries a dropped stream (the SSE `retry` field). */
export const RETRY_MS = 1000;
const KEEPALIVE_MS = 25_000;

interface Client {
  res: Response;
  datasetId: number | null;
}

/** Calls `run` after `ms` (once) or every `ms` (repeating); the returned function cancels it. */
export interface LiveTimers {
  after(ms: number, run: () => void): () => void;
  every(ms: number, run: () => void): () => void;
}

export const realTimers: LiveTimers = {
  after: (ms, run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
  every: (ms, run) => {
    const timer = setInterval(run, ms);
    return () => clearInterval(timer);
  },
};

/** The latest event id per dataset id, as pages and the hello carry it. */
export type LatestEvents = Record<number, number>;

export class LiveEvents {
  /** Names this process: event ids of another boot say nothing about what was missed here. */
  readonly boot = randomBytes(6).toString('hex');
  private readonly clients = new Set<Client>();
  /** Each dataset's coalesced event waiting to be sent, by how to cancel it. */
  private readonly pending = new Map<number, () => void>();
  private readonly versions = new Map<number, number>();
  /** Id of the last event sent per dataset, so a reconnecting client can catch up. */
  private readonly lastSent = new Map<number, number>();
  private eventId = 0;

  /** `timers`: when coalesced events go out and keep-alives are written (tests pass their own). */
  constructor(private readonly timers: LiveTimers = realTimers) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** What a page rendered now has seen: the boot and the latest event id of every dataset. */
  snapshot(): { boot: string; latest: LatestEvents } {
    return { boot: this.boot, latest: Object.fromEntries(this.lastSent) };
  }

  /**
   * A stream that stays open until the browser leaves (live-routes.ts), of one dataset's
   * events or (null) every dataset's; `lastSeen`: the last event id the browser saw.
   */
  connect(res: Response, datasetId: number | null, lastSeen: string | undefined): void {
    const client: Client = { res, datasetId };
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const latest = Object.fromEntries([...this.lastSent].filter(([datasetId]) => this.wants(client, datasetId)));
    res.write(`event: hello\ndata: ${JSON.stringify({ boot: this.boot, latest })}\n\n`);
    this.clients.add(client);
    if (lastSeen !== undefined) this.replay(client, lastSeen);
    const stopKeepAlive = this.timers.every(KEEPALIVE_MS, () => res.write(': keep-alive\n\n'));
    const drop = () => {
      stopKeepAlive();
      this.clients.delete(client);
    };
    res.on('close', drop);
    res.on('error', drop);
  }

  /**
   * Sends a reconnecting client the latest event of each dataset it missed. An id of this
   * boot tells which; any other id (another boot, or none seen) could have missed them all.
   */
  private replay(client: Client, lastSeen: string): void {
    const match = /^([0-9a-f]+):(\d+)$/.exec(lastSeen);
    const seen = match && match[1] === this.boot ? Number(match[2]) : -1;
    for (const [datasetId, sentId] of this.lastSent) {
      if (sentId > seen && this.wants(client, datasetId))
        client.res.write(this.message(sentId, datasetId, this.versions.get(datasetId) ?? 0));
    }
  }

  private wants(client: Client, datasetId: number): boolean {
    return client.datasetId === null || client.datasetId === datasetId;
  }

  /** Announces that a dataset changed; several calls within COALESCE_MS send one event. */
  notify(datasetId: number, version: number): void {
    this.versions.set(datasetId, version);
    if (this.pending.has(datasetId)) return;
    this.pending.set(
      datasetId,
      this.timers.after(COALESCE_MS, () => {
        this.pending.delete(datasetId);
        this.send(datasetId, this.versions.get(datasetId) ?? version);
      }),
    );
  }

  private message(id: number, datasetId: number, version: number): string {
    return (
      `id: ${this.boot}:${id}\nevent: data-changed\ndata: ` +
      `${JSON.stringify({ dataset: datasetId, version, seq: id, boot: this.boot })}\n\n`
    );
  }

  private send(datasetId: number, version: number): void {
    const id = ++this.eventId;
    this.lastSent.set(datasetId, id);
    const message = this.message(id, datasetId, version);
    for (const client of this.clients) {
      if (this.wants(client, datasetId)) client.res.write(message);
    }
  }

  /**
   * Where a browser view's running analysis is ("fitting k = 5", 3 of 9): sent to the streams
   * that follow its dataset, without an id (a missed step is not worth replaying). The page
   * whose view it is shows it; other pages ignore it.
   */
  progress(datasetId: number, view: string, path: string, progress: ProgressStep): void {
    const message = `event: progress\ndata: ${JSON.stringify({ dataset: datasetId, view, path, ...progress })}\n\n`;
    for (const client of this.clients) {
      if (this.wants(client, datasetId)) client.res.write(message);
    }
  }

  /** Ends every stream (shutdown). */
  close(): void {
    for (const cancel of this.pending.values()) cancel();
    this.pending.clear();
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }
}
