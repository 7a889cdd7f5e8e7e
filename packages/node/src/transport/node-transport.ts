/**
 * A node's end of the transport (issue 4, "Transport"), for the session runner: one object
 * that seals and publishes through any `Relay` (Outbox) and opens what the relay delivers
 * (Inbox), handing authenticated messages to `onMessage` and every rejection — forged,
 * replayed, reordered, misrouted — as a typed `TransportError` to `onReject`, so a session
 * can abort naming the sender. It adds no trust in the relay beyond what the inbox checks.
 */
import { BROADCAST } from './envelope.js';
import { TransportError } from './errors.js';
import type { Directory, LocalNode } from './identity-types.js';
import { Inbox } from './inbox.js';
import type { OpenedMessage } from './inbox.js';
import { Outbox } from './outbox.js';
import type { SealedEnvelope } from './outbox.js';
import type { Relay, Unsubscribe } from './relay.js';

export interface NodeTransportOptions {
  readonly self: LocalNode;
  readonly directory: Directory;
  readonly relay: Relay;
}

export interface NodeTransportListener {
  onMessage(message: OpenedMessage): void;
  onReject(error: TransportError): void;
}

export class NodeTransport {
  readonly #outbox: Outbox;
  readonly #inbox: Inbox;

  constructor(private readonly opts: NodeTransportOptions) {
    this.#outbox = new Outbox(opts.self, opts.directory);
    this.#inbox = new Inbox(opts.self, opts.directory);
  }

  get nodeId(): string {
    return this.opts.self.identity.nodeId;
  }

  /** The enrolled identities (read-only), e.g. to verify echoed broadcast records. */
  get directory(): Directory {
    return this.opts.directory;
  }

  /** Encrypts `payload` to `to`, signs and publishes it; returns what was sent. */
  async send(session: string, to: string, payload: Uint8Array): Promise<SealedEnvelope> {
    const sealed = this.#outbox.direct(session, to, payload);
    await this.opts.relay.publish(sealed.bytes, to);
    return sealed;
  }

  /** Signs and publishes `payload` to every other node; returns what was sent. */
  async broadcast(session: string, payload: Uint8Array): Promise<SealedEnvelope> {
    const sealed = this.#outbox.broadcast(session, payload);
    await this.opts.relay.publish(sealed.bytes, BROADCAST);
    return sealed;
  }

  /** Subscribes this node on the relay; every delivery ends in exactly one callback. */
  listen(listener: NodeTransportListener): Unsubscribe {
    return this.opts.relay.subscribe(this.nodeId, (bytes) => {
      let message: OpenedMessage;
      try {
        message = this.#inbox.open(bytes);
      } catch (e) {
        const err =
          e instanceof TransportError
            ? e
            : new TransportError('MALFORMED_ENVELOPE', 'unreadable envelope', { sender: null });
        listener.onReject(err);
        return;
      }
      listener.onMessage(message);
    });
  }

  /** Drops the sequence state of a finished session (both directions). */
  forgetSession(session: string): void {
    this.#outbox.forgetSession(session);
    this.#inbox.forgetSession(session);
  }
}
