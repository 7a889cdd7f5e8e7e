/** The loopback health endpoint: GET /healthz reports node id, relay state and memory. */
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from './health-server.js';

describe('HealthServer', () => {
  let server: HealthServer | undefined;
  afterEach(async () => server?.close());

  it('answers GET /healthz with status, nodeId, relay, uptimeS and memoryRss', async () => {
    let connected = true;
    server = await HealthServer.start('127.0.0.1', 0, {
      nodeId: 'n1',
      relayConnected: () => connected,
      stopping: () => false,
    });
    const url = `http://127.0.0.1:${server.port}/healthz`;
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['memoryRss', 'nodeId', 'relay', 'status', 'uptimeS']);
    expect(body).toMatchObject({ status: 'ok', nodeId: 'n1', relay: 'connected' });
    connected = false;
    expect(await (await fetch(url)).json()).toMatchObject({
      status: 'degraded',
      relay: 'disconnected',
    });
  });

  it('answers 404 elsewhere and 405 for other methods', async () => {
    server = await HealthServer.start('127.0.0.1', 0, {
      nodeId: 'n1',
      relayConnected: () => true,
      stopping: () => false,
    });
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    expect(
      (await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: 'POST' })).status,
    ).toBe(405);
  });
});
