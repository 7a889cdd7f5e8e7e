/**
 * The edwards25519 multi-scalar multiplication (Strauss w-NAF over HWCD 2008 extended
 * coordinates) must equal @noble/curves' `mulAddUnsafe` for any points — including the
 * small-order points, points with torsion components, the identity, repeated and opposite
 * points — and any reduced scalars, zero included.
 */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519MsmPublic } from './ed25519-msm.js';

const Point = ed25519.Point;
type EdPoint = InstanceType<typeof Point>;
const L = Point.Fn.ORDER;
const TORSION = ED25519_TORSION_SUBGROUP.map((hex) => Point.fromHex(hex, true));
const scalar = fc.oneof(
  fc.bigInt({ min: 0n, max: L - 1n }),
  fc.constantFrom(0n, 1n, 2n, 15n, 16n, 17n, L - 1n, L - 16n, (1n << 252n) - 1n),
);
const point = fc
  .tuple(fc.bigInt({ min: 1n, max: L - 1n }), fc.integer({ min: 0, max: 7 }))
  .map(([k, t]) => Point.BASE.multiply(k).add(TORSION[t]!));

const reference = (points: EdPoint[], scalars: bigint[]): EdPoint =>
  points.reduce((acc, p, i) => acc.add(p.multiplyUnsafe(scalars[i]!)), Point.ZERO);

describe('ed25519MsmPublic', () => {
  it('equals Σ k_i·P_i for random points with torsion components and random or edge scalars', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(point, scalar), { minLength: 1, maxLength: 6 }), (terms) => {
        const points = terms.map(([p]) => p);
        const scalars = terms.map(([, k]) => k);
        const got = ed25519MsmPublic(points, scalars);
        expect(got.equals(reference(points, scalars))).toBe(true);
        expect(got.equals(mulAddUnsafe(Point, points, scalars))).toBe(true);
        // The result is a valid point whose extended T coordinate is consistent.
        if (!got.is0()) expect(() => got.assertValidity()).not.toThrow();
      }),
      { numRuns: 60 },
    );
  });

  it('handles the identity, small-order points, repeated and opposite points, zero scalars', () => {
    const G = Point.BASE.multiply(123456789n);
    const cases: [EdPoint[], bigint[]][] = [
      [[], []],
      [[Point.ZERO], [5n]],
      [[G], [0n]],
      [TORSION, TORSION.map((_, i) => BigInt(i + 1))],
      [
        [G, G, G.negate()],
        [7n, L - 1n, 3n],
      ],
      [
        [G, G.negate()],
        [L - 1n, L - 1n],
      ],
    ];
    for (const [points, scalars] of cases) {
      const got = ed25519MsmPublic(points, scalars);
      expect(got.equals(reference(points, scalars))).toBe(true);
      if (!got.is0()) expect(() => got.assertValidity()).not.toThrow();
    }
  });

  it('refuses unreduced scalars instead of silently dropping digits', () => {
    // Regression: a negative scalar used to count as 0 and one of 256+ bits lost its top digit.
    const G = Point.BASE.multiply(99n);
    for (const k of [-1n, -3n, L, (1n << 256n) - 1n, 1n << 300n]) {
      expect(() => ed25519MsmPublic([G, G], [1n, k])).toThrow(RangeError);
    }
    expect(ed25519MsmPublic([G], [L - 1n]).equals(G.negate())).toBe(true);
  });
});
