/**
 * Checks a received DKG message against the session it is meant for and decodes its values
 * (CRYPTO.md invariant 4): shape (`messages.ts`), protocol/group/session id, sender and
 * recipient membership, exact commitment counts per tree node, points decoded with
 * `Group.decodePoint` (on the curve, in the prime-order subgroup, not the identity) and
 * scalars with `Group.decodeScalar`. Every failure is a typed CryptoError naming the sender.
 */
import { bytesToHex, hexToBytes } from '../bytes.js';
import type { GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import type { TreeCommitments } from '../sharing/feldman.js';
import {
  checkDkgMessageKind,
  encodeDkgMessage,
  type DkgComplaint,
  type DkgHeader,
  type DkgRound1Broadcast,
  type DkgRound2Broadcast,
  type DkgRound2Direct,
} from './messages.js';
import type { DkgSessionContext } from './transcript.js';

/** The session as one party sees it. */
export interface DkgContext extends DkgSessionContext {
  readonly party: PartyId;
}

export interface ReceivedRound1 {
  /** The canonical copy of the message as received. */
  readonly message: DkgRound1Broadcast;
  readonly commitments: TreeCommitments;
  /** The same commitments as encoded bytes, per node (bound into the proof challenge). */
  readonly commitmentBytes: readonly (readonly Uint8Array[])[];
  readonly proofR: GroupPoint;
  readonly proofRBytes: Uint8Array;
  readonly proofZ: bigint;
  readonly chainCodeCommitment: Uint8Array;
}

export interface ReceivedRound2Broadcast {
  readonly message: DkgRound2Broadcast;
  readonly echoes: readonly Uint8Array[];
  readonly chainCode: Uint8Array;
}

export interface ReceivedScalarMessage<M> {
  readonly message: M;
  readonly share: bigint;
}

/** Runs `fn`; a CryptoError without culprits is rethrown (same code) blaming `sender`. */
export function blame<T>(sender: PartyId, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CryptoError && e.culprits.length === 0) {
      throw new CryptoError(e.code, `${e.message} (in a message from ${sender})`, [sender]);
    }
    throw e;
  }
}

/** Protocol, group and session id must be this session's; the sender must be a party. */
export function checkSession(ctx: DkgContext, msg: DkgHeader): void {
  if (msg.group !== ctx.group.name || msg.sessionId !== ctx.sessionId) {
    throw new CryptoError(
      'SESSION_MISMATCH',
      `message from ${msg.sender} belongs to another DKG session or group`,
      [msg.sender],
    );
  }
  if (!ctx.structure.hasParty(msg.sender)) {
    throw new CryptoError('UNKNOWN_PARTY', `sender "${msg.sender}" is not a party`, [msg.sender]);
  }
}

export function readRound1(ctx: DkgContext, value: unknown): ReceivedRound1 {
  const message = checkDkgMessageKind(value, 'round1-broadcast');
  checkSession(ctx, message);
  const { sender } = message;
  const nodes = ctx.structure.nodes;
  if (message.commitments.length !== nodes.length) {
    throw new CryptoError(
      'INVALID_MESSAGE',
      `expected commitments for ${nodes.length} tree nodes, got ${message.commitments.length}`,
      [sender],
    );
  }
  return blame(sender, () => {
    const commitments = new Map<string, GroupPoint[]>();
    const commitmentBytes = nodes.map((node, i) => {
      const hex = message.commitments[i]!;
      if (hex.length !== node.threshold) {
        throw new CryptoError(
          'INVALID_MESSAGE',
          `node "${node.key}" needs ${node.threshold} commitments, got ${hex.length}`,
        );
      }
      const bytes = hex.map((h) => hexToBytes(h));
      commitments.set(
        node.key,
        bytes.map((b) => ctx.group.decodePoint(b)),
      );
      return bytes;
    });
    const proofRBytes = hexToBytes(message.proof.R);
    return {
      message,
      commitments,
      commitmentBytes,
      proofR: ctx.group.decodePoint(proofRBytes),
      proofRBytes,
      proofZ: ctx.group.decodeScalar(hexToBytes(message.proof.z)),
      chainCodeCommitment: hexToBytes(message.chainCodeCommitment),
    };
  });
}

