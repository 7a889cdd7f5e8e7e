/**
 * Wire messages of the distributed key generation (Pedersen DKG with proofs of knowledge,
 * Komlo–Goldberg 2020 "FROST: Flexible Round-Optimized Schnorr Threshold Signatures", Fig. 1,
 * extended to threshold trees). Every message carries `{ protocol, version, group, sessionId,
 * sender }` (CRYPTO.md invariant 3) and a `kind`. Values are lowercase hex in the group's
 * RFC 9591 §6 encodings, so each message has exactly one encoding (echo hashes rely on it).
 *
 * This module checks the *shape* of a message: exact field set (unknown fields rejected,
 * CONVENTIONS.md habit 6), types, hex lengths. Checks that need the session (session id,
 * membership, per-node counts, points on the curve) are in `inbound.ts`. Errors name the
 * sender when the message names one.
 */
import type { GroupName } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';

export const DKG_PROTOCOL = 'dkg';
export const DKG_VERSION = 1;

export interface DkgHeader {
  readonly protocol: 'dkg';
  readonly version: 1;
  readonly group: GroupName;
  /** Lowercase hex, 16 to 64 bytes; fresh for every run. */
  readonly sessionId: string;
  readonly sender: PartyId;
}

/** Round 1, broadcast (Komlo–Goldberg Fig. 1, round 1 steps 1–4). */
export interface DkgRound1Broadcast extends DkgHeader {
  readonly kind: 'round1-broadcast';
  /** Per internal node, in `AccessStructure.nodes` order: the k points a_j·G. */
  readonly commitments: readonly (readonly string[])[];
  /** Schnorr proof of knowledge of the root constant term: R = k·G, z = k + a_0·c. */
  readonly proof: { readonly R: string; readonly z: string };
  /** Hash commitment to the sender's 32-byte chain-code contribution. */
  readonly chainCodeCommitment: string;
}

/** Round 2, private to `recipient` (the transport encrypts it; the node layer signs it). */
export interface DkgRound2Direct extends DkgHeader {
  readonly kind: 'round2-direct';
  readonly recipient: PartyId;
  /** The sender's share for the recipient's leaf. Secret. */
  readonly share: string;
}

/** Round 2, broadcast: echoes of every round-1 broadcast and the chain-code opening. */
export interface DkgRound2Broadcast extends DkgHeader {
  readonly kind: 'round2-broadcast';
  /** Per party in canonical order: hash of that party's round-1 broadcast as received. */
  readonly echoes: readonly string[];
  /** The sender's 32-byte chain-code contribution (opens its round-1 commitment). */
  readonly chainCode: string;
}

/** A public complaint: `sender` accuses `accused` of sending `share`, which fails the check. */
export interface DkgComplaint extends DkgHeader {
  readonly kind: 'complaint';
  readonly accused: PartyId;
  readonly share: string;
}

export type DkgMessage = DkgRound1Broadcast | DkgRound2Direct | DkgRound2Broadcast | DkgComplaint;
export type DkgMessageKind = DkgMessage['kind'];

const HEADER = ['protocol', 'version', 'group', 'sessionId', 'sender', 'kind'] as const;
const FIELDS: Record<DkgMessageKind, readonly string[]> = {
  'round1-broadcast': [...HEADER, 'commitments', 'proof', 'chainCodeCommitment'],
  'round2-direct': [...HEADER, 'recipient', 'share'],
  'round2-broadcast': [...HEADER, 'echoes', 'chainCode'],
  complaint: [...HEADER, 'accused', 'share'],
};
const POINT_HEX: Record<GroupName, number> = { secp256k1: 66, ed25519: 64 };
const SCALAR_HEX = 64;
const HASH_HEX = 64;
/** Bounds from AccessStructure (≤ 256 parties, so ≤ 255 internal nodes of ≤ 256 members). */
const MAX_ITEMS = 256;
const MAX_JSON = 1 << 20;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const SESSION_ID_PATTERN = /^(?:[0-9a-f]{2}){16,64}$/;

type Fail = (message: string) => never;

function failer(sender: PartyId | undefined): Fail {
  const culprits = sender === undefined ? [] : [sender];
  return (message) => {
    throw new CryptoError('INVALID_MESSAGE', message, culprits);
  };
}

function hexOf(value: unknown, length: number, what: string, fail: Fail): string {
  if (typeof value !== 'string' || value.length !== length || !/^[0-9a-f]*$/.test(value)) {
    return fail(`${what} must be ${length / 2} bytes of lowercase hex`);
  }
  return value;
}

function nameOf(value: unknown, what: string, fail: Fail): PartyId {
  if (typeof value !== 'string' || !NAME.test(value)) return fail(`${what} is not a party name`);
  return value;
}

