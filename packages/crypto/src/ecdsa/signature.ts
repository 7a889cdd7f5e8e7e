/**
 * Plain ECDSA helpers on secp256k1 shared by the threshold protocol: digest to scalar
 * (bits2int, SEC 1 §4.1.3 step 5 / RFC 6979 §2.3.2), r from the nonce point, and
 * `finishSignature`, which turns a combined (r, s) into the released signature: low-s
 * (BIP 62 / EIP-2), verification, and the recovery id read off the *final* signature
 * (SEC 1 §4.1.6); `verifyEcdsa` is noble's independent verifier.
 *
 * The recovery id is computed from (r, s) and the key, never carried from the nonce point:
 * a co-signer who turns s into −s changes nothing a verifier sees, but would make an id taken
 * from R wrong (found in review; see SECURITY.md).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bigintToBytesBE, bytesToBigintBE, type GroupPoint } from '../curves/group.js';
import { secp256k1Group as G } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';

export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
  /** Bit 0: y(R) odd; bit 1: x(R) >= q (practically never), for the released (r, s). */
  readonly recovery: 0 | 1 | 2 | 3;
}

/** bits2int(digest) mod q for a 32-byte digest (secp256k1's q is 256 bits). */
export function digestToScalar(digest: Uint8Array): bigint {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new CryptoError('INVALID_ARGUMENT', 'ECDSA signs a 32-byte digest');
  }
  return G.mod(bytesToBigintBE(digest));
}

/** r = x(R) mod q; INVALID_SIGNATURE if R is the identity or r = 0. */
export function nonceCoordinate(R: GroupPoint): bigint {
  if (R.is0()) throw new CryptoError('INVALID_SIGNATURE', 'nonce point is the identity');
  const r = G.mod(R.toAffine().x);
  if (r === 0n) throw new CryptoError('INVALID_SIGNATURE', 'r = 0');
  return r;
}

/** Low-s normalisation: s if s ≤ q/2, otherwise q − s (0 is refused). */
export function normaliseLowS(s: bigint): bigint {
  if (s === 0n) throw new CryptoError('INVALID_SIGNATURE', 's = 0');
  return s > G.order >> 1n ? G.order - s : s;
}

/**
 * The released signature for a combined (r, s): s normalised to low s; R' = s⁻¹·(m·G + r·PK)
 * (public values only) must have x(R') ≡ r — which is ECDSA verification itself (SEC 1
 * §4.1.4), so the signature is verified before release — and R''s y parity and x ≥ q give the
 * recovery id. INVALID_SIGNATURE otherwise. (Tests check every released signature with noble,
 * OpenSSL and key recovery independently.)
 */
export function finishSignature(
  publicKey: GroupPoint,
  digest: Uint8Array,
  r: bigint,
  s: bigint,
): EcdsaSignature {
  const low = normaliseLowS(s);
  const sInv = G.inv(low);
  const m = digestToScalar(digest);
  const R = G.mulPublic(G.generator, G.mod(m * sInv)).add(G.mulPublic(publicKey, G.mod(r * sInv)));
  if (R.is0()) throw new CryptoError('INVALID_SIGNATURE', 'the signature does not verify');
  const { x, y } = R.toAffine();
  if (G.mod(x) !== r) throw new CryptoError('INVALID_SIGNATURE', 'the signature does not verify');
  return {
    r,
    s: low,
    recovery: ((x >= G.order ? 2 : 0) | (y & 1n ? 1 : 0)) as 0 | 1 | 2 | 3,
  };
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
