/**
 * The secret round-1 state of a FROST signer: its two nonces (RFC 9591 §5.1) and their
 * commitments, bound to one suite, session and party. It is single-use: `signShare`
 * (round2.ts) marks the object consumed and wipes its nonces, and a consumed state — or one
 * restored from a serialisation taken after consumption — throws STATE_CONSUMED.
 *
 * Persistence-level single use is the signing node's job: a serialisation taken BEFORE
 * signing still holds the nonces, so the node must replace (or delete) its persisted copy
 * with the consumed state returned by `signShare` before releasing the signature share.
 */
import { bytesToHex, hexToBytes } from '../bytes.js';
import type { GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import { assertSessionId, FROST_PROTOCOL, FROST_VERSION } from './messages.js';
import { FROST_SUITE_NAMES, type FrostSuiteName } from './suite.js';
import { frostSuite } from './suites/index.js';

export interface SignRound1Secret {
  readonly suite: FrostSuiteName;
  readonly sessionId: string;
  readonly party: PartyId;
  /** SerializeElement of D_i and E_i, as broadcast. */
  readonly hiding: Uint8Array;
  readonly binding: Uint8Array;
  /**
   * D_i and E_i as points (public, never serialised): round 2 uses them for this signer's own
   * entry when the listed commitment is byte-identical to `hiding` / `binding`, instead of
   * decoding and subgroup-checking what it computed itself.
   */
  readonly points?: { readonly hiding: GroupPoint; readonly binding: GroupPoint };
  /** d_i, e_i: secret, one use. 0n once consumed. */
  hidingNonce: bigint;
  bindingNonce: bigint;
  consumed: boolean;
}

/** Marks the state consumed and drops its nonces (best effort: bigints cannot be wiped). */
export function consumeNonceState(state: SignRound1Secret): { d: bigint; e: bigint } {
  if (state.consumed || state.hidingNonce === 0n || state.bindingNonce === 0n) {
    throw new CryptoError('STATE_CONSUMED', 'this round-1 nonce state was already used to sign');
  }
  const out = { d: state.hidingNonce, e: state.bindingNonce };
  state.consumed = true;
  state.hidingNonce = 0n;
  state.bindingNonce = 0n;
  return out;
}

interface SignRound1SecretJson {
  protocol: 'frost';
  version: 1;
  kind: 'sign-round1-secret';
  suite: FrostSuiteName;
  sessionId: string;
  party: PartyId;
  hiding: string;
  binding: string;
  /** null once consumed. */
  hidingNonce: string | null;
  bindingNonce: string | null;
  consumed: boolean;
}

const FIELDS: readonly (keyof SignRound1SecretJson)[] = [
  'protocol',
  'version',
  'kind',
  'suite',
  'sessionId',
  'party',
  'hiding',
  'binding',
  'hidingNonce',
  'bindingNonce',
  'consumed',
];

/** JSON for the node's encrypted state store. Contains secrets unless consumed. */
export function serializeSignRound1Secret(state: SignRound1Secret): string {
  const { group } = frostSuite(state.suite);
  const scalar = (s: bigint): string | null =>
    state.consumed ? null : bytesToHex(group.encodeScalar(s));
  const json: SignRound1SecretJson = {
    protocol: FROST_PROTOCOL,
    version: FROST_VERSION,
    kind: 'sign-round1-secret',
    suite: state.suite,
    sessionId: state.sessionId,
    party: state.party,
    hiding: bytesToHex(state.hiding),
    binding: bytesToHex(state.binding),
    hidingNonce: scalar(state.hidingNonce),
    bindingNonce: scalar(state.bindingNonce),
    consumed: state.consumed,
  };
  return JSON.stringify(json);
}

/**
 * Restores a state from `serializeSignRound1Secret`. Rejects unknown fields and checks the
 * nonces against their commitments; a consumed state restores as consumed.
 */
export function restoreSignRound1Secret(text: string): SignRound1Secret {
  const bad = (why: string): never => {
    throw new CryptoError('INVALID_MESSAGE', `round-1 secret state: ${why}`);
  };
  let v: Record<string, unknown> = {};
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    bad('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('not an object');
  const keys = Object.keys(v);
  if (keys.length !== FIELDS.length || !FIELDS.every((k) => Object.hasOwn(v, k))) {
    bad('unexpected field set');
  }
  if (v.protocol !== FROST_PROTOCOL || v.version !== FROST_VERSION) bad('not FROST v1');
  if (v.kind !== 'sign-round1-secret') bad('wrong kind');
  if (!FROST_SUITE_NAMES.includes(v.suite as FrostSuiteName)) bad('unknown suite');
  assertSessionId(v.sessionId);
  if (typeof v.party !== 'string' || typeof v.consumed !== 'boolean') bad('bad party/consumed');
  const { group } = frostSuite(v.suite as string);
  const hiding = hexToBytes(v.hiding as string, 'hiding');
  const binding = hexToBytes(v.binding as string, 'binding');
  const D = group.decodePoint(hiding);
  const E = group.decodePoint(binding);
  let hidingNonce = 0n;
  let bindingNonce = 0n;
  if (v.consumed) {
    if (v.hidingNonce !== null || v.bindingNonce !== null) bad('consumed state holds nonces');
  } else {
    if (typeof v.hidingNonce !== 'string' || typeof v.bindingNonce !== 'string') bad('no nonces');
    hidingNonce = group.decodeScalar(hexToBytes(v.hidingNonce as string, 'hidingNonce'));
    bindingNonce = group.decodeScalar(hexToBytes(v.bindingNonce as string, 'bindingNonce'));
    if (!group.baseMul(hidingNonce).equals(D) || !group.baseMul(bindingNonce).equals(E)) {
      bad('nonces do not match their commitments');
    }
  }
  return {
    suite: v.suite as FrostSuiteName,
    sessionId: v.sessionId,
    party: v.party as string,
    hiding,
    binding,
    points: { hiding: D, binding: E },
    hidingNonce,
    bindingNonce,
    consumed: v.consumed as boolean,
  };
}
