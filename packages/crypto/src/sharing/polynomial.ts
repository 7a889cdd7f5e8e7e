/**
 * Polynomials over a group's scalar field and their commitments in the exponent (Feldman
 * VSS): evaluation by Horner's rule, random polynomials with a fixed constant term, and
 * Lagrange coefficients at zero for interpolation.
 */
import type { Group, GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';

/** Coefficients a_0..a_{k-1}; a_0 is the constant term. */
export type Polynomial = readonly bigint[];

export function randomPolynomial(group: Group, constant: bigint, degree: number): bigint[] {
  const coefficients = [group.mod(constant)];
  for (let i = 0; i < degree; i++) coefficients.push(group.randomScalar());
  return coefficients;
}

export function evaluatePolynomial(group: Group, poly: Polynomial, x: bigint): bigint {
  let acc = 0n;
  for (let i = poly.length - 1; i >= 0; i--) acc = group.mod(acc * x + poly[i]!);
  return acc;
}

/** Feldman commitment: a_i·G for every coefficient (constant-time base multiplications). */
export function commitPolynomial(group: Group, poly: Polynomial): GroupPoint[] {
  return poly.map((a) => group.baseMul(a));
}

/** Σ x^i·C_i: the commitment polynomial evaluated at a public x (variable time). */
export function evaluateCommitment(
  group: Group,
  commitment: readonly GroupPoint[],
  x: bigint,
): GroupPoint {
  let acc = group.identity;
  for (let i = commitment.length - 1; i >= 0; i--) {
    acc = group.mulPublic(acc, x).add(commitment[i]!);
  }
  return acc;
}

/** Lagrange coefficient at 0 for `x` within the distinct points `xs` (RFC 9591 §4.2). */
export function lagrangeAtZero(group: Group, x: bigint, xs: readonly bigint[]): bigint {
  let num = 1n;
  let den = 1n;
  let found = false;
  for (const xj of xs) {
    if (xj === x) {
      if (found) throw new CryptoError('INVALID_ARGUMENT', 'duplicate interpolation point');
      found = true;
      continue;
    }
    num = group.mod(num * xj);
    den = group.mod(den * (xj - x));
  }
  if (!found) throw new CryptoError('INVALID_ARGUMENT', 'point is not in the interpolation set');
  return group.mod(num * group.inv(den));
}
