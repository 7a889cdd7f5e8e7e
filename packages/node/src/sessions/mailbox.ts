/**
 * Per-session inbound buffering for the runner: messages are framed with the protocol round
 * they belong to (`encodeFrame`), kept per sender, and handed to the runner one round at a
 * time once every expected peer delivered its messages — or, at the round's deadline, the
 * peers that did not are named. Messages from a past round or beyond a round's expected count
 * are protocol violations by their (authenticated) sender. Broadcast messages keep their echo
 * record, and echo frames (`encodeEchoFrame`, broadcast-echo.ts) are collected per round
 * apart from the protocol messages, one per peer. Messages for sessions this node has not
 * started yet are held briefly, within bounds (`PendingMailboxes`).
 */
import type { PartyId } from '@coffer/crypto';
import { parseEchoRecords, type EchoRecord } from './broadcast-echo.js';
import { SessionAborted } from './errors.js';
import type { InboundMessage } from './types.js';

/** The transport payload of a protocol message: `{ v: 1, round, payload }` as JSON. */
export interface Frame {
  readonly v: 1;
  readonly round: number;
  readonly payload: string;
}

/** The transport payload of a broadcast echo: `{ v: 1, round, echo: EchoRecord[] }` as JSON. */
export interface EchoFrame {
  readonly v: 1;
  readonly round: number;
  readonly echo: readonly EchoRecord[];
}

export type AnyFrame = Frame | EchoFrame;

const MAX_ROUND = 64;

export function encodeFrame(round: number, payload: string): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, round, payload } satisfies Frame), 'utf8');
}

export function encodeEchoFrame(round: number, echo: readonly EchoRecord[]): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, round, echo } satisfies EchoFrame), 'utf8');
}

export function isEchoFrame(frame: AnyFrame): frame is EchoFrame {
  return 'echo' in frame;
}

