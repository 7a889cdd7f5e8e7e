/**
 * Schnorr proof of knowledge of a dealer's constant term a_0 (Komlo–Goldberg 2020, FROST,
 * Fig. 1, round 1 steps 2 and 5).
 * It stops a rogue-key attack: a dealer cannot choose its commitment as a function of the
 * others' (e.g. to cancel them) without knowing its discrete logarithm.
 *
 *   prove:  k ← Z_q,  R = k·G,  c = H(dealer, Φ, commitments, R),  z = k + a_0·c
 *   verify: z·G − c·A_0 = R      (A_0 = a_0·G, the root constant-term commitment)
 */
import type { GroupPoint } from '../curves/group.js';
import type { PartyId } from '../sharing/access-structure.js';
import { committedPublicKey } from '../sharing/feldman.js';
import type { ReceivedRound1 } from './inbound.js';
import { proofChallenge, type DkgSessionContext } from './transcript.js';

/** Komlo–Goldberg Fig. 1, round 1 step 2. `secret` is a_0; k is fresh per proof. */
export function proveConstantTerm(
  ctx: DkgSessionContext,
  dealer: PartyId,
  commitmentBytes: readonly (readonly Uint8Array[])[],
  secret: bigint,
): { readonly R: GroupPoint; readonly RBytes: Uint8Array; readonly z: bigint } {
  const { group } = ctx;
  const k = group.randomScalar();
  const R = group.baseMul(k);
  const RBytes = group.encodePoint(R);
  const c = proofChallenge(ctx, dealer, commitmentBytes, RBytes);
  return { R, RBytes, z: group.mod(k + secret * c) };
}

/**
 * Komlo–Goldberg Fig. 1, round 1 step 5: checks z·G − c·A_0 = R. Every input is public, so
 * both multiplications take the variable-time path.
 */
export function verifyConstantTermProof(ctx: DkgSessionContext, received: ReceivedRound1): boolean {
  const { group } = ctx;
  const dealer = received.message.sender;
  const c = proofChallenge(ctx, dealer, received.commitmentBytes, received.proofRBytes);
  const a0: GroupPoint = committedPublicKey(received.commitments);
  const lhs = group.mulPublic(group.generator, received.proofZ).subtract(group.mulPublic(a0, c));
  return lhs.equals(received.proofR);
}