function exactFields(value: object, allowed: readonly string[], what: string, fail: Fail): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(`${what} has unknown field(s): ${extra.join(', ')}`);
  const missing = allowed.filter((k) => !Object.hasOwn(value, k));
  if (missing.length > 0) fail(`${what} lacks field(s): ${missing.join(', ')}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape of any DKG message and returns a fresh copy with its fields in canonical
 * order. A message of another protocol is SESSION_MISMATCH naming its sender.
 */
export function checkDkgMessage(value: unknown): DkgMessage {
  if (!isRecord(value)) throw new CryptoError('INVALID_MESSAGE', 'a DKG message must be an object');
  const sender =
    typeof value.sender === 'string' && NAME.test(value.sender) ? value.sender : undefined;
  const fail = failer(sender);
  if (value.protocol !== DKG_PROTOCOL) {
    throw new CryptoError(
      'SESSION_MISMATCH',
      'message is not a DKG message',
      sender === undefined ? [] : [sender],
    );
  }
  if (value.version !== DKG_VERSION) fail(`unsupported DKG message version`);
  const kind = value.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) fail('unknown DKG message kind');
  exactFields(value, FIELDS[kind as DkgMessageKind], `DKG ${String(kind)}`, fail);
  const group = value.group;
  if (group !== 'secp256k1' && group !== 'ed25519') return fail('unknown group');
  if (typeof value.sessionId !== 'string' || !SESSION_ID_PATTERN.test(value.sessionId)) {
    fail('sessionId must be 16 to 64 bytes of lowercase hex');
  }
  const header: DkgHeader = {
    protocol: DKG_PROTOCOL,
    version: DKG_VERSION,
    group,
    sessionId: value.sessionId as string,
    sender: nameOf(value.sender, 'sender', fail),
  };
  const point = (v: unknown, what: string): string => hexOf(v, POINT_HEX[group], what, fail);
  const scalar = (v: unknown, what: string): string => hexOf(v, SCALAR_HEX, what, fail);
  switch (kind as DkgMessageKind) {
    case 'round1-broadcast': {
      const nodes = value.commitments;
      if (!Array.isArray(nodes) || nodes.length === 0 || nodes.length > MAX_ITEMS) {
        return fail('commitments must be a non-empty array per tree node');
      }
      const commitments = nodes.map((node: unknown, i) => {
        if (!Array.isArray(node) || node.length === 0 || node.length > MAX_ITEMS) {
          return fail(`commitments of node ${i} must be a non-empty array`);
        }
        return node.map((p: unknown, j) => point(p, `commitment ${i}/${j}`));
      });
      const proof = value.proof;
      if (!isRecord(proof)) return fail('proof must be an object');
      exactFields(proof, ['R', 'z'], 'proof', fail);
      return {
        ...header,
        kind: 'round1-broadcast',
        commitments,
        proof: { R: point(proof.R, 'proof.R'), z: scalar(proof.z, 'proof.z') },
        chainCodeCommitment: hexOf(
          value.chainCodeCommitment,
          HASH_HEX,
          'chainCodeCommitment',
          fail,
        ),
      };
    }
    case 'round2-direct':
      return {
        ...header,
        kind: 'round2-direct',
        recipient: nameOf(value.recipient, 'recipient', fail),
        share: scalar(value.share, 'share'),
      };
    case 'round2-broadcast': {
      const echoes = value.echoes;
      if (!Array.isArray(echoes) || echoes.length === 0 || echoes.length > MAX_ITEMS) {
        return fail('echoes must be a non-empty array, one per party');
      }
      return {
        ...header,
        kind: 'round2-broadcast',
        echoes: echoes.map((e: unknown, i) => hexOf(e, HASH_HEX, `echo ${i}`, fail)),
        chainCode: hexOf(value.chainCode, HASH_HEX, 'chainCode', fail),
      };
    }
    case 'complaint':
      return {
        ...header,
        kind: 'complaint',
        accused: nameOf(value.accused, 'accused', fail),
        share: scalar(value.share, 'share'),
      };
  }
}

/** Checks that a message has the expected kind (after `checkDkgMessage`). */
export function checkDkgMessageKind<K extends DkgMessageKind>(
  value: unknown,
  kind: K,
): Extract<DkgMessage, { kind: K }> {
  const msg = checkDkgMessage(value);
  if (msg.kind !== kind) {
    throw new CryptoError('INVALID_MESSAGE', `expected a DKG ${kind}, got ${msg.kind}`, [
      msg.sender,
    ]);
  }
  return msg as Extract<DkgMessage, { kind: K }>;
}

/**
 * Canonical JSON: `checkDkgMessage` rebuilds the message with its fields in one fixed order,
 * so equal messages encode to equal bytes (the echo hashes depend on it).
 */
export function encodeDkgMessage(message: DkgMessage): string {
  return JSON.stringify(checkDkgMessage(message));
}

/** Parses and shape-checks a JSON DKG message; INVALID_MESSAGE on anything malformed. */
export function decodeDkgMessage(json: string): DkgMessage {
  if (typeof json !== 'string' || json.length > MAX_JSON) {
    throw new CryptoError('INVALID_MESSAGE', 'a DKG message must be a JSON string under 1 MiB');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new CryptoError('INVALID_MESSAGE', 'DKG message is not valid JSON');
  }
  return checkDkgMessage(value);
}
