/**
 * Plain ECDSA helpers on secp256k1 shared by the threshold protocol: digest to scalar
 * (bits2int, SEC 1 §4.1.3 step 5 / RFC 6979 §2.3.2), low-s normalisation with the recovery
 * id (BIP 62 / EIP-2), and the final check with noble's independent verifier.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bigintToBytesBE, bytesToBigintBE, type GroupPoint } from '../curves/group.js';
import { secp256k1Group as G } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';

export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
  /** Bit 0: y(R) odd; bit 1: x(R) >= q (practically never). Matches the low-s (r, s). */
  readonly recovery: 0 | 1 | 2 | 3;
}

/** bits2int(digest) mod q for a 32-byte digest (secp256k1's q is 256 bits). */
export function digestToScalar(digest: Uint8Array): bigint {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new CryptoError('INVALID_ARGUMENT', 'ECDSA signs a 32-byte digest');
  }
  return G.mod(bytesToBigintBE(digest));
}

/** (r, recovery bits) of the nonce point R; INVALID_SIGNATURE if R is the identity or r = 0. */
export function nonceCoordinate(R: GroupPoint): { r: bigint; recovery: 0 | 1 | 2 | 3 } {
  if (R.is0()) throw new CryptoError('INVALID_SIGNATURE', 'nonce point is the identity');
  const { x, y } = R.toAffine();
  const r = G.mod(x);
  if (r === 0n) throw new CryptoError('INVALID_SIGNATURE', 'r = 0');
  return { r, recovery: ((x >= G.order ? 2 : 0) | (y & 1n ? 1 : 0)) as 0 | 1 | 2 | 3 };
}

/** Low-s normalisation: if s > q/2, use q − s, which flips the parity bit of the recovery id. */
export function normaliseLowS(r: bigint, s: bigint, recovery: 0 | 1 | 2 | 3): EcdsaSignature {
  if (s === 0n) throw new CryptoError('INVALID_SIGNATURE', 's = 0');
  if (s > G.order >> 1n) return { r, s: G.order - s, recovery: (recovery ^ 1) as 0 | 1 | 2 | 3 };
  return { r, s, recovery };
}

export function encodeCompactSignature(sig: EcdsaSignature): Uint8Array {
  const out = new Uint8Array(64);
  out.set(bigintToBytesBE(sig.r, 32), 0);
  out.set(bigintToBytesBE(sig.s, 32), 32);
  return out;
}

/** Verifies with @noble/curves (no pre-hash: the input is the digest; low-s required). */
export function verifyEcdsa(
  publicKey: GroupPoint,
  digest: Uint8Array,
  sig: EcdsaSignature,
): boolean {
  try {
    return secp256k1.verify(encodeCompactSignature(sig), digest, G.encodePoint(publicKey), {
      prehash: false,
      lowS: true,
    });
  } catch {
    return false;
  }
}
