/**
 * The in-process relay (issue 4, "Relay"): in-order delivery, broadcasts to everyone but
 * the sender, and the documented offline policy — queued briefly and bounded, then dropped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { directoryOf } from './identity-types.js';
import { MemoryRelay } from './memory-relay.js';
import { Outbox } from './outbox.js';
import { makeLocalNode, waitFor } from './test-support.js';

const SESSION = '00ff';
const a = makeLocalNode('node-a');
const b = makeLocalNode('node-b');
const c = makeLocalNode('node-c');
const dir = directoryOf([a.identity, b.identity, c.identity]);

let relay: MemoryRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('MemoryRelay', () => {
  it('delivers a broadcast to every subscriber except its sender', async () => {
    relay = new MemoryRelay();
    const got: Record<string, number> = { 'node-a': 0, 'node-b': 0, 'node-c': 0 };
    for (const id of Object.keys(got)) relay.subscribe(id, () => (got[id] = (got[id] ?? 0) + 1));
    await relay.publish(new Outbox(a, dir).broadcast(SESSION, Uint8Array.of(1)).bytes, '*');
    await waitFor(() => got['node-b'] === 1 && got['node-c'] === 1);
    expect(got['node-a']).toBe(0);
  });

  it('queues for an offline node and flushes in order when it subscribes', async () => {
    relay = new MemoryRelay({ nodes: ['node-b'] });
    const out = new Outbox(a, dir);
    await relay.publish(out.direct(SESSION, 'node-b', Uint8Array.of(0)).bytes, 'node-b');
    await relay.publish(out.broadcast(SESSION, Uint8Array.of(1)).bytes, '*');
    expect(relay.queuedCount()).toBe(2);
    const got: Uint8Array[] = [];
    relay.subscribe('node-b', (bytes) => got.push(bytes));
    await waitFor(() => got.length === 2);
    expect(relay.queuedCount()).toBe(0);
  });

  it('drops beyond the per-node bound and after the TTL', async () => {
    let now = 1_000;
    relay = new MemoryRelay({
      queue: { maxMessagesPerNode: 2, maxTotalBytes: 1 << 20, ttlMs: 100 },
      now: () => now,
    });
    const out = new Outbox(a, dir);
    for (let i = 0; i < 5; i++) {
      await relay.publish(out.direct(SESSION, 'node-b', Uint8Array.of(i)).bytes, 'node-b');
    }
    expect(relay.queuedCount()).toBe(2);
    now += 1_000;
    const got: Uint8Array[] = [];
    relay.subscribe('node-b', (bytes) => got.push(bytes));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([]);
  });

  it('rejects publishing after close', async () => {
    relay = new MemoryRelay();
    await relay.close();
    await expect(relay.publish(Uint8Array.of(1), 'node-b')).rejects.toMatchObject({
      code: 'RELAY_UNAVAILABLE',
    });
  });
});
