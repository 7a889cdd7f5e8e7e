/**
 * The point-halving subgroup test (Pornin, ePrint 2022/1164) must be exactly [L]P == O: it is
 * compared with noble's `isTorsionFree()` (a multiplication by L) on prime-order points, on
 * those points plus each of the eight small-order points, and on arbitrary curve points, plus
 * known answers for the small-order points and the base point.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519Group } from './ed25519.js';
import { isInPrimeOrderSubgroup, sqrtModP, subgroupCharacters } from './ed25519-subgroup.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const p = Point.Fp.ORDER;
// zip215: true accepts the non-canonical encodings some small-order points have.
const TORSION = ED25519_TORSION_SUBGROUP.map((hex) => Point.fromHex(hex, true));
const scalar = fc.bigInt({ min: 1n, max: L - 1n });
const torsionIndex = fc.integer({ min: 0, max: 7 });
/** An arbitrary curve point: the first valid decoding of consecutive 32-byte strings. */
const anyCurvePoint = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((seed) => {
  const bytes = Uint8Array.from(seed);
  for (;;) {
    try {
      return Point.fromBytes(bytes, true);
    } catch {
      bytes[0] = (bytes[0]! + 1) & 0xff;
      bytes[1] = bytes[0] === 0 ? (bytes[1]! + 1) & 0xff : bytes[1]!;
    }
  }
});

describe('edwards25519 subgroup membership by point halving', () => {
  it('the eight small-order points: only the identity is in the prime-order subgroup', () => {
    expect(TORSION).toHaveLength(8);
    const orders = TORSION.map((t) => {
      let k = 1;
      for (let q = t; !q.is0(); q = q.add(t)) k++;
      return k;
    });
    expect(orders.sort()).toEqual([1, 2, 4, 4, 8, 8, 8, 8]);
    for (const t of TORSION) expect(isInPrimeOrderSubgroup(t)).toBe(t.is0());
  });

  it('the base point and its small multiples are in the subgroup; their torsioned copies are not', () => {
    for (const k of [1n, 2n, 3n, 8n, L - 1n]) {
      const G = Point.BASE.multiply(k);
      expect(isInPrimeOrderSubgroup(G)).toBe(true);
      for (const t of TORSION.filter((q) => !q.is0())) {
        expect(isInPrimeOrderSubgroup(G.add(t))).toBe(false);
      }
    }
  });

  it('agrees with [L]P == O on random prime-order points', () => {
    fc.assert(
      fc.property(scalar, (k) => {
        const P = Point.BASE.multiply(k);
        expect(isInPrimeOrderSubgroup(P)).toBe(P.isTorsionFree());
        expect(isInPrimeOrderSubgroup(P)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with [L]P == O on random prime-order points plus each small-order point', () => {
    fc.assert(
      fc.property(scalar, torsionIndex, (k, i) => {
        const P = Point.BASE.multiply(k).add(TORSION[i]!);
        expect(isInPrimeOrderSubgroup(P)).toBe(P.isTorsionFree());
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with [L]P == O on arbitrary curve points and their torsioned copies', () => {
    fc.assert(
      fc.property(anyCurvePoint, torsionIndex, (P, i) => {
        expect(isInPrimeOrderSubgroup(P)).toBe(P.isTorsionFree());
        const Q = P.add(TORSION[i]!);
        expect(isInPrimeOrderSubgroup(Q)).toBe(Q.isTorsionFree());
      }),
      { numRuns: 150 },
    );
  });

  it('decodePoint rejects exactly the encodings of points outside the subgroup', () => {
    fc.assert(
      fc.property(anyCurvePoint, (P) => {
        const bytes = P.toBytes();
        const valid = !P.is0() && P.isTorsionFree();
        if (valid) expect(ed25519Group.decodePoint(bytes).equals(P)).toBe(true);
        else expect(() => ed25519Group.decodePoint(bytes)).toThrow(/prime-order/);
      }),
      { numRuns: 100 },
    );
  });

  it('square roots agree with the field definition', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: p - 1n }), (v) => {
        const r = sqrtModP(v);
        if (r !== undefined) expect((r * r) % p).toBe(v);
        // Exactly the squares have roots: v^((p − 1)/2) is 1 (or v = 0).
        const euler = Point.Fp.pow(v, (p - 1n) / 2n);
        expect(r !== undefined).toBe(euler !== p - 1n);
        expect(sqrtModP((v * v) % p)).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it('the quartic character is a homomorphism on 2·E with kernel 8·E: ψ(T4) has order 4', () => {
    // The two facts the exactness argument rests on (ed25519-subgroup.ts): ψ does not depend
    // on the preimage chosen, and ψ(T4) is a primitive fourth root of unity.
    const i = Point.Fp.sqrt(p - 1n);
    const T4 = TORSION.find((t) => !t.double().is0() && t.double().double().is0())!;
    /** ψ(P), checking that both preimages give the same value. */
    const psi = (P: typeof T4): bigint | undefined => {
      const both = subgroupCharacters(P);
      if (both) expect(both[1]).toBe(both[0]);
      return both?.[0];
    };
    fc.assert(
      fc.property(scalar, (k) => {
        const G = Point.BASE.multiply(k);
        const psiT4 = psi(G.add(T4));
        expect([i, p - i]).toContain(psiT4);
        expect(psi(G)).toBe(1n);
        expect(psi(G.add(T4.double()))).toBe(p - 1n);
        expect(psi(G.subtract(T4))).toBe(p - psiT4!);
        // Points outside 2·E (a torsion component of order 8) have no character.
        const T8 = TORSION.find((t) => !t.double().double().is0())!;
        expect(psi(G.add(T8))).toBeUndefined();
      }),
      { numRuns: 30 },
    );
  });
});
