/**
 * The public FROST signing messages (RFC 9591 §5.1 commitments, §5.2 signature shares) as
 * typed, versioned wire objects, and their JSON form. Every message carries
 * `{ protocol: 'frost', version: 1, suite, sessionId, sender, round }` (CRYPTO.md invariant
 * 3); decoding rejects unknown or missing fields and malformed hex (CONVENTIONS.md habit 6).
 * Points and scalars are only decoded — and blamed on the sender — where they are used
 * (round2.ts, aggregate.ts).
 */
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import { FROST_SUITE_NAMES, type FrostSuiteName } from './suite.js';
import { frostSuite } from './suites/index.js';

export const FROST_PROTOCOL = 'frost';
export const FROST_VERSION = 1;

export interface FrostMessageHeader {
  readonly protocol: typeof FROST_PROTOCOL;
  readonly version: typeof FROST_VERSION;
  readonly suite: FrostSuiteName;
  /** Lowercase hex, 16..64 bytes, unique per signing session. */
  readonly sessionId: string;
  readonly sender: PartyId;
}

/** Round 1 broadcast: the sender's nonce commitments (D_i, E_i), RFC 9591 §5.1. */
export interface SignRound1Broadcast extends FrostMessageHeader {
  readonly round: 1;
  /** SerializeElement(hiding_nonce_commitment), hex. */
  readonly hiding: string;
  /** SerializeElement(binding_nonce_commitment), hex. */
  readonly binding: string;
}

/** Round 2 broadcast: the sender's signature share z_i, RFC 9591 §5.2. */
export interface SignRound2Broadcast extends FrostMessageHeader {
  readonly round: 2;
  /** SerializeScalar(sig_share), hex. */
  readonly signatureShare: string;
}

export type FrostMessage = SignRound1Broadcast | SignRound2Broadcast;

const HEADER_FIELDS = ['protocol', 'version', 'suite', 'sessionId', 'sender', 'round'] as const;
const ROUND_FIELDS = { 1: ['hiding', 'binding'], 2: ['signatureShare'] } as const;
const SESSION_ID = /^(?:[0-9a-f]{2}){16,64}$/;
const PARTY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HEX = /^(?:[0-9a-f]{2})+$/;

/** INVALID_ARGUMENT unless `id` is 16..64 bytes of lowercase hex. */
export function assertSessionId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !SESSION_ID.test(id)) {
    throw new CryptoError('INVALID_ARGUMENT', 'sessionId must be 16..64 bytes of lowercase hex');
  }
}

/**
 * Checks a message belongs to this session: same suite and session id, else
 * SESSION_MISMATCH naming the sender.
 */
export function assertSameSession(
  msg: FrostMessageHeader,
  suite: FrostSuiteName,
  sessionId: string,
): void {
  if (msg.protocol !== FROST_PROTOCOL || msg.version !== FROST_VERSION) {
    throw new CryptoError('INVALID_MESSAGE', `message from ${msg.sender} is not FROST v1`, [
      msg.sender,
    ]);
  }
  if (msg.suite !== suite || msg.sessionId !== sessionId) {
    throw new CryptoError(
      'SESSION_MISMATCH',
      `message from ${msg.sender} belongs to another session or suite`,
      [msg.sender],
    );
  }
}

/** Canonical JSON of a public FROST message (fixed field order). */
export function encodeFrostMessage(msg: FrostMessage): string {
  const header = {
    protocol: msg.protocol,
    version: msg.version,
    suite: msg.suite,
    sessionId: msg.sessionId,
    sender: msg.sender,
    round: msg.round,
  };
  return JSON.stringify(
    msg.round === 1
      ? { ...header, hiding: msg.hiding, binding: msg.binding }
      : { ...header, signatureShare: msg.signatureShare },
  );
}

/**
 * Parses and shape-checks a FROST message: exact field set, protocol/version, known suite,
 * session id and party name formats, hex of the suite's element/scalar length.
 * INVALID_MESSAGE otherwise, naming the sender when it could be read.
 */
export function decodeFrostMessage(json: string): FrostMessage {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new CryptoError('INVALID_MESSAGE', 'FROST message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CryptoError('INVALID_MESSAGE', 'FROST message must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  const sender = typeof v.sender === 'string' && PARTY.test(v.sender) ? v.sender : undefined;
  const fail = (why: string): never => {
    throw new CryptoError(
      'INVALID_MESSAGE',
      `FROST message${sender ? ` from ${sender}` : ''}: ${why}`,
      sender ? [sender] : [],
    );
  };
  if (v.round !== 1 && v.round !== 2) return fail('round must be 1 or 2');
  const allowed: readonly string[] = [...HEADER_FIELDS, ...ROUND_FIELDS[v.round]];
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(`unknown field(s): ${extra.join(', ')}`);
  const missing = allowed.filter((k) => !Object.hasOwn(v, k));
  if (missing.length > 0) fail(`missing field(s): ${missing.join(', ')}`);
  if (v.protocol !== FROST_PROTOCOL) fail('protocol must be "frost"');
  if (v.version !== FROST_VERSION) fail(`unsupported version ${String(v.version)}`);
  if (!FROST_SUITE_NAMES.includes(v.suite as FrostSuiteName)) fail('unknown suite');
  if (typeof v.sessionId !== 'string' || !SESSION_ID.test(v.sessionId)) fail('bad sessionId');
  if (sender === undefined) fail('bad sender');
  const suite = frostSuite(v.suite as string);
  const hexOf = (field: string, bytes: number): void => {
    const h = v[field];
    if (typeof h !== 'string' || !HEX.test(h) || h.length !== 2 * bytes) {
      fail(`${field} must be ${bytes} bytes of lowercase hex`);
    }
  };
  if (v.round === 1) {
    hexOf('hiding', suite.group.pointLength);
    hexOf('binding', suite.group.pointLength);
  } else hexOf('signatureShare', suite.group.scalarLength);
  return v as unknown as FrostMessage;
}
