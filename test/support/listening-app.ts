/**
 * An app listening on a loopback port with one keep-alive client, as a browser talks to it:
 * a timed request is the server's work plus one local round trip.
 */
import type { Express } from 'express';
import { Agent, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningApp {
  /** GET as an htmx request; resolves with the milliseconds it took, rejects on a non-200. */
  timedGet: (path: string) => Promise<number>;
  close: () => Promise<void>;
}

export async function listenWithClient(app: Express): Promise<ListeningApp> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const client = keepAliveClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    timedGet: client.timedGet,
    close: async () => {
      await client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The same client for a server running elsewhere (another process). */
export function keepAliveClient(base: string): ListeningApp {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    timedGet: (path) => new Promise<number>((resolve, reject) => {
      const started = performance.now();
      httpGet(base + path, { agent, headers: { 'HX-Request': 'true' } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${path} answered ${response.statusCode}`))));
      }).on('error', reject);
    }),
    close: async () => agent.destroy(),
  };
}
