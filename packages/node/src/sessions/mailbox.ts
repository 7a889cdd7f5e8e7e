/**
 * Per-session inbound buffering for the runner: messages are framed with the protocol round
 * they belong to (`encodeFrame`), kept per sender, and handed to the runner one round at a
 * time once every expected peer delivered its messages — or, at the round's deadline, the
 * peers that did not are named. Messages from a past round or beyond a round's expected count
 * are protocol violations by their (authenticated) sender. Messages for sessions this node
 * has not started yet are held briefly, within bounds (`PendingMailboxes`).
 */
import type { PartyId } from '@coffer/crypto';
import { SessionAborted } from './errors.js';
import type { InboundMessage } from './types.js';

/** The transport payload of a protocol message: `{ v: 1, round, payload }` as JSON. */
export interface Frame {
  readonly v: 1;
  readonly round: number;
  readonly payload: string;
}

const MAX_ROUND = 64;

export function encodeFrame(round: number, payload: string): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, round, payload } satisfies Frame), 'utf8');
}

/** Parses a frame; undefined when malformed. */
export function decodeFrame(bytes: Uint8Array): Frame | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(value).sort().join(',');
    if (keys !== 'payload,round,v' || value.v !== 1) return undefined;
    if (!Number.isSafeInteger(value.round) || (value.round as number) < 1) return undefined;
    if ((value.round as number) > MAX_ROUND || typeof value.payload !== 'string') return undefined;
    return value as unknown as Frame;
  } catch {
    return undefined;
  }
}

interface Received extends InboundMessage {
  readonly round: number;
}

interface Waiter {
  readonly round: number;
  readonly expect: number;
  readonly resolve: (messages: InboundMessage[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The inbound side of one running session. */
export class SessionMailbox {
  readonly #received: Received[] = [];
  /** The last round handed to the runner; anything for it or earlier is a violation. */
  #completed = 0;
  #waiter: Waiter | undefined;
  #failure: Error | undefined;

  constructor(
    /** Every other participant. */
    readonly peers: readonly PartyId[],
    /** At most this many messages per peer per round are accepted. */
    private readonly maxPerRound = 8,
  ) {}

  /** Adds an authenticated message from `from`; violations fail the session. */
  push(from: PartyId, broadcast: boolean, frame: Frame): void {
    if (this.#failure) return;
    const sameRound = this.#received.filter((m) => m.from === from && m.round === frame.round);
    if (frame.round <= this.#completed || sameRound.length >= this.maxPerRound) {
      this.fail(
        new SessionAborted('PROTOCOL_FAULT', `unexpected round-${frame.round} message`, {
          culprits: [from],
          reason: 'UNEXPECTED_MESSAGE',
        }),
      );
      return;
    }
    this.#received.push({ from, broadcast, payload: frame.payload, round: frame.round });
    this.#check();
  }

  /** Resolves with round `round`'s messages: `expect` from every peer, within `timeoutMs`. */
  collect(round: number, expect: number, timeoutMs: number): Promise<InboundMessage[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        const late = this.peers.filter((p) => this.#count(p, round) < expect);
        reject(
          new SessionAborted('TIMEOUT', `round ${round} incomplete after ${timeoutMs} ms`, {
            culprits: late,
          }),
        );
      }, timeoutMs);
      this.#waiter = { round, expect, resolve, reject, timer };
      this.#check();
    });
  }

  /** Fails the session (a violation, a transport rejection, or the runner closing). */
  fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  #count(peer: PartyId, round: number): number {
    return this.#received.filter((m) => m.from === peer && m.round === round).length;
  }

  #check(): void {
    const w = this.#waiter;
    if (!w) return;
    const over = this.peers.find((p) => this.#count(p, w.round) > w.expect);
    if (over !== undefined) {
      this.fail(
        new SessionAborted('PROTOCOL_FAULT', `too many round-${w.round} messages`, {
          culprits: [over],
          reason: 'UNEXPECTED_MESSAGE',
        }),
      );
      return;
    }
    if (!this.peers.every((p) => this.#count(p, w.round) === w.expect)) return;
    this.#waiter = undefined;
    this.#completed = w.round;
    clearTimeout(w.timer);
    const messages: InboundMessage[] = [];
    for (let i = this.#received.length - 1; i >= 0; i -= 1) {
      const m = this.#received[i]!;
      if (m.round !== w.round) continue;
      this.#received.splice(i, 1);
      messages.unshift({ from: m.from, broadcast: m.broadcast, payload: m.payload });
    }
    // Deterministic order: by participant order, then arrival.
    messages.sort((a, b) => this.peers.indexOf(a.from) - this.peers.indexOf(b.from));
    w.resolve(messages);
  }
}

interface Pending {
  readonly at: number;
  readonly messages: { from: string; broadcast: boolean; frame: Frame }[];
}

/** Bounded hold of messages (by sender node id) for sessions not started here yet. */
export class PendingMailboxes {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly limits = { maxSessions: 64, maxMessages: 256, ttlMs: 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Holds a message; false when dropped (bounds). */
  hold(session: string, fromNode: string, broadcast: boolean, frame: Frame): boolean {
    this.#expire();
    let entry = this.#pending.get(session);
    if (!entry) {
      if (this.#pending.size >= this.limits.maxSessions) return false;
      entry = { at: this.now(), messages: [] };
      this.#pending.set(session, entry);
    }
    if (entry.messages.length >= this.limits.maxMessages) return false;
    entry.messages.push({ from: fromNode, broadcast, frame });
    return true;
  }

  /** Removes and returns what was held for `session`. */
  take(session: string): { from: string; broadcast: boolean; frame: Frame }[] {
    const entry = this.#pending.get(session);
    this.#pending.delete(session);
    return entry?.messages ?? [];
  }

  #expire(): void {
    const cutoff = this.now() - this.limits.ttlMs;
    for (const [session, entry] of this.#pending) {
      if (entry.at < cutoff) this.#pending.delete(session);
    }
  }
}
