/**
 * Relay replicas bridged by NATS (issue 4, "Relay"): two WsRelayServers, each with a
 * NatsRelay backend on one Debian `nats-server` (started here on a free loopback port and
 * killed by PID), carry envelopes between nodes connected to different replicas. Needs
 * the system package nats-server: skipped loudly when missing, a failure when
 * COFFER_REQUIRE_ALL_TESTS=1.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { directoryOf } from './identity-types.js';
import type { LocalNode } from './identity-types.js';
import { Inbox } from './inbox.js';
import type { OpenedMessage } from './inbox.js';
import { NatsRelay } from './nats-relay.js';
import { Outbox } from './outbox.js';
import { requireSystemPackage } from '../../../../tests/support/system-packages.js';
import { findBinary, makeLocalNode, startNatsServer, waitFor } from './test-support.js';
import type { NatsServerProcess } from './test-support.js';
import { WsRelayClient } from './ws-relay-client.js';
import { WsRelayServer } from './ws-relay-server.js';

const natsServer = findBinary('nats-server');
const haveNats = requireSystemPackage('nats-server', () => natsServer !== undefined);
const silent = pino({ level: 'silent' });
const SESSION = 'ba'.repeat(16);
const a = makeLocalNode('node-a');
const b = makeLocalNode('node-b');
const c = makeLocalNode('node-c');
const enrolled = [a.identity, b.identity, c.identity];
const dir = directoryOf(enrolled);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function replica(nats: NatsServerProcess, serverId: string) {
  const backend = await NatsRelay.connect({ servers: nats.url, name: serverId, logger: silent });
  cleanup.push(() => backend.close());
  const server = await WsRelayServer.start({ serverId, enrolled, backend, logger: silent });
  cleanup.push(() => server.close());
  return server;
}

function client(server: WsRelayServer, node: LocalNode) {
  const cl = new WsRelayClient({ url: server.url, node, logger: silent });
  cleanup.push(() => cl.close());
  const inbox = new Inbox(node, dir);
  const got: OpenedMessage[] = [];
  cl.subscribe(node.identity.nodeId, (bytes) => got.push(inbox.open(bytes)));
  return { cl, got };
}

describe.runIf(haveNats)('NatsRelay bridging two relay replicas', () => {
  let nats: NatsServerProcess;
  beforeAll(async () => {
    nats = await startNatsServer(natsServer!);
    return () => nats.stop();
  });

  it('delivers a direct message from a node on replica A to a node on replica B', async () => {
    const [ra, rb] = [await replica(nats, 'replica-a'), await replica(nats, 'replica-b')];
    const na = client(ra, a);
    const nb = client(rb, b);
    await Promise.all([na.cl.ready(), nb.cl.ready()]);
    const sealed = new Outbox(a, dir).direct(SESSION, 'node-b', utf8ToBytes('across replicas'));
    await na.cl.publish(sealed.bytes, 'node-b');
    await waitFor(() => nb.got.length === 1, 5_000, 'cross-replica delivery');
    expect(new TextDecoder().decode(nb.got[0]!.payload)).toBe('across replicas');
    expect(nb.got[0]!.from).toBe('node-a');
  });

  it('fans a broadcast out on every replica, except to its sender', async () => {
    const [ra, rb] = [await replica(nats, 'replica-a'), await replica(nats, 'replica-b')];
    const [na, nc, nb] = [client(ra, a), client(ra, c), client(rb, b)];
    await Promise.all([na.cl.ready(), nb.cl.ready(), nc.cl.ready()]);
    const out = new Outbox(a, dir);
    for (let i = 0; i < 3; i++)
      await na.cl.publish(out.broadcast(SESSION, Uint8Array.of(i)).bytes, '*');
    await waitFor(() => nb.got.length === 3 && nc.got.length === 3, 5_000, 'broadcasts');
    expect(nb.got.map((m) => m.seq)).toEqual([0, 1, 2]);
    expect(nc.got.map((m) => m.seq)).toEqual([0, 1, 2]);
    await new Promise((r) => setTimeout(r, 50));
    expect(na.got).toEqual([]);
  });
});
