/**
 * The plain ECDSA helpers under the threshold protocol (signature.ts), checked against
 * noble's independent implementation: bits2int, r from R (including the x(R) ≥ q case),
 * low-s normalisation, the recovery id derived from the final signature (also when s was
 * negated by a co-signer), the compact encoding, and verification that insists on low s.
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
  finishSignature,
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
  const r = nonceCoordinate(G.baseMul(k));
  const s = G.mod(G.inv(k) * (digestToScalar(digest) + r * sk));
  return finishSignature(G.baseMul(sk), digest, r, s);
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

  it('normaliseLowS keeps s ≤ q/2 and otherwise negates s; refuses 0', () => {
    expect(normaliseLowS(HALF)).toBe(HALF);
    expect(normaliseLowS(1n)).toBe(1n);
    expect(normaliseLowS(HALF + 1n)).toBe(ORDER - HALF - 1n);
    expect(normaliseLowS(ORDER - 1n)).toBe(1n);
    expectCryptoError(() => normaliseLowS(0n), 'INVALID_SIGNATURE');
  });

  it('nonceCoordinate gives r = x(R) mod q; refuses the identity and x(R) = q', () => {
    const R = G.baseMul(123456789n);
    expect(nonceCoordinate(R)).toBe(R.toAffine().x % ORDER);
    expectCryptoError(() => nonceCoordinate(R.subtract(R)), 'INVALID_SIGNATURE');
    // x = q is on the curve: its r would be 0, which is refused.
    const atQ = G.decodePoint(secp256k1.Point.fromHex('02' + hex32(ORDER)).toBytes(true));
    expectCryptoError(() => nonceCoordinate(atQ), 'INVALID_SIGNATURE', [], /r = 0/);
  });

  it('the recovery id comes from the final signature: s and −s give the same (r, s) and id', () => {
    const sk = 0xa11ce5n;
    const d = new Uint8Array(32).fill(3);
    const k = 0x5eedn;
    const r = nonceCoordinate(G.baseMul(k));
    const s = G.mod(G.inv(k) * (digestToScalar(d) + r * sk));
    const honest = finishSignature(G.baseMul(sk), d, r, s);
    // A co-signer who negates s (a rushing w_j) changes nothing a verifier or ecrecover sees.
    const negated = finishSignature(G.baseMul(sk), d, r, ORDER - s);
    expect(negated).toEqual(honest);
    const compact = encodeCompactSignature(honest);
    const recovered = secp256k1.recoverPublicKey(
      Uint8Array.from([honest.recovery, ...compact]),
      d,
      {
        prehash: false,
      },
    );
    expect(bytesToHex(recovered)).toBe(bytesToHex(G.encodePoint(G.baseMul(sk))));
  });

  it('finishSignature refuses an (r, s) that does not verify under the key', () => {
    const d = new Uint8Array(32).fill(4);
    const sig = signWith(77n, 99n, d);
    expectCryptoError(() => finishSignature(G.baseMul(78n), d, sig.r, sig.s), 'INVALID_SIGNATURE');
    expectCryptoError(() => finishSignature(G.baseMul(77n), d, sig.r, 0n), 'INVALID_SIGNATURE');
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
