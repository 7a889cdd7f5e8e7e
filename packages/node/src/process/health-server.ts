/**
 * The node's health endpoint: plain HTTP on a loopback address only (the node opens no
 * public port; it reaches the relay outbound). `GET /healthz` answers 200 with
 * `{ status, nodeId, relay, uptimeS, memoryRss }` — status "ok" while the relay connection is
 * up, "degraded" while it is re-connecting, "stopping" during shutdown; memoryRss in bytes.
 * Anything else is 404 (405 for other methods on /healthz). No request body is read.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthReport {
  readonly status: 'ok' | 'degraded' | 'stopping';
  readonly nodeId: string;
  readonly relay: 'connected' | 'disconnected';
  readonly uptimeS: number;
  readonly memoryRss: number;
}

export interface HealthSource {
  readonly nodeId: string;
  relayConnected(): boolean;
  stopping(): boolean;
}

export class HealthServer {
  private constructor(
    private readonly server: Server,
    readonly host: string,
  ) {}

  /** Listens on `host:port` (port 0: any free port; see `port`). */
  static async start(host: string, port: number, source: HealthSource): Promise<HealthServer> {
    const startedAt = Date.now();
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/healthz') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"error":"not found"}');
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' });
        response.end('{"error":"method not allowed"}');
        return;
      }
      const connected = source.relayConnected();
      const report: HealthReport = {
        status: source.stopping() ? 'stopping' : connected ? 'ok' : 'degraded',
        nodeId: source.nodeId,
        relay: connected ? 'connected' : 'disconnected',
        uptimeS: Math.floor((Date.now() - startedAt) / 1000),
        memoryRss: process.memoryUsage.rss(),
      };
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : JSON.stringify(report));
    });
    server.requestTimeout = 5_000;
    server.headersTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HealthServer(server, host);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
