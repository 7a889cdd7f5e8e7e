/**
 * DKLs23 pairwise setup, run after the DKG (DKLS23-NOTES §2.2): for every ordered pair of
 * parties, λ_c base OTs (verified simplest OT, ../../ot/base-ot.ts) leave the OT-extension
 * state of the future multiplications, and for every unordered pair a commit-then-open coin
 * toss gives the zero-sharing seed (Functionality 3.4). Every party runs both roles with every
 * other party at once, so the five base-OT flows take five rounds:
 *
 *   round 1: base-OT sender flow 1 (this party as Bob) + zero-seed commitment
 *   round 2: base-OT receiver flow 1 (as Alice)        + zero-seed opening
 *   round 3: sender flow 2     round 4: receiver flow 2     round 5: sender flow 3 (Bob done)
 *   finish:  receiver flow 3 (Alice done) -> the pairwise states of the key share.
 *
 * The session id is the DKG transcript hash (the key id), so the OT state is bound to the key.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex, equalBytes, transcriptHash } from '../../bytes.js';
import { CryptoError } from '../../errors.js';
import {
  baseOtReceiverRound1,
  baseOtReceiverRound2,
  baseOtReceiverRound3,
  baseOtSenderRound1,
  baseOtSenderRound2,
  baseOtSenderRound3,
  decodeBaseOtReceiverRound1,
  decodeBaseOtReceiverRound2,
  decodeBaseOtSenderRound1,
  decodeBaseOtSenderRound2,
  decodeBaseOtSenderRound3,
  encodeBaseOtReceiverRound1,
  encodeBaseOtReceiverRound2,
  encodeBaseOtSenderRound1,
  encodeBaseOtSenderRound2,
  encodeBaseOtSenderRound3,
  type BaseOtReceiverState1,
  type BaseOtReceiverState2,
  type BaseOtSenderState1,
  type BaseOtSenderState2,
  type OtExtensionReceiverSetup,
} from '../../ot/index.js';
import type { UsageLedger } from '../../ledger.js';
import type { PartyId } from '../../sharing/access-structure.js';
import type { Dkls23PairState } from './key-share.js';

export const SETUP_PROTOCOL = 'dkls23-setup';
export const SETUP_VERSION = 1;
const SETUP_ROUNDS = 5;

/** One flow of the setup from `sender` to `recipient`. */
export interface SetupDirect {
  readonly protocol: typeof SETUP_PROTOCOL;
  readonly version: typeof SETUP_VERSION;
  /** The key id (DKG transcript hash), hex. */
  readonly sessionId: string;
  readonly sender: PartyId;
  readonly recipient: PartyId;
  readonly round: number;
  /** Encoded base-OT message; the sender plays base-OT sender in odd rounds, receiver in even. */
  readonly baseOt: Uint8Array;
  /** Round 1: commitment to the zero-seed contribution; round 2: the contribution. */
  readonly zeroSeed?: Uint8Array;
}

export interface PairProgress {
  bob?: BaseOtSenderState1 | BaseOtSenderState2;
  alice?: BaseOtReceiverState1 | BaseOtReceiverState2;
  receiverSetup?: OtExtensionReceiverSetup;
  zeroContribution: Uint8Array;
  theirZeroCommitment?: Uint8Array;
  zeroSeed?: Uint8Array;
}

export interface SetupState {
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  readonly others: readonly PartyId[];
  /** The round whose messages this state expects next. */
  readonly round: number;
  readonly pairs: ReadonlyMap<PartyId, PairProgress>;
  consumed: boolean;
}

export type SetupStep =
  | { readonly done: false; readonly state: SetupState; readonly outbound: SetupDirect[] }
  | { readonly done: true; readonly pairs: ReadonlyMap<PartyId, Dkls23PairState> };

const zeroCommitment = (sid: Uint8Array, from: PartyId, to: PartyId, c: Uint8Array) =>
  transcriptHash(`${SETUP_PROTOCOL}/v${SETUP_VERSION}/zero-commit`, sid, from, to, c);

function zeroSeedOf(sid: Uint8Array, a: PartyId, ca: Uint8Array, b: PartyId, cb: Uint8Array) {
  const [first, second] =
    a < b
      ? [
          [a, ca],
          [b, cb],
        ]
      : [
          [b, cb],
          [a, ca],
        ];
  return transcriptHash(`${SETUP_PROTOCOL}/v${SETUP_VERSION}/zero-seed`, sid, ...first, ...second);
}

/** Starts the setup for `self` with every other party: round-1 messages. */
export function setupStart(
  sessionId: Uint8Array,
  self: PartyId,
  parties: readonly PartyId[],
): { state: SetupState; outbound: SetupDirect[] } {
  if (!parties.includes(self)) throw new CryptoError('UNKNOWN_PARTY', `"${self}" is not a party`);
  const others = parties.filter((p) => p !== self);
  const pairs = new Map<PartyId, PairProgress>();
  const outbound: SetupDirect[] = [];
  for (const j of others) {
    const zeroContribution = randomBytes(32);
    // This party is the base-OT sender (Bob) for instances j -> self.
    const bob = baseOtSenderRound1({ sessionId, sender: self, receiver: j });
    pairs.set(j, { bob: bob.state, zeroContribution });
    outbound.push({
      ...head(sessionId, self, j, 1),
      baseOt: encodeBaseOtSenderRound1(bob.outbound),
      zeroSeed: zeroCommitment(sessionId, self, j, zeroContribution),
    });
  }
  return { state: { sessionId, self, others, round: 1, pairs, consumed: false }, outbound };
}

