/**
 * Multi-scalar multiplication Σ k_i·P_i over PUBLIC points and scalars, for the
 * verification equations of RFC 9591 §5.4 (signature-share verification, batched) and
 * signature verification, and the group commitment of §4.5. Interleaved Strauss–Shamir: one
 * shared doubling chain instead of one per point. On secp256k1, @noble/curves'
 * `mulAddUnsafe` after splitting every scalar with the GLV endomorphism (Gallant–Lambert–
 * Vanstone, CRYPTO 2001), as noble does for one point: k·P = k1·P + k2·ψ(P) with |k1|, |k2| <
 * 2^128, which halves the shared chain. On edwards25519, `ed25519MsmPublic`
 * (curves/ed25519-msm.ts). Variable time — never pass a secret scalar here (secret multiplications go
 * through `Group.baseMul`/`mulSecret`).
 */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { _splitEndoScalar } from '@noble/curves/abstract/weierstrass.js';
import type { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ed25519MsmPublic } from '../curves/ed25519-msm.js';
import type { Group, GroupPoint } from '../curves/group.js';

type EdPoint = InstanceType<typeof ed25519.Point>;
type K1Point = InstanceType<typeof secp256k1.Point>;

// secp256k1's endomorphism ψ(x, y) = (β·x, y) = [λ](x, y), β a cube root of unity mod p, and
// the reduced basis of the lattice {(a, b) : a + b·λ ≡ 0 (mod n)} that splits scalars
// (Gallant–Lambert–Vanstone 2001, §4; the constants @noble/curves binds for its own GLV).
const K1_BETA = BigInt('0x7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee');
const K1_BASIS: [[bigint, bigint], [bigint, bigint]] = [
  [BigInt('0x3086d221a7d46bcde86c90e49284eb15'), -BigInt('0xe4437ed6010e88286f547fa90abfe4c3')],
  [BigInt('0x114ca50f7a8e2f3f657c1108d9d44cfd8'), BigInt('0x3086d221a7d46bcde86c90e49284eb15')],
];

/** The (point, half-width scalar) pairs of the GLV split of every k·P (signs folded in). */
function splitSecp256k1(points: readonly GroupPoint[], scalars: readonly bigint[]) {
  const outPoints: K1Point[] = [];
  const outScalars: bigint[] = [];
  const { Fp, Fn } = secp256k1.Point;
  points.forEach((point, i) => {
    const p = point as unknown as K1Point;
    const { k1neg, k1, k2neg, k2 } = _splitEndoScalar(scalars[i]!, K1_BASIS, Fn.ORDER);
    const psi = new secp256k1.Point(Fp.mul(p.X, K1_BETA), p.Y, p.Z);
    outPoints.push(k1neg ? p.negate() : p, k2neg ? psi.negate() : psi);
    outScalars.push(k1, k2);
  });
  return { points: outPoints, scalars: outScalars };
}

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
  const reduced = scalars.map((s) => group.mod(s));
  if (group.name === 'secp256k1') {
    const split = splitSecp256k1(points, reduced);
    return mulAddUnsafe(secp256k1.Point, split.points, split.scalars);
  }
  return ed25519MsmPublic(points as unknown as EdPoint[], reduced);
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
