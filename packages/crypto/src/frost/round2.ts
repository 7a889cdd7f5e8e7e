/**
 * FROST signing, round 2 (RFC 9591 §5.2 sign): a signer checks every round-1 commitment,
 * derives the signing package (context.ts) and answers with its signature share
 * z_i = d_i + e_i·ρ_i + λ_i·s_i·c. The round consumes the single-use nonce state.
 *
 * Deviation from RFC 9591 §5.2 (BIP340 suite only): with an odd-y group commitment the
 * nonces enter negated, and s_i is replaced by the suite's transformed share ±s_i + offset
 * (even-y key, optional BIP341 tweak); see suites/taproot.ts.
 */
import { bytesToHex, equalBytes } from '../bytes.js';
import { CryptoError } from '../errors.js';
import {
  assertSuiteMatchesKey,
  decodeCommitments,
  signingContext,
  type FrostKeyShare,
  type SigningContext,
} from './context.js';
import {
  FROST_PROTOCOL,
  FROST_VERSION,
  type SignRound1Broadcast,
  type SignRound2Broadcast,
} from './messages.js';
import { consumeNonceState, type SignRound1Secret } from './state.js';
import type { FrostSignOptions } from './suite.js';
import { frostSuite } from './suites/index.js';

function assertUsable(state: SignRound1Secret, key: FrostKeyShare): void {
  if (state.consumed) {
    throw new CryptoError('STATE_CONSUMED', 'this round-1 nonce state was already used to sign');
  }
  if (state.party !== key.party) {
    throw new CryptoError('INVALID_ARGUMENT', 'nonce state belongs to another party');
  }
}

/**
 * The share for an already derived signing package (internal: lets an in-process caller
 * derive the package once for all its signers). Consumes `state`.
 */
export function signShareWithContext(
  state: SignRound1Secret,
  key: FrostKeyShare,
  ctx: SigningContext,
): bigint {
  assertUsable(state, key);
  const { group } = ctx.suite;
  const own = ctx.entries.find((e) => e.party === key.party);
  if (!own) throw new CryptoError('INVALID_ARGUMENT', `${key.party} is not among the signers`);
  // The coordinator must relay our own commitment unchanged (RFC 9591 §5.2 precondition).
  if (!equalBytes(own.hidingBytes, state.hiding) || !equalBytes(own.bindingBytes, state.binding)) {
    throw new CryptoError(
      'INVALID_COMMITMENT',
      `the commitment listed for ${key.party} is not ours`,
    );
  }
  const lambda = ctx.lambda.get(key.party)!;
  const rho = ctx.bindingFactors.get(key.party)!;
  const { negate, offset } = ctx.transform;
  const s = group.mod((negate ? -key.secretShare : key.secretShare) + offset);
  const { d, e } = consumeNonceState(state);
  // RFC 9591 §5.2: sig_share = hiding_nonce + binding_nonce·ρ + λ·sk·c (BIP340: ±nonces)
  const nonce = group.mod(d + e * rho);
  return group.mod((ctx.negateNonces ? -nonce : nonce) + lambda * s * ctx.challenge);
}

/**
 * RFC 9591 §5.2 sign. `inbound` is every signer's round-1 broadcast, this signer's included;
 * the signer set is their senders and must be authorised (UNAUTHORIZED_SET). Every message
 * is validated and a bad one names its sender. Returns the consumed state (persist it in
 * place of the old one) and the share to broadcast.
 */
export function signShare(
  state: SignRound1Secret,
  key: FrostKeyShare,
  inbound: readonly SignRound1Broadcast[],
  message: Uint8Array,
  options: FrostSignOptions = {},
): { state: SignRound1Secret; outbound: SignRound2Broadcast } {
  assertUsable(state, key);
  const suite = frostSuite(state.suite);
  assertSuiteMatchesKey(suite, key);
  // Our own entry, when it is the commitment we made, is taken from the state (not re-decoded).
  const entries = decodeCommitments(suite, key, state.sessionId, inbound, state);
  const ctx = signingContext(suite, key, entries, message, options);
  const z = signShareWithContext(state, key, ctx);
  const outbound: SignRound2Broadcast = {
    protocol: FROST_PROTOCOL,
    version: FROST_VERSION,
    suite: suite.name,
    sessionId: state.sessionId,
    sender: key.party,
    round: 2,
    signatureShare: bytesToHex(suite.group.encodeScalar(z)),
  };
  return { state, outbound };
}
