/**
 * The sending side of the transport (issue 4, "Transport"): assigns each outgoing envelope
 * the next seq of its (session, channel) stream, seals direct bodies to the recipient and
 * signs every envelope with the local node's Ed25519 key. A channel is the recipient id for
 * direct messages and '*' for broadcasts. Deviation from a single per-sender counter: a
 * receiver never sees direct messages addressed to others, so one counter would show gaps
 * that are not attacks; per-channel streams let the inbox demand exactly seq = next.
 * Counters live in memory: a restarted node must start a new session (the session runner
 * persists that), or its receivers will see its seq 0 again as a replay.
 */
import { BROADCAST, encodeEnvelope, signEnvelope } from './envelope.js';
import type { Envelope, EnvelopeHeader } from './envelope.js';
import { TransportError } from './errors.js';
import type { Directory, LocalNode } from './identity-types.js';
import { sealDirectBody } from './sealed-box.js';

export interface SealedEnvelope {
  /** Wire bytes to hand to `Relay.publish`. */
  readonly bytes: Uint8Array;
  readonly envelope: Envelope;
}

/** Key of a (session, sender, channel) stream, shared with the inbox. */
export function streamKey(session: string, from: string, channel: string): string {
  return `${session}/${from}/${channel}`;
}

export class Outbox {
  readonly #next = new Map<string, number>();

  constructor(
    private readonly self: LocalNode,
    private readonly directory: Directory,
  ) {}

  /** Encrypts `payload` to `to` and signs it; the relay cannot read it. */
  direct(session: string, to: string, payload: Uint8Array): SealedEnvelope {
    const recipient = this.directory.get(to);
    if (!recipient) throw new TransportError('INVALID_ARGUMENT', `recipient ${to} is not enrolled`);
    const header = this.#header(session, to, 'direct');
    const body = sealDirectBody(header, this.self, recipient, payload);
    return this.#finish(header, body);
  }

  /** Signs `payload` for every participant (not encrypted). */
  broadcast(session: string, payload: Uint8Array): SealedEnvelope {
    return this.#finish(this.#header(session, BROADCAST, 'broadcast'), payload);
  }

  /** Drops the counters of a finished session. */
  forgetSession(session: string): void {
    const prefix = `${session}/`;
    for (const k of [...this.#next.keys()]) if (k.startsWith(prefix)) this.#next.delete(k);
  }

  #header(session: string, to: string, kind: EnvelopeHeader['kind']): EnvelopeHeader {
    const key = streamKey(session, this.self.identity.nodeId, to);
    const seq = this.#next.get(key) ?? 0;
    return { v: 1, session, from: this.self.identity.nodeId, to, seq, kind };
  }

  #finish(header: EnvelopeHeader, body: Uint8Array): SealedEnvelope {
    const envelope = signEnvelope(header, body, this.self.signer);
    const bytes = encodeEnvelope(envelope);
    // Advance only once the envelope exists, so a failed seal does not burn a seq.
    this.#next.set(streamKey(header.session, header.from, header.to), header.seq + 1);
    return { bytes, envelope };
  }
}
