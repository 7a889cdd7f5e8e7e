/**
 * The relay abstraction (issue 4, "Relay"): something that carries envelope bytes between
 * nodes and is NOT trusted — it may delay or drop, and the inbox (inbox.ts) detects
 * anything else. Implementations: memory-relay.ts (in-process, the embedded default),
 * ws-relay-client.ts (a node's outbound WebSocket to a relay server), nats-relay.ts
 * (server replicas bridged by NATS). A broadcast (`to = '*'`) reaches every subscribed
 * node except its sender.
 */
import { decodeEnvelope } from './envelope.js';
import type { Logger } from 'pino';

export type Unsubscribe = () => void;
export type EnvelopeHandler = (envelopeBytes: Uint8Array) => void;

export interface Relay {
  /** Hands the envelope to the relay for `to` (a node id or '*'); resolves once accepted. */
  publish(envelopeBytes: Uint8Array, to: string): Promise<void>;
  /** Delivers envelopes addressed to `nodeId` (and broadcasts by others) to `handler`. */
  subscribe(nodeId: string, handler: EnvelopeHandler): Unsubscribe;
  /**
   * Optional: resolves once earlier `subscribe` calls are effective end to end (e.g. the
   * NATS server has registered the subscription). Relay servers await it before "ready".
   */
  flush?(): Promise<void>;
  close(): Promise<void>;
}

/** The claimed sender of envelope bytes, or undefined if they do not parse. */
export function claimedSender(bytes: Uint8Array): string | undefined {
  try {
    return decodeEnvelope(bytes).from;
  } catch {
    return undefined;
  }
}

/** Calls a subscriber without letting its exception break the relay's delivery loop. */
export function deliver(
  handler: EnvelopeHandler,
  bytes: Uint8Array,
  logger: Logger | undefined,
): void {
  try {
    handler(bytes);
  } catch (err) {
    logger?.warn({ err }, 'relay subscriber threw');
  }
}
