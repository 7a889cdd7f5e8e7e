/**
 * NodeTransport (issue 4, "Transport"): three nodes exchange direct and broadcast messages
 * over the in-process relay; a rejection (here a replay injected by the relay) reaches
 * `onReject` as a typed error naming the sender, and the stream continues afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TransportError } from './errors.js';
import { directoryOf } from './identity-types.js';
import type { OpenedMessage } from './inbox.js';
import { MemoryRelay } from './memory-relay.js';
import { NodeTransport } from './node-transport.js';
import type { Relay } from './relay.js';
import { AdversarialRelay, makeLocalNode, waitFor } from './test-support.js';

const SESSION = 'aa55';
const nodes = ['node-a', 'node-b', 'node-c'].map(makeLocalNode);
const directory = directoryOf(nodes.map((n) => n.identity));

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

type Peer = ReturnType<typeof start>[number];

function start(r: Relay) {
  return nodes.map((self) => {
    const t = new NodeTransport({ self, directory, relay: r });
    const got: OpenedMessage[] = [];
    const rejected: TransportError[] = [];
    t.listen({ onMessage: (m) => got.push(m), onReject: (e) => rejected.push(e) });
    return { t, got, rejected };
  });
}

describe('NodeTransport', () => {
  it('sends direct and broadcast messages between three nodes', async () => {
    relay = new MemoryRelay();
    const [a, b, c] = start(relay) as [Peer, Peer, Peer];
    await a.t.send(SESSION, 'node-b', Uint8Array.of(1));
    await b.t.broadcast(SESSION, Uint8Array.of(2));
    await c.t.send(SESSION, 'node-a', Uint8Array.of(3));
    await waitFor(() => a.got.length === 2 && b.got.length === 1 && c.got.length === 1);
    expect(b.got[0]).toMatchObject({ from: 'node-a', kind: 'direct' });
    expect(a.got.map((m) => m.from).sort()).toEqual(['node-b', 'node-c']);
    expect([a, b, c].flatMap((n) => n.rejected)).toEqual([]);
  });

  it('reports a replay through onReject and keeps the stream usable', async () => {
    relay = new AdversarialRelay(new MemoryRelay(), (p, h) => (h.length === 1 ? [h[0]!, p] : [p]));
    const [a, b] = start(relay) as [Peer, Peer];
    await a.t.send(SESSION, 'node-b', Uint8Array.of(0));
    await a.t.send(SESSION, 'node-b', Uint8Array.of(1));
    await a.t.send(SESSION, 'node-b', Uint8Array.of(2));
    await waitFor(() => b.got.length === 3 && b.rejected.length === 1);
    expect(b.rejected[0]).toMatchObject({ code: 'REPLAYED', sender: 'node-a' });
    expect(b.got.map((m) => m.payload[0])).toEqual([0, 1, 2]);
  });
});
