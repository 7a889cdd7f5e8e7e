/**
 * Exact prime-order-subgroup membership for edwards25519 without a multiplication by the group
 * order. RFC 9591 §6.1 DeserializeElement requires every received element to be in the
 * subgroup of prime order L; the textbook test [L]P == O costs ~250 doublings. E(F_p) is
 * cyclic of order 8·L (p = 2^255 − 19), so P is in the subgroup exactly when P = 8·Q for some
 * Q. Thomas Pornin, "Point-Halving and Subgroup Membership in Twisted Edwards Curves" (IACR
 * ePrint 2022/1164), decides this by halving P three times in a Montgomery model; we take his
 * first halving step (a square root, §3) and then, instead of the two further halvings, one
 * quartic character: the reduced 4-Tate pairing on the 2-isogenous curve, which is trivial
 * exactly on 8·E (argument at `isInPrimeOrderSubgroup`). Two exponentiations in F_p in all,
 * about a sixth of [L]P.
 *
 * Variable time: use on public points only (received commitments and keys).
 */
import { ed25519 } from '@noble/curves/ed25519.js';

type EdPoint = InstanceType<typeof ed25519.Point>;

const Fp = ed25519.Point.Fp;
const P = Fp.ORDER; // 2^255 − 19
const md = (a: bigint): bigint => {
  const r = a % P;
  return r < 0n ? r + P : r;
};
// √−1 = 2^((p−1)/4) mod p (RFC 8032 §5.1.1).
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;

// The Montgomery-form model used for halving (Pornin 2022, §3): edwards25519 (a = −1, d) is
// isomorphic to y² = x·(x² + A·x + B) with A = 2(a + d), B = (a − d)², through
// x = (a − d)(1 + v)/(1 − v), w = y/x = 2/u for the Edwards point (u, v). B is a square, so
// the 2-torsion point (0, 0) is halvable; A² − 4B = 16ad is not (d is not a square), so (0, 0)
// is the only rational point of order 2 and E(F_p)[2^∞] is cyclic of order 8.
const CURVE_A = -1n;
const CURVE_D = ed25519.Point.CURVE().d;
const C = md(CURVE_A - CURVE_D);
const A = md(2n * (CURVE_A + CURVE_D));

function square(x: bigint, times: number): bigint {
  for (let i = 0; i < times; i++) x = (x * x) % P;
  return x;
}

/** x^((p − 5)/8) = x^(2^252 − 3), by the usual addition chain of x^(2^k − 1) powers. */
function powP58(x: bigint): bigint {
  const e2 = (((x * x) % P) * x) % P; // x^(2^2 − 1)
  const e4 = (square(e2, 2) * e2) % P;
  const e5 = (square(e4, 1) * x) % P;
  const e10 = (square(e5, 5) * e5) % P;
  const e20 = (square(e10, 10) * e10) % P;
  const e40 = (square(e20, 20) * e20) % P;
  const e80 = (square(e40, 40) * e40) % P;
  const e160 = (square(e80, 80) * e80) % P;
  const e240 = (square(e160, 80) * e80) % P;
  const e250 = (square(e240, 10) * e10) % P; // x^(2^250 − 1)
  return (square(e250, 2) * x) % P; // x^(2^252 − 4 + 1)
}

/**
 * A square root of v in F_p, or undefined when v is not a square. p ≡ 5 (mod 8): r = v^((p+3)/8)
 * has r² = ±v when v is a square (RFC 8032 §5.1.3 uses the same candidate).
 */
export function sqrtModP(v: bigint): bigint | undefined {
  const r = (v * powP58(v)) % P;
  const r2 = (r * r) % P;
  if (r2 === v) return r;
  if (r2 === md(-v)) return (r * SQRT_M1) % P;
  return undefined;
}

/** χ4(g) = g^((p − 1)/4) ∈ {1, −1, √−1, −√−1} for g ≠ 0 (p ≡ 5 mod 8, so 4 | p − 1). */
function quarticCharacter(g: bigint): bigint {
  const t = powP58(g); // g^((p − 5)/8), and 2·(p − 5)/8 + 1 = (p − 1)/4
  return (((t * t) % P) * g) % P;
}

// The 2-isogenous curve E': Y² = X(X² + A'X + B'), A' = −2A, B' = A² − 4B, with the dual
// isogeny φ̂(X, W) = (W²/4, (B' − X²)/(2W·X)), W = Y/X (Silverman, AEC, Example III.4.5).
const A1 = md(-2n * A);
const B1 = md(A * A - 4n * C * C);
// T4 = (C, 2√−1) is a rational point of order 4 of E (its tangent has slope w = 2√−1 and
// passes through (0, 0), so 2·T4 = (0, 0)). S' = (XS, WS·XS) is a point of E' with
// φ̂(S') = T4 (C is a square), of order 4; the tangent to E' at S' has slope LAMBDA and meets
// E' again at −2S' = 2S' = (R2, 0).
const SQRT_C = sqrtModP(C)!;
const WS = md(2n * SQRT_C);
const XS = md(2n * C + A - WS * md(2n * SQRT_M1));
const YS = (WS * XS) % P;
const LAMBDA = md((3n * XS * XS + 2n * A1 * XS + B1) * Fp.inv(md(2n * YS)));
const R2 = md(XS - YS * Fp.inv(LAMBDA));

