/**
 * FROST signature-share verification (RFC 9591 §5.4) and aggregation (§5.3). `aggregate`
 * verifies EVERY share before it releases a signature and throws INVALID_SIGNATURE_SHARE
 * naming all cheating signers.
 *
 * Deviation from RFC 9591 §5.3/§5.4 (an optimisation with the same outcome): shares are
 * checked together with a random linear combination (128-bit weights, soundness error
 * 2^-128), folded into one multi-scalar multiplication together with the key-consistency
 * check Σλ_i·Y_i = Y; only when that batch fails is each share checked alone (§5.4) to name
 * the culprits. A passing batch implies every share and the final signature are valid.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { hexToBytes } from '../bytes.js';
import { bytesToBigintBE, type GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import {
  assertSuiteMatchesKey,
  decodeCommitments,
  signingContext,
  type FrostPublicKey,
  type SigningContext,
} from './context.js';
import {
  assertSameSession,
  type SignRound1Broadcast,
  type SignRound2Broadcast,
} from './messages.js';
import { msmPublic } from './msm.js';
import type { FrostSession } from './round1.js';
import type { FrostSignOptions } from './suite.js';
import { frostSuite } from './suites/index.js';

/** Validates round-2 broadcasts against the signing package; failures name the sender. */
export function decodeShares(
  ctx: SigningContext,
  sessionId: string,
  shares: readonly SignRound2Broadcast[],
): Map<PartyId, bigint> {
  const out = new Map<PartyId, bigint>();
  for (const msg of shares) {
    assertSameSession(msg, ctx.suite.name, sessionId);
    const sender = msg.sender;
    const blame = (code: CryptoError['code'], why: string): never => {
      throw new CryptoError(code, `signature share from ${sender}: ${why}`, [sender]);
    };
    if (msg.round !== 2) blame('INVALID_MESSAGE', 'not a round-2 message');
    if (!ctx.bindingFactors.has(sender)) blame('INVALID_MESSAGE', 'sender is not a signer');
    if (out.has(sender)) blame('INVALID_MESSAGE', 'sent twice');
    try {
      out.set(sender, ctx.suite.group.decodeScalar(hexToBytes(msg.signatureShare, 'share')));
    } catch {
      blame('INVALID_SIGNATURE_SHARE', 'not a canonical scalar');
    }
  }
  const missing = ctx.entries.map((e) => e.party).filter((p) => !out.has(p));
  if (missing.length > 0) {
    throw new CryptoError('INVALID_MESSAGE', 'signature shares are missing', missing);
  }
  return out;
}

function verificationShareOf(key: FrostPublicKey, party: PartyId): GroupPoint {
  const Y = key.verificationShares.get(party);
  if (!Y) throw new CryptoError('INVALID_ARGUMENT', `no verification share for ${party}`);
  return Y;
}

/**
 * RFC 9591 §5.4 verify_signature_share for one signer:
 * z_i·G == R_i + c·λ_i·Y_i', with R_i and Y_i' adjusted by the suite (BIP340).
 */
export function shareIsValid(
  ctx: SigningContext,
  key: FrostPublicKey,
  party: PartyId,
  z: bigint,
): boolean {
  const { group } = ctx.suite;
  const lambda = ctx.lambda.get(party)!;
  const Ri = ctx.commitmentShare(party);
  const { negate, offset } = ctx.transform;
  const cl = group.mod(ctx.challenge * lambda);
  // Y_i' = ±Y_i + offset·G, so z_i·G − c·λ_i·offset·G == ±R_i + (±c·λ_i)·Y_i.
  const left = group.mulPublic(group.generator, group.mod(z - cl * offset));
  const right = (ctx.negateNonces ? Ri.negate() : Ri).add(
    group.mulPublic(verificationShareOf(key, party), negate ? group.mod(-cl) : cl),
  );
  return left.equals(right);
}

const weight = (): bigint => bytesToBigintBE(randomBytes(16)) | 1n;

/**
 * One random linear combination of every share equation and of Σλ_i·Y_i − Y (see the
 * module comment). Equivalent to all shares valid and the signature valid, up to 2^-128.
 */
