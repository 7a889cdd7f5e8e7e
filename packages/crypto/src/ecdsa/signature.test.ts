/**
 * The plain ECDSA helpers under the threshold protocol (signature.ts), checked against
 * noble's independent implementation: bits2int, r and the recovery id from R (including the
 * x(R) ≥ q case), low-s normalisation flipping the parity bit, the compact encoding, and
 * verification that insists on low s.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectCryptoError, ORDER } from '../../test/ecdsa/harness.js';
import { bytesToHex } from '../bytes.js';
import { secp256k1Group as G } from '../curves/secp256k1.js';
import {
  digestToScalar,
  encodeCompactSignature,
  nonceCoordinate,
  normaliseLowS,
  verifyEcdsa,
  type EcdsaSignature,
} from './signature.js';

const HALF = ORDER >> 1n;
const hex32 = (n: bigint) => n.toString(16).padStart(64, '0');
const bytes32 = (n: bigint) => Uint8Array.from(Buffer.from(hex32(n), 'hex'));

/** Single-party ECDSA with a chosen nonce, assembled from the helpers under test. */
function signWith(sk: bigint, k: bigint, digest: Uint8Array): EcdsaSignature {
  const { r, recovery } = nonceCoordinate(G.baseMul(k));
  const s = G.mod(G.inv(k) * (digestToScalar(digest) + r * sk));
  return normaliseLowS(r, s, recovery);
}

describe('ECDSA helpers', () => {
  it('digestToScalar is bits2int mod q for 32-byte digests and refuses other lengths', () => {
    expect(digestToScalar(new Uint8Array(32))).toBe(0n);
    expect(digestToScalar(bytes32(ORDER))).toBe(0n);
    expect(digestToScalar(bytes32(ORDER + 5n))).toBe(5n);
    expect(digestToScalar(new Uint8Array(32).fill(0xff))).toBe((1n << 256n) - 1n - ORDER);
    expect(digestToScalar(bytes32(12345n))).toBe(12345n);
    for (const bad of [new Uint8Array(31), new Uint8Array(64), 'ab' as unknown as Uint8Array]) {
      expectCryptoError(() => digestToScalar(bad), 'INVALID_ARGUMENT');
    }
  });

  it('normaliseLowS keeps s ≤ q/2 and otherwise negates s and flips the parity bit', () => {
    expect(normaliseLowS(7n, HALF, 0)).toEqual({ r: 7n, s: HALF, recovery: 0 });
    expect(normaliseLowS(7n, 1n, 3)).toEqual({ r: 7n, s: 1n, recovery: 3 });
    const flips = [
      [0, 1],
      [1, 0],
      [2, 3],
      [3, 2],
    ] as const;
    for (const [before, after] of flips) {
      expect(normaliseLowS(7n, HALF + 1n, before)).toEqual({
        r: 7n,
        s: ORDER - HALF - 1n,
        recovery: after,
      });
      expect(normaliseLowS(7n, ORDER - 1n, before)).toEqual({ r: 7n, s: 1n, recovery: after });
    }
    expectCryptoError(() => normaliseLowS(7n, 0n, 0), 'INVALID_SIGNATURE');
  });

  it('nonceCoordinate gives r = x(R) mod q with y parity in bit 0; refuses the identity', () => {
    const R = G.baseMul(123456789n);
    const { x, y } = R.toAffine();
    const { r, recovery } = nonceCoordinate(R);
    expect(r).toBe(x % ORDER);
    expect(recovery & 1).toBe(Number(y & 1n));
    expect(nonceCoordinate(R.negate()).recovery & 1).toBe(Number(1n - (y & 1n)));
    expectCryptoError(() => nonceCoordinate(R.subtract(R)), 'INVALID_SIGNATURE');
  });

  it('nonceCoordinate sets bit 1 when x(R) > q (r = x − q) and refuses x(R) = q', () => {
    // x = q is on the curve: its r would be 0, which is refused.
    const atQ = G.decodePoint(secp256k1.Point.fromHex('02' + hex32(ORDER)).toBytes(true));
    expectCryptoError(() => nonceCoordinate(atQ), 'INVALID_SIGNATURE', [], /r = 0/);
    // Find a curve point with q < x < p (there are about 2^127 of them).
    let point;
    for (let x = ORDER + 1n; !point; x++) {
      try {
        point = secp256k1.Point.fromHex('02' + hex32(x));
      } catch {
        // x³ + 7 is not a square: try the next x
      }
    }
    const R = G.decodePoint(point.toBytes(true));
    const { r, recovery } = nonceCoordinate(R);
    expect(r).toBe(point.toAffine().x - ORDER);
    expect(recovery & 2).toBe(2);
    expect(recovery & 1).toBe(Number(point.toAffine().y & 1n));
  });

  it('signatures assembled from the helpers verify with noble and recover the key (property)', () => {
    const scalar = fc.bigInt({ min: 1n, max: ORDER - 1n });
    fc.assert(
      fc.property(scalar, scalar, fc.uint8Array({ minLength: 32, maxLength: 32 }), (sk, k, d) => {
        const sig = signWith(sk, k, d);
        const pk = G.encodePoint(G.baseMul(sk));
        const compact = encodeCompactSignature(sig);
        expect(sig.s <= HALF).toBe(true);
        expect(secp256k1.verify(compact, d, pk, { prehash: false })).toBe(true);
        expect(verifyEcdsa(G.baseMul(sk), d, sig)).toBe(true);
        const recovered = secp256k1.recoverPublicKey(
          Uint8Array.from([sig.recovery, ...compact]),
          d,
          {
            prehash: false,
          },
        );
        expect(bytesToHex(recovered)).toBe(bytesToHex(pk));
      }),
      { numRuns: 40 },
    );
  });

  it('encodeCompactSignature is r || s, 32 bytes each, big-endian', () => {
    const out = encodeCompactSignature({ r: 1n, s: ORDER - 1n, recovery: 0 });
    expect(bytesToHex(out)).toBe(hex32(1n) + hex32(ORDER - 1n));
  });

  it('verifyEcdsa refuses high s, a wrong key, a wrong digest and r = 0 without throwing', () => {
    const sk = 0xc0ffeen;
    const d = new Uint8Array(32).fill(9);
    const sig = signWith(sk, 0xbeefn, d);
    const pk = G.baseMul(sk);
    expect(verifyEcdsa(pk, d, sig)).toBe(true);
    expect(verifyEcdsa(pk, d, { ...sig, s: ORDER - sig.s })).toBe(false);
    expect(verifyEcdsa(G.baseMul(sk + 1n), d, sig)).toBe(false);
    expect(verifyEcdsa(pk, new Uint8Array(32).fill(8), sig)).toBe(false);
    expect(verifyEcdsa(pk, d, { ...sig, r: 0n })).toBe(false);
    expect(verifyEcdsa(pk, d, { ...sig, s: 0n })).toBe(false);
  });
});