export function readRound2Broadcast(ctx: DkgContext, value: unknown): ReceivedRound2Broadcast {
  const message = checkDkgMessageKind(value, 'round2-broadcast');
  checkSession(ctx, message);
  if (message.echoes.length !== ctx.structure.parties.length) {
    throw new CryptoError(
      'INVALID_MESSAGE',
      `expected ${ctx.structure.parties.length} echoes, got ${message.echoes.length}`,
      [message.sender],
    );
  }
  return {
    message,
    echoes: message.echoes.map((e) => hexToBytes(e)),
    chainCode: hexToBytes(message.chainCode),
  };
}

export function readRound2Direct(
  ctx: DkgContext,
  value: unknown,
): ReceivedScalarMessage<DkgRound2Direct> {
  const message = checkDkgMessageKind(value, 'round2-direct');
  checkSession(ctx, message);
  if (message.recipient !== ctx.party) {
    throw new CryptoError(
      'INVALID_MESSAGE',
      `direct message from ${message.sender} is addressed to ${message.recipient}, not ${ctx.party}`,
      [message.sender],
    );
  }
  return {
    message,
    share: blame(message.sender, () => ctx.group.decodeScalar(hexToBytes(message.share))),
  };
}

export function readComplaint(
  ctx: DkgContext,
  value: unknown,
): ReceivedScalarMessage<DkgComplaint> {
  const message = checkDkgMessageKind(value, 'complaint');
  checkSession(ctx, message);
  if (!ctx.structure.hasParty(message.accused) || message.accused === message.sender) {
    throw new CryptoError(
      'INVALID_MESSAGE',
      `complaint from ${message.sender} accuses no other party of the structure`,
      [message.sender],
    );
  }
  return {
    message,
    share: blame(message.sender, () => ctx.group.decodeScalar(hexToBytes(message.share))),
  };
}

/**
 * Exactly one message from every other party, keyed by sender. Messages claiming to be from
 * this party are checked and then ignored (a transport may echo our own broadcasts back). A
 * repeated identical message is ignored; two different ones from the same sender are
 * INCONSISTENT_BROADCAST; a missing one is INVALID_MESSAGE naming the silent parties.
 */
export function fromEveryOtherParty<T extends { readonly message: DkgHeader }>(
  ctx: DkgContext,
  inbound: readonly unknown[],
  read: (ctx: DkgContext, value: unknown) => T,
  what: string,
): Map<PartyId, T> {
  if (!Array.isArray(inbound)) {
    throw new CryptoError('INVALID_ARGUMENT', `${what} messages must be an array`);
  }
  const out = new Map<PartyId, T>();
  const encodings = new Map<PartyId, string>();
  for (const value of inbound) {
    const received = read(ctx, value);
    const sender = received.message.sender;
    if (sender === ctx.party) continue;
    const encoding = encodeDkgMessage(received.message as Parameters<typeof encodeDkgMessage>[0]);
    const previous = encodings.get(sender);
    if (previous !== undefined) {
      if (previous !== encoding) {
        throw new CryptoError(
          'INCONSISTENT_BROADCAST',
          `${sender} sent two different ${what} messages`,
          [sender],
        );
      }
      continue;
    }
    encodings.set(sender, encoding);
    out.set(sender, received);
  }
  const missing = ctx.structure.parties.filter((p) => p !== ctx.party && !out.has(p));
  if (missing.length > 0) {
    throw new CryptoError(
      'INVALID_MESSAGE',
      `no ${what} message from ${missing.join(', ')}`,
      missing,
    );
  }
  return out;
}

export function scalarHex(ctx: DkgContext, s: bigint): string {
  return bytesToHex(ctx.group.encodeScalar(s));
}
