/**
 * Server-sent events: every open dashboard hears when a dataset's data changes. Bursts are
 * coalesced (at most one event per dataset per COALESCE_MS) and closed connections dropped.
 */
import type { Request, Response } from 'express';
import { optionalDatasetQuery, parseInput } from './inputs.ts';

export const COALESCE_MS = 250;
const KEEPALIVE_MS = 25_000;

interface Client {
  res: Response;
  datasetId: number | null;
}

export class LiveEvents {
  private readonly clients = new Set<Client>();
  private readonly pending = new Map<number, NodeJS.Timeout>();
  private readonly versions = new Map<number, number>();
  /** Id of the last event sent per dataset, so a reconnecting client can catch up. */
  private readonly lastSent = new Map<number, number>();
  private eventId = 0;

  get clientCount(): number {
    return this.clients.size;
  }

  /** GET /events[?dataset=ID]: a stream that stays open until the browser leaves. */
  handle = (req: Request, res: Response): void => {
    const client: Client = { res, datasetId: parseInput(optionalDatasetQuery, req.query.dataset, { field: 'dataset' }) ?? null };
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(client);
    // A client that reconnects after missing events (a dropped connection) refreshes at once.
    const lastSeen = Number(req.get('Last-Event-ID'));
    if (Number.isInteger(lastSeen)) {
      for (const [datasetId, sentId] of this.lastSent) {
        if (sentId > lastSeen && (client.datasetId === null || client.datasetId === datasetId)) {
          res.write(this.message(sentId, datasetId, this.versions.get(datasetId) ?? 0));
        }
      }
    }
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
    const drop = () => {
      clearInterval(keepAlive);
      this.clients.delete(client);
    };
    req.on('close', drop);
    res.on('error', drop);
  };

  /** Announces that a dataset changed; several calls within COALESCE_MS send one event. */
  notify(datasetId: number, version: number): void {
    this.versions.set(datasetId, version);
    if (this.pending.has(datasetId)) return;
    this.pending.set(datasetId, setTimeout(() => {
      this.pending.delete(datasetId);
      this.send(datasetId, this.versions.get(datasetId) ?? version);
    }, COALESCE_MS));
  }

  private message(id: number, datasetId: number, version: number): string {
    return `id: ${id}\nevent: data-changed\ndata: ${JSON.stringify({ dataset: datasetId, version })}\n\n`;
  }

  private send(datasetId: number, version: number): void {
    const id = ++this.eventId;
    this.lastSent.set(datasetId, id);
    const message = this.message(id, datasetId, version);
    for (const client of this.clients) {
      if (client.datasetId === null || client.datasetId === datasetId) client.res.write(message);
    }
  }

  /** Ends every stream (shutdown). */
  close(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }
}