function head(sid: Uint8Array, sender: PartyId, recipient: PartyId, round: number) {
  return {
    protocol: SETUP_PROTOCOL,
    version: SETUP_VERSION,
    sessionId: bytesToHex(sid),
    sender,
    recipient,
    round,
  } as const;
}

/**
 * Processes one round's inbound messages (one from every other party). The round is
 * consumed in `ledger` first: a base-OT receiver that answered two different challenge
 * vectors from one (restored) state would reveal all its choice bits Δ, so no copy of a
 * setup state may run the same round twice.
 */
export function setupContinue(
  previous: SetupState,
  inbound: readonly SetupDirect[],
  ledger: UsageLedger,
): SetupStep {
  if (previous.consumed) throw new CryptoError('STATE_CONSUMED', 'setup state was already used');
  previous.consumed = true;
  const { sessionId: sid, self, round } = previous;
  ledger.consume(`${SETUP_PROTOCOL}/${bytesToHex(sid)}/${self}/${round}`);
  const bySender = new Map<PartyId, SetupDirect>();
  for (const m of inbound) {
    const from = String(m.sender);
    if (!previous.others.includes(from)) {
      throw new CryptoError('INVALID_MESSAGE', `setup message from "${from}", not a party`);
    }
    if (m.protocol !== SETUP_PROTOCOL || m.version !== SETUP_VERSION || m.round !== round) {
      throw new CryptoError('INVALID_MESSAGE', `expected a round-${round} setup message`, [from]);
    }
    if (m.sessionId !== bytesToHex(sid)) {
      throw new CryptoError('SESSION_MISMATCH', 'setup message for another key', [from]);
    }
    if (m.recipient !== self || bySender.has(from) || !(m.baseOt instanceof Uint8Array)) {
      throw new CryptoError('INVALID_MESSAGE', 'misaddressed, duplicate or malformed', [from]);
    }
    bySender.set(from, m);
  }
  const missing = previous.others.filter((p) => !bySender.has(p));
  if (missing.length > 0) {
    throw new CryptoError('INVALID_MESSAGE', `missing round-${round} setup message(s)`, missing);
  }
  const pairs = new Map<PartyId, PairProgress>();
  const outbound: SetupDirect[] = [];
  for (const [j, m] of bySender) {
    const p = { ...previous.pairs.get(j)! };
    const reply = (baseOt: Uint8Array, zeroSeed?: Uint8Array) =>
      outbound.push({
        ...head(sid, self, j, round + 1),
        baseOt,
        ...(zeroSeed ? { zeroSeed } : {}),
      });
    switch (round) {
      case 1: {
        if (!(m.zeroSeed instanceof Uint8Array) || m.zeroSeed.length !== 32) {
          throw new CryptoError('INVALID_MESSAGE', 'missing zero-seed commitment', [j]);
        }
        p.theirZeroCommitment = m.zeroSeed;
        // j is the base-OT sender for instances self -> j; this party answers as receiver.
        const a = baseOtReceiverRound1(
          { sessionId: sid, sender: j, receiver: self },
          decodeBaseOtSenderRound1(m.baseOt, j),
        );
        p.alice = a.state;
        reply(encodeBaseOtReceiverRound1(a.outbound), p.zeroContribution);
        break;
      }
      case 2: {
        const opening = m.zeroSeed;
        if (
          !(opening instanceof Uint8Array) ||
          opening.length !== 32 ||
          !equalBytes(zeroCommitment(sid, j, self, opening), p.theirZeroCommitment!)
        ) {
          throw new CryptoError('INVALID_COMMITMENT', 'zero-seed opening does not match', [j]);
        }
        p.zeroSeed = zeroSeedOf(sid, self, p.zeroContribution, j, opening);
        const b = baseOtSenderRound2(
          p.bob as BaseOtSenderState1,
          decodeBaseOtReceiverRound1(m.baseOt, j),
        );
        p.bob = b.state;
        reply(encodeBaseOtSenderRound2(b.outbound));
        break;
      }
      case 3: {
        const a = baseOtReceiverRound2(
          p.alice as BaseOtReceiverState1,
          decodeBaseOtSenderRound2(m.baseOt, j),
        );
        p.alice = a.state;
        reply(encodeBaseOtReceiverRound2(a.outbound));
        break;
      }
      case 4: {
        const b = baseOtSenderRound3(
          p.bob as BaseOtSenderState2,
          decodeBaseOtReceiverRound2(m.baseOt, j),
        );
        p.receiverSetup = b.setup;
        delete p.bob;
        reply(encodeBaseOtSenderRound3(b.outbound));
        break;
      }
      case SETUP_ROUNDS:
        break;
      default:
        throw new CryptoError('INVALID_ARGUMENT', `setup has no round ${round}`);
    }
    pairs.set(j, p);
  }
  if (round < SETUP_ROUNDS) {
    return {
      done: false,
      state: { ...previous, round: round + 1, pairs, consumed: false },
      outbound,
    };
  }
  const result = new Map<PartyId, Dkls23PairState>();
  for (const [j, m] of bySender) {
    const p = pairs.get(j)!;
    const { setup } = baseOtReceiverRound3(
      p.alice as BaseOtReceiverState2,
      decodeBaseOtSenderRound3(m.baseOt, j),
    );
    result.set(j, { zeroSeed: p.zeroSeed!, sender: setup, receiver: p.receiverSetup! });
  }
  return { done: true, pairs: result };
}