function batchHolds(
  ctx: SigningContext,
  key: FrostPublicKey,
  shares: ReadonlyMap<PartyId, bigint>,
): boolean {
  const { group } = ctx.suite;
  const { negate, offset } = ctx.transform;
  const c = ctx.challenge;
  const r0 = weight();
  let zG = 0n;
  const points: GroupPoint[] = [key.publicKey];
  const scalars: bigint[] = [r0];
  let first = true;
  for (const { party, hiding, binding } of ctx.entries) {
    const r = first ? 1n : weight();
    first = false;
    const lambda = ctx.lambda.get(party)!;
    // Σ r_i·(z_i − c·λ_i·offset)·G
    zG += r * (shares.get(party)! - c * lambda * offset);
    // ±r_i·R_i = ±r_i·D_i ± r_i·ρ_i·E_i
    const sign = ctx.negateNonces ? -1n : 1n;
    points.push(hiding, binding);
    scalars.push(sign * r, sign * r * ctx.bindingFactors.get(party)!);
    // λ_i·(±c·r_i − r_0)·Y_i
    const k = group.mod(lambda * ((negate ? -c : c) * r - r0));
    if (k !== 0n) {
      points.push(verificationShareOf(key, party));
      scalars.push(k);
    }
  }
  // r_0·Y appears on the right with +; Σλ_i(−r_0)Y_i cancels it when the key is consistent.
  return group.mulPublic(group.generator, group.mod(zG)).equals(msmPublic(group, points, scalars));
}

/**
 * Aggregation for an already derived signing package (internal; used by local.ts).
 * RFC 9591 §5.3: z = Σ z_i, signature = (R, z) in the suite's encoding.
 */
export function aggregateWithContext(
  ctx: SigningContext,
  key: FrostPublicKey,
  shares: ReadonlyMap<PartyId, bigint>,
): Uint8Array {
  const { group } = ctx.suite;
  if (!batchHolds(ctx, key, shares)) {
    const culprits = ctx.entries
      .map((e) => e.party)
      .filter((p) => !shareIsValid(ctx, key, p, shares.get(p)!));
    if (culprits.length > 0) {
      throw new CryptoError('INVALID_SIGNATURE_SHARE', 'invalid signature share(s)', culprits);
    }
    throw new CryptoError(
      'INVALID_SIGNATURE',
      'verification shares are inconsistent with the group public key',
    );
  }
  let z = 0n;
  for (const v of shares.values()) z += v;
  return ctx.suite.encodeSignature(ctx.groupCommitment, group.mod(z));
}

function contextFor(
  key: FrostPublicKey,
  session: FrostSession,
  commitments: readonly SignRound1Broadcast[],
  message: Uint8Array,
  options: FrostSignOptions,
): SigningContext {
  const suite = frostSuite(session.suite);
  assertSuiteMatchesKey(suite, key);
  const entries = decodeCommitments(suite, key, session.sessionId, commitments);
  return signingContext(suite, key, entries, message, options);
}

/** RFC 9591 §5.4: true when `share` is valid for its sender in this signing session. */
export function verifySignatureShare(
  key: FrostPublicKey,
  session: FrostSession,
  commitments: readonly SignRound1Broadcast[],
  message: Uint8Array,
  share: SignRound2Broadcast,
  options: FrostSignOptions = {},
): boolean {
  const ctx = contextFor(key, session, commitments, message, options);
  assertSameSession(share, ctx.suite.name, session.sessionId);
  if (!ctx.bindingFactors.has(share.sender)) {
    throw new CryptoError('INVALID_MESSAGE', `${share.sender} is not a signer`, [share.sender]);
  }
  let z: bigint;
  try {
    z = ctx.suite.group.decodeScalar(hexToBytes(share.signatureShare, 'share'));
  } catch {
    return false;
  }
  return shareIsValid(ctx, key, share.sender, z);
}

/**
 * RFC 9591 §5.3 aggregate, after verifying every share (§5.4). Throws
 * INVALID_SIGNATURE_SHARE with `culprits` = every signer whose share is invalid.
 */
export function aggregate(
  key: FrostPublicKey,
  session: FrostSession,
  commitments: readonly SignRound1Broadcast[],
  shares: readonly SignRound2Broadcast[],
  message: Uint8Array,
  options: FrostSignOptions = {},
): Uint8Array {
  const ctx = contextFor(key, session, commitments, message, options);
  return aggregateWithContext(ctx, key, decodeShares(ctx, session.sessionId, shares));
}
