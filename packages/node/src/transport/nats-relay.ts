/**
 * The `Relay` interface over NATS (issue 4, "Relay": several server replicas carry
 * protocol messages between nodes connected to different replicas). Each replica holds
 * one NatsRelay as the backend of its WsRelayServer: a direct envelope is published on
 * `<prefix>.node.<to>`, a broadcast on `<prefix>.broadcast`; a replica subscribes to
 * `<prefix>.node.<id>` for each node connected to it, and once to the broadcast subject,
 * fanning broadcasts out to its local nodes except the sender. Node ids match
 * NODE_ID_PATTERN, so they are single subject tokens (no '.', '*', '>'). Core NATS is
 * at-most-once: an envelope for a node connected to no replica is dropped (the inbox sees
 * the gap); the NATS server's max_payload (1 MB by default) bounds envelope size here.
 */
import { connect } from 'nats';
import type { NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import { BROADCAST } from './envelope.js';
import { TransportError } from './errors.js';
import { NODE_ID_PATTERN } from './identity-types.js';
import { claimedSender, deliver } from './relay.js';
import type { EnvelopeHandler, Relay, Unsubscribe } from './relay.js';

export interface NatsRelayOptions {
  /** e.g. 'nats://127.0.0.1:4222'. */
  readonly servers: string | string[];
  /** Subject prefix, default 'coffer'. */
  readonly subjectPrefix?: string;
  /** Connection name shown by the NATS server (e.g. the replica id). */
  readonly name?: string;
  readonly logger?: Logger;
}

interface LocalNodeSub {
  readonly handlers: Set<EnvelopeHandler>;
  readonly sub: Subscription;
}

export class NatsRelay implements Relay {
  readonly #local = new Map<string, LocalNodeSub>();
  #broadcastSub: Subscription | undefined;
  #closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger | undefined,
  ) {}

  static async connect(opts: NatsRelayOptions): Promise<NatsRelay> {
    const nc = await connect({
      servers: opts.servers,
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    return new NatsRelay(nc, opts.subjectPrefix ?? 'coffer', opts.logger);
  }

  /** `<prefix>.node.<nodeId>` */
  nodeSubject(nodeId: string): string {
    if (!NODE_ID_PATTERN.test(nodeId)) throw new TransportError('INVALID_ARGUMENT', 'bad node id');
    return `${this.prefix}.node.${nodeId}`;
  }

  get broadcastSubject(): string {
    return `${this.prefix}.broadcast`;
  }

  async publish(envelopeBytes: Uint8Array, to: string): Promise<void> {
    if (this.#closed) throw new TransportError('RELAY_UNAVAILABLE', 'closed');
    const subject = to === BROADCAST ? this.broadcastSubject : this.nodeSubject(to);
    try {
      this.nc.publish(subject, envelopeBytes);
    } catch (err) {
      // e.g. MAX_PAYLOAD_EXCEEDED; the envelope is not forwarded.
      throw new TransportError('RELAY_UNAVAILABLE', `NATS publish failed: ${String(err)}`);
    }
    await this.nc.flush();
  }

  subscribe(nodeId: string, handler: EnvelopeHandler): Unsubscribe {
    if (this.#closed) throw new TransportError('RELAY_UNAVAILABLE', 'closed');
    let entry = this.#local.get(nodeId);
    if (!entry) {
      const handlers = new Set<EnvelopeHandler>();
      const sub = this.nc.subscribe(this.nodeSubject(nodeId), {
        callback: (err, msg) => {
          if (err) return this.logger?.warn({ err: err.message }, 'NATS subscription error');
          for (const h of handlers) deliver(h, msg.data, this.logger);
        },
      });
      entry = { handlers, sub };
      this.#local.set(nodeId, entry);
    }
    this.#ensureBroadcastSub();
    entry.handlers.add(handler);
    const mine = entry;
    return () => {
      mine.handlers.delete(handler);
      if (mine.handlers.size === 0 && this.#local.get(nodeId) === mine) {
        this.#local.delete(nodeId);
        mine.sub.unsubscribe();
      }
    };
  }

  /** Round trip to the NATS server: earlier SUBs are registered when this resolves. */
  async flush(): Promise<void> {
    if (!this.#closed) await this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#local.clear();
    await this.nc.drain();
  }

  #ensureBroadcastSub(): void {
    if (this.#broadcastSub) return;
    this.#broadcastSub = this.nc.subscribe(this.broadcastSubject, {
      callback: (err, msg) => {
        if (err) return this.logger?.warn({ err: err.message }, 'NATS subscription error');
        const from = claimedSender(msg.data);
        for (const [nodeId, entry] of this.#local) {
          if (nodeId === from) continue;
          for (const h of entry.handlers) deliver(h, msg.data, this.logger);
        }
      },
    });
  }
}