/** Parses a frame (protocol message or echo); undefined when malformed. */
export function decodeFrame(bytes: Uint8Array): AnyFrame | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(value).sort().join(',');
    if (value.v !== 1) return undefined;
    if (!Number.isSafeInteger(value.round) || (value.round as number) < 1) return undefined;
    const round = value.round as number;
    if (round > MAX_ROUND) return undefined;
    if (keys === 'payload,round,v' && typeof value.payload === 'string') {
      return { v: 1, round, payload: value.payload };
    }
    if (keys === 'echo,round,v') {
      const echo = parseEchoRecords(value.echo);
      return echo === undefined ? undefined : { v: 1, round, echo };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

interface Received extends InboundMessage {
  readonly round: number;
  readonly record: EchoRecord | undefined;
}

interface Waiter {
  /** Settles the wait when its condition holds; true when it did. */
  readonly poll: () => boolean;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The inbound side of one running session. */
export class SessionMailbox {
  readonly #received: Received[] = [];
  /** Echo records of the broadcasts handed over with each collected round. */
  readonly #roundRecords = new Map<number, EchoRecord[]>();
  /** Echoed views per round, by peer. */
  readonly #echoes = new Map<number, Map<PartyId, readonly EchoRecord[]>>();
  /** The last round handed to the runner; anything for it or earlier is a violation. */
  #completed = 0;
  /** The last round whose echoes were handed to the runner. */
  #echoesCompleted = 0;
  #waiter: Waiter | undefined;
  #failure: Error | undefined;

  constructor(
    /** Every other participant. */
    readonly peers: readonly PartyId[],
    /** At most this many messages per peer per round are accepted. */
    private readonly maxPerRound = 8,
  ) {}

  /**
   * Adds an authenticated message from `from` (with its echo record when it came as a
   * broadcast); violations fail the session.
   */
  push(from: PartyId, broadcast: boolean, frame: Frame, record?: EchoRecord): void {
    if (this.#failure) return;
    const sameRound = this.#received.filter((m) => m.from === from && m.round === frame.round);
    if (frame.round <= this.#completed || sameRound.length >= this.maxPerRound) {
      this.#violation(from, `unexpected round-${frame.round} message`);
      return;
    }
    this.#received.push({
      from,
      broadcast,
      payload: frame.payload,
      round: frame.round,
      record: broadcast ? record : undefined,
    });
    this.#waiter?.poll();
  }

  /** Adds `from`'s echo of round `frame.round`; a second or late echo is a violation. */
  pushEcho(from: PartyId, frame: EchoFrame): void {
    if (this.#failure) return;
    const views = this.#echoes.get(frame.round) ?? new Map<PartyId, readonly EchoRecord[]>();
    if (frame.round <= this.#echoesCompleted || views.has(from)) {
      this.#violation(from, `unexpected round-${frame.round} echo`);
      return;
    }
    views.set(from, frame.echo);
    this.#echoes.set(frame.round, views);
    this.#waiter?.poll();
  }

  /** Resolves with round `round`'s messages: `expect` from every peer, within `timeoutMs`. */
  collect(round: number, expect: number, timeoutMs: number): Promise<InboundMessage[]> {
    return this.#wait(
      `round ${round}`,
      timeoutMs,
      () => this.peers.filter((p) => this.#count(p, round) < expect),
      () => this.#takeRound(round, expect),
    );
  }

  /** The echo records of the broadcasts collected with round `round` (peers' only). */
  recordsOf(round: number): EchoRecord[] {
    return this.#roundRecords.get(round) ?? [];
  }

  /** Resolves with every peer's echo of round `round`, within `timeoutMs`. */
  collectEchoes(
    round: number,
    timeoutMs: number,
  ): Promise<ReadonlyMap<PartyId, readonly EchoRecord[]>> {
    return this.#wait(
      `round-${round} echo`,
      timeoutMs,
      () => this.peers.filter((p) => !this.#echoes.get(round)?.has(p)),
      () => {
        const views = this.#echoes.get(round);
        if (!this.peers.every((p) => views?.has(p))) return undefined;
        this.#echoes.delete(round);
        this.#echoesCompleted = round;
        return views!;
      },
    );
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

  /** Waits until `take` yields a value; at the deadline names the peers `late` returns. */
  #wait<T>(
    what: string,
    timeoutMs: number,
    late: () => PartyId[],
    take: () => T | undefined,
  ): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(
          new SessionAborted('TIMEOUT', `${what} incomplete after ${timeoutMs} ms`, {
            culprits: late(),
          }),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        poll: () => {
          if (this.#failure) return false;
          const value = take();
          if (value === undefined || this.#failure) return false;
          this.#waiter = undefined;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
        reject,
        timer,
      };
      this.#waiter = waiter;
      waiter.poll();
    });
  }

  #violation(from: PartyId, message: string): void {
    this.fail(
      new SessionAborted('PROTOCOL_FAULT', message, {
        culprits: [from],
        reason: 'UNEXPECTED_MESSAGE',
      }),
    );
  }

  #count(peer: PartyId, round: number): number {
    return this.#received.filter((m) => m.from === peer && m.round === round).length;
  }

  /** Round `round`'s messages once complete (a peer over `expect` fails the session). */
  #takeRound(round: number, expect: number): InboundMessage[] | undefined {
    const over = this.peers.find((p) => this.#count(p, round) > expect);
    if (over !== undefined) {
      this.fail(
        new SessionAborted('PROTOCOL_FAULT', `too many round-${round} messages`, {
          culprits: [over],
          reason: 'UNEXPECTED_MESSAGE',
        }),
      );
      return undefined;
    }
    if (!this.peers.every((p) => this.#count(p, round) === expect)) return undefined;
    this.#completed = round;
    const messages: InboundMessage[] = [];
    const records: EchoRecord[] = [];
    for (let i = this.#received.length - 1; i >= 0; i -= 1) {
      const m = this.#received[i]!;
      if (m.round !== round) continue;
      this.#received.splice(i, 1);
      messages.unshift({ from: m.from, broadcast: m.broadcast, payload: m.payload });
      if (m.record) records.unshift(m.record);
    }
    this.#roundRecords.set(round, records);
    // Deterministic order: by participant order, then arrival.
    messages.sort((a, b) => this.peers.indexOf(a.from) - this.peers.indexOf(b.from));
    return messages;
  }
}

/** A message held for a session that has not started here yet. */
export interface HeldMessage {
  readonly from: string;
  readonly broadcast: boolean;
  readonly frame: AnyFrame;
  /** The echo record of a broadcast. */
  readonly record: EchoRecord | undefined;
}

interface Pending {
  readonly at: number;
  readonly messages: HeldMessage[];
}

/** Bounded hold of messages (by sender node id) for sessions not started here yet. */
export class PendingMailboxes {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly limits = { maxSessions: 64, maxMessages: 256, ttlMs: 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Holds a message; false when dropped (bounds). */
  hold(session: string, message: HeldMessage): boolean {
    this.#expire();
    let entry = this.#pending.get(session);
    if (!entry) {
      if (this.#pending.size >= this.limits.maxSessions) return false;
      entry = { at: this.now(), messages: [] };
      this.#pending.set(session, entry);
    }
    if (entry.messages.length >= this.limits.maxMessages) return false;
    entry.messages.push(message);
    return true;
  }

  /** Removes and returns what was held for `session`. */
  take(session: string): HeldMessage[] {
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
