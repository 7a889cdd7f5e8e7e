/**
 * In-process relay (issue 4, "Relay": the embedded default, and the routing core of a
 * single relay server). Delivery is asynchronous (microtask) and in publish order. Offline
 * policy — queued briefly, then dropped: envelopes for a node with no subscriber are kept
 * per node (at most `maxMessagesPerNode`, `ttlMs`, and `maxTotalBytes` across all nodes;
 * beyond that new ones are dropped and logged) and flushed in order when it subscribes.
 * Broadcasts are queued only for the nodes listed in `nodes` (relay servers pass the
 * enrolled ids). A dropped message surfaces at the receiver as OUT_OF_ORDER or a timeout.
 */
import type { Logger } from 'pino';
import { BROADCAST } from './envelope.js';
import { TransportError } from './errors.js';
import { claimedSender, deliver } from './relay.js';
import type { EnvelopeHandler, Relay, Unsubscribe } from './relay.js';

export interface OfflineQueueLimits {
  readonly maxMessagesPerNode: number;
  readonly maxTotalBytes: number;
  readonly ttlMs: number;
}

export const DEFAULT_OFFLINE_QUEUE: OfflineQueueLimits = {
  maxMessagesPerNode: 256,
  maxTotalBytes: 64 * 1024 * 1024,
  ttlMs: 30_000,
};

export interface MemoryRelayOptions {
  readonly queue?: OfflineQueueLimits;
  /** Nodes that should receive queued broadcasts while offline. */
  readonly nodes?: Iterable<string>;
  readonly logger?: Logger;
  readonly now?: () => number;
}

interface Queued {
  readonly bytes: Uint8Array;
  readonly at: number;
}

export class MemoryRelay implements Relay {
  readonly #subs = new Map<string, Set<EnvelopeHandler>>();
  readonly #queues = new Map<string, Queued[]>();
  readonly #nodes: Set<string>;
  readonly #limits: OfflineQueueLimits;
  readonly #now: () => number;
  #queuedBytes = 0;
  #closed = false;

  constructor(private readonly opts: MemoryRelayOptions = {}) {
    this.#nodes = new Set(opts.nodes ?? []);
    this.#limits = opts.queue ?? DEFAULT_OFFLINE_QUEUE;
    this.#now = opts.now ?? Date.now;
  }

  publish(envelopeBytes: Uint8Array, to: string): Promise<void> {
    if (this.#closed) return Promise.reject(new TransportError('RELAY_UNAVAILABLE', 'closed'));
    const bytes = envelopeBytes.slice();
    if (to !== BROADCAST) {
      this.#route(to, bytes);
      return Promise.resolve();
    }
    const from = claimedSender(bytes);
    const targets = new Set([...this.#subs.keys(), ...this.#nodes]);
    for (const node of targets) if (node !== from) this.#route(node, bytes);
    return Promise.resolve();
  }

  subscribe(nodeId: string, handler: EnvelopeHandler): Unsubscribe {
    if (this.#closed) throw new TransportError('RELAY_UNAVAILABLE', 'closed');
    let set = this.#subs.get(nodeId);
    if (!set) this.#subs.set(nodeId, (set = new Set()));
    set.add(handler);
    const queued = this.#queues.get(nodeId);
    if (queued) {
      this.#queues.delete(nodeId);
      const fresh = this.#now() - this.#limits.ttlMs;
      for (const q of queued) {
        this.#queuedBytes -= q.bytes.length;
        if (q.at >= fresh) queueMicrotask(() => deliver(handler, q.bytes, this.opts.logger));
      }
    }
    return () => {
      const s = this.#subs.get(nodeId);
      s?.delete(handler);
      if (s?.size === 0) this.#subs.delete(nodeId);
    };
  }

  /** Adds a node that should receive queued broadcasts while offline (run-time enrolment). */
  addNode(nodeId: string): void {
    this.#nodes.add(nodeId);
  }

  /** Stops queueing for `nodeId` and drops what is queued for it. */
  removeNode(nodeId: string): void {
    this.#nodes.delete(nodeId);
    for (const q of this.#queues.get(nodeId) ?? []) this.#queuedBytes -= q.bytes.length;
    this.#queues.delete(nodeId);
  }

  /** Number of envelopes waiting for offline nodes (for tests and metrics). */
  queuedCount(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#subs.clear();
    this.#queues.clear();
    this.#queuedBytes = 0;
    return Promise.resolve();
  }

  #route(to: string, bytes: Uint8Array): void {
    const handlers = this.#subs.get(to);
    if (handlers && handlers.size > 0) {
      for (const h of handlers) queueMicrotask(() => deliver(h, bytes, this.opts.logger));
      return;
    }
    this.#enqueue(to, bytes);
  }

  #enqueue(to: string, bytes: Uint8Array): void {
    const now = this.#now();
    let q = this.#queues.get(to) ?? [];
    // Expire first, so a long-offline node does not pin the byte budget.
    const fresh = q.filter((m) => m.at >= now - this.#limits.ttlMs);
    for (const m of q) if (m.at < now - this.#limits.ttlMs) this.#queuedBytes -= m.bytes.length;
    q = fresh;
    if (
      q.length >= this.#limits.maxMessagesPerNode ||
      this.#queuedBytes + bytes.length > this.#limits.maxTotalBytes
    ) {
      this.opts.logger?.warn({ to, queued: q.length }, 'offline queue full; envelope dropped');
      if (q.length > 0) this.#queues.set(to, q);
      return;
    }
    q.push({ bytes, at: now });
    this.#queuedBytes += bytes.length;
    this.#queues.set(to, q);
  }
}