/**
 * ψ(P) for an Edwards point P = (u, v) of 2·E, not of small order, from a root s0 of
 * C(1 − v²) (either root). In the Montgomery model P = (x, w) with x = C(1 + v)/(1 − v) =
 * C(1 − v²)/(1 − v)², so s = s0/(1 − v) is a root of x. ψ(P) is the reduced 4-Tate pairing on
 * E' of S' with Q' = (X', 2s·X'), X' = 2x + A − 2s·w, the point with φ̂(Q') = P (Pornin 2022,
 * §3, "inverse ψ2"): f(Q')^((p − 1)/4) with f = (Y − LAMBDA·(X − R2))²/(X − R2), the
 * normalised function of divisor 4(S') − 4(O).
 *
 * No inversion: with D = (1 − v)·u, X' = Xn/D, X' − R2 = dN/D, Y' − LAMBDA·(X' − R2) =
 * nN/((1 − v)·D) for nN = 2·s0·Xn − LAMBDA·dN·(1 − v), so f(Q') = nN² / ((1 − v)²·D·dN);
 * multiplying by the fourth power ((1 − v)·D·dN)⁴ gives nN²·dN³·(1 − v)²·D³, with the same
 * character.
 */
function tatePairingOfHalf(u: bigint, v: bigint, s0: bigint): bigint {
  const oneMinusV = md(1n - v);
  const D = (oneMinusV * u) % P;
  const Xn = md(2n * C * (1n + v) * u + A * D - 4n * s0);
  const dN = md(Xn - R2 * D);
  const nN = md(2n * s0 * Xn - ((LAMBDA * dN) % P) * oneMinusV);
  const n2 = (nN * nN) % P;
  const d3 = (((dN * dN) % P) * dN) % P;
  const D3 = (((D * D) % P) * D) % P;
  return quarticCharacter((((((n2 * d3) % P) * oneMinusV * oneMinusV) % P) * D3) % P);
}

/** C(1 − v²): a square exactly when P ∈ 2·E (it is x·(1 − v)² in the Montgomery model). */
const halvingRadicand = (v: bigint): bigint => md(C * (1n - v * v));

/**
 * ψ(P) computed from each of the two preimages Q', Q' + (0, 0) (roots s0 and −s0), for a point
 * of 2·E that is not of small order; undefined outside 2·E. For the tests of the argument at
 * `isInPrimeOrderSubgroup`.
 */
export function subgroupCharacters(point: EdPoint): [bigint, bigint] | undefined {
  if (point.isSmallOrder()) return undefined;
  const { x: u, y: v } = point.toAffine();
  const s0 = sqrtModP(halvingRadicand(v));
  if (s0 === undefined) return undefined;
  return [tatePairingOfHalf(u, v, s0), tatePairingOfHalf(u, v, md(-s0))];
}

/**
 * True exactly when [L]P is the identity (L the prime group order): the identity and every
 * point of the order-L subgroup; false for the other small-order points and for every point
 * with a non-zero torsion component. Equivalent to noble's `isTorsionFree()` (property-tested
 * in ed25519-subgroup.test.ts). Variable time: public points only.
 *
 * Why it is exact. E(F_p) is cyclic of order 8L, so the subgroup is 8·E.
 * 1. P ∈ 2·E ⇔ x(P) is a non-zero square (2-descent along φ: Silverman, AEC, Prop. X.4.9;
 *    Pornin 2022, §3).
 * 2. On 2·E, ψ(P) = t₄(S', Q') with φ̂(Q') = P is well defined (the other preimage is Q' + (0, 0)
 *    and t₄(S', (0, 0)) = 1), a homomorphism (the Tate pairing is linear in its second
 *    argument; Frey–Rück 1994) and trivial on 8·E (P = 8R has the preimage φ(4R) ∈ 4·E').
 *    2·E / 8·E is cyclic of order 4, generated by T4, and ψ(T4) = ±√−1 has order 4, so the
 *    kernel of ψ is exactly 8·E. (The two constants are checked by the tests.)
 * Cost: two exponentiations, against ~250 doublings and ~50 additions for
 * [L]P. This replaces Pornin's second and third halvings by one quartic character.
 */
export function isInPrimeOrderSubgroup(point: EdPoint): boolean {
  // The eight small-order points (three doublings reach the identity): only O is in the
  // subgroup. Every other point has u ≠ 0 and v ≠ ±1, so the model below is defined, and no
  // value in `tatePairingOfHalf` is zero (that would make P of order ≤ 4).
  if (point.isSmallOrder()) return point.is0();
  const { x: u, y: v } = point.toAffine();
  const s0 = sqrtModP(halvingRadicand(v));
  if (s0 === undefined) return false; // not even in 2·E
  return tatePairingOfHalf(u, v, s0) === 1n;
}
