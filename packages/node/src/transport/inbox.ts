/**
 * The receiving side of the transport (issue 4, "Transport"): `openEnvelope` turns relay
 * bytes into an authenticated message or a typed `TransportError` naming the claimed
 * sender. Checks, in order: well-formed v1 envelope; sender enrolled; Ed25519 signature
 * under the enrolled key; addressed to us (or '*'); seq exactly the next expected one of
 * the (session, sender, channel) stream (lower: REPLAYED, higher: OUT_OF_ORDER); a direct
 * body decrypts. The stream advances only when everything passed, so a relay can delay or
 * drop messages but cannot forge, replay, reorder or misroute them undetected.
 */
import { BROADCAST, decodeEnvelope, verifyEnvelopeSignature } from './envelope.js';
import type { Envelope, EnvelopeKind } from './envelope.js';
import { TransportError } from './errors.js';
import type { Directory, LocalNode } from './identity-types.js';
import { streamKey } from './outbox.js';
import { openDirectBody } from './sealed-box.js';

export interface OpenedMessage {
  readonly session: string;
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly kind: EnvelopeKind;
  /** Decrypted (direct) or verified (broadcast) payload. */
  readonly payload: Uint8Array;
  /** The verified envelope, e.g. for the session runner's broadcast echo. */
  readonly envelope: Envelope;
}

/** Next expected seq per (session, sender, channel) stream. */
export class SequenceGuard {
  readonly #expected = new Map<string, number>();

  expected(session: string, from: string, channel: string): number {
    return this.#expected.get(streamKey(session, from, channel)) ?? 0;
  }

  advance(session: string, from: string, channel: string, seq: number): void {
    this.#expected.set(streamKey(session, from, channel), seq + 1);
  }

  forgetSession(session: string): void {
    const prefix = `${session}/`;
    for (const k of [...this.#expected.keys()]) if (k.startsWith(prefix)) this.#expected.delete(k);
  }
}

export interface OpenContext {
  readonly self: LocalNode;
  readonly directory: Directory;
  readonly sequences: SequenceGuard;
}

export function openEnvelope(bytes: Uint8Array, ctx: OpenContext): OpenedMessage {
  const env = decodeEnvelope(bytes);
  const sender = ctx.directory.get(env.from);
  if (!sender) {
    throw new TransportError('UNKNOWN_SENDER', `sender ${env.from} is not enrolled`, {
      sender: null,
    });
  }
  // Culprits stay empty for signature, routing and ordering failures: the relay (or
  // anyone on the path) can cause them, so the claimed sender is named but not blamed.
  if (!verifyEnvelopeSignature(env, sender.signingPublicKey)) {
    throw new TransportError('BAD_SIGNATURE', 'signature does not verify', { sender: env.from });
  }
  const self = ctx.self.identity.nodeId;
  if (env.from === self) {
    throw new TransportError('WRONG_RECIPIENT', 'own message reflected back', { sender: env.from });
  }
  if (env.kind === 'direct' ? env.to !== self : env.to !== BROADCAST) {
    throw new TransportError('WRONG_RECIPIENT', `addressed to ${env.to}, not ${self}`, {
      sender: env.from,
    });
  }
  const expected = ctx.sequences.expected(env.session, env.from, env.to);
  if (env.seq < expected) {
    throw new TransportError('REPLAYED', `seq ${env.seq} already seen (next ${expected})`, {
      sender: env.from,
    });
  }
  if (env.seq > expected) {
    throw new TransportError('OUT_OF_ORDER', `seq ${env.seq} but expected ${expected}`, {
      sender: env.from,
    });
  }
  let payload = env.body;
  if (env.kind === 'direct') {
    try {
      payload = openDirectBody(env, ctx.self, sender, env.body);
    } catch (e) {
      // The sender signed this ciphertext, so an undecryptable body is the sender's fault.
      if (e instanceof TransportError) {
        throw new TransportError('DECRYPTION_FAILED', 'signed body does not decrypt', {
          sender: env.from,
          culprits: [env.from],
        });
      }
      throw e;
    }
  }
  ctx.sequences.advance(env.session, env.from, env.to, env.seq);
  return {
    session: env.session,
    from: env.from,
    to: env.to,
    seq: env.seq,
    kind: env.kind,
    payload,
    envelope: env,
  };
}

/** A node's inbox: `openEnvelope` with its own sequence state. */
export class Inbox {
  readonly #sequences = new SequenceGuard();

  constructor(
    private readonly self: LocalNode,
    private readonly directory: Directory,
  ) {}

  open(bytes: Uint8Array): OpenedMessage {
    return openEnvelope(bytes, {
      self: this.self,
      directory: this.directory,
      sequences: this.#sequences,
    });
  }

  forgetSession(session: string): void {
    this.#sequences.forgetSession(session);
  }
}
