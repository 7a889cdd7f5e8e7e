/**
 * FROST signing, round 1 (RFC 9591 §5.1 commit): each signer draws a hiding and a binding
 * nonce with nonce_generate (§4.1: H3(random_bytes(32) || SerializeScalar(sk_i)), hedged
 * with the secret share against a weak RNG), keeps them in a single-use secret state and
 * broadcasts their commitments D_i = d_i·G, E_i = e_i·G.
 */
import { bytesToHex, concatBytes } from '../bytes.js';
import { randomBytes } from '@noble/hashes/utils.js';
import type { GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import { assertSuiteMatchesKey, type FrostKeyShare } from './context.js';
import {
  assertSessionId,
  FROST_PROTOCOL,
  FROST_VERSION,
  type SignRound1Broadcast,
} from './messages.js';
import type { SignRound1Secret } from './state.js';
import type { FrostSuite, FrostSuiteName } from './suite.js';
import { frostSuite } from './suites/index.js';

/** D_i and E_i as points (for in-process callers that need not re-decode them). */
export interface CommitmentPoints {
  readonly hiding: GroupPoint;
  readonly binding: GroupPoint;
}

export interface FrostSession {
  readonly suite: FrostSuiteName;
  /** Lowercase hex, 16..64 bytes, unique per signing session (agreed out of band). */
  readonly sessionId: string;
}

/**
 * RFC 9591 §4.1 nonce_generate with caller-supplied randomness. Internal: tests feed the
 * known-answer vectors' randomness through it; production code uses `commit`.
 */
export function nonceGenerate(suite: FrostSuite, secret: bigint, random: Uint8Array): bigint {
  if (!(random instanceof Uint8Array) || random.length !== 32) {
    throw new CryptoError('INVALID_ARGUMENT', 'nonce randomness must be 32 bytes');
  }
  return suite.H3(concatBytes(random, suite.group.encodeScalar(secret)));
}

/**
 * Round 1 with explicit randomness (internal; for known-answer tests). Returns the secret
 * state, the public broadcast and the commitment points (for in-process callers).
 */
export function commitWithRandomness(
  key: FrostKeyShare,
  session: FrostSession,
  hidingRandom: Uint8Array,
  bindingRandom: Uint8Array,
): { state: SignRound1Secret; outbound: SignRound1Broadcast; points: CommitmentPoints } {
  const suite = frostSuite(session.suite);
  assertSessionId(session.sessionId);
  assertSuiteMatchesKey(suite, key);
  const { group } = suite;
  const d = nonceGenerate(suite, key.secretShare, hidingRandom);
  const e = nonceGenerate(suite, key.secretShare, bindingRandom);
  // Secret scalars: constant-time base multiplications.
  const points = { hiding: group.baseMul(d), binding: group.baseMul(e) };
  const hiding = group.encodePoint(points.hiding);
  const binding = group.encodePoint(points.binding);
  const state: SignRound1Secret = {
    suite: suite.name,
    sessionId: session.sessionId,
    party: key.party,
    hiding,
    binding,
    points,
    hidingNonce: d,
    bindingNonce: e,
    consumed: false,
  };
  const outbound: SignRound1Broadcast = {
    protocol: FROST_PROTOCOL,
    version: FROST_VERSION,
    suite: suite.name,
    sessionId: session.sessionId,
    sender: key.party,
    round: 1,
    hiding: bytesToHex(hiding),
    binding: bytesToHex(binding),
  };
  return { state, outbound, points };
}

/**
 * RFC 9591 §5.1 commit. The returned state is secret and single-use (see state.ts); the
 * outbound commitment is broadcast to every signer (or the coordinator).
 */
export function commit(
  key: FrostKeyShare,
  session: FrostSession,
): { state: SignRound1Secret; outbound: SignRound1Broadcast } {
  const { state, outbound } = commitWithRandomness(key, session, randomBytes(32), randomBytes(32));
  return { state, outbound };
}
