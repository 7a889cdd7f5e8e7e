/**
 * Multi-scalar multiplication Σ k_i·P_i over PUBLIC points and scalars, for the
 * verification equations of RFC 9591 §5.4 (signature-share verification, batched) and
 * signature verification. Backed by @noble/curves' interleaved Strauss–Shamir
 * `mulAddUnsafe`: one shared doubling chain instead of one per point. Variable time — never
 * pass a secret scalar here (secret multiplications go through `Group.baseMul`/`mulSecret`).
 */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Group, GroupPoint } from '../curves/group.js';

type AnyCons = Parameters<typeof mulAddUnsafe>[0];
type AnyPoint = Parameters<typeof mulAddUnsafe>[1][number];

const CONSTRUCTORS: Record<Group['name'], AnyCons> = {
  secp256k1: secp256k1.Point,
  ed25519: ed25519.Point,
};

/**
 * Σ scalars[i]·points[i] (public values only). Scalars are reduced mod q; a scalar may be
 * short (e.g. a 128-bit batching weight), which shortens the shared doubling chain.
 */
export function msmPublic(
  group: Group,
  points: readonly GroupPoint[],
  scalars: readonly bigint[],
): GroupPoint {
  if (points.length === 1) return group.mulPublic(points[0]!, scalars[0]!);
  return mulAddUnsafe(
    CONSTRUCTORS[group.name],
    points as unknown as AnyPoint[],
    scalars.map((s) => group.mod(s)),
  );
}

/** z·G == R + c·Y, the Schnorr verification equation of RFC 9591 §5.3 / RFC 8032 §5.1.7. */
export function schnorrEquationHolds(
  group: Group,
  R: GroupPoint,
  z: bigint,
  c: bigint,
  Y: GroupPoint,
): boolean {
  // z·G with the generator's precomputed table; c·Y variable time (both public).
  return group.mulPublic(group.generator, z).equals(R.add(group.mulPublic(Y, c)));
}
