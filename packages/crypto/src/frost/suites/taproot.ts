/**
 * FROST(secp256k1, SHA-256-TR): FROST (RFC 9591 §6.5) producing BIP340 Schnorr signatures for
 * Taproot key-path spends, as in ZcashFoundation's frost-secp256k1-tr. Context string
 * "FROST-secp256k1-SHA256-TR-v1"; H1, H3, H4, H5 as §6.5 under that string.
 *
 * Deviation from RFC 9591 §6.5 (required by BIP340):
 * - the challenge is BIP340's tagged hash "BIP0340/challenge" over x(R) || x(Y) || m;
 * - the group key is used with even y: if Y has odd y every signer uses −s_i (so the binding
 *   factors and challenge see the even-y key, 02-prefixed in SerializeElement);
 * - with a BIP341 tweak, t = hash_TapTweak(x(P) || merkle_root) and the key is Q = P + t·G,
 *   again negated to even y; each signer uses s_i' = ±(±s_i + t) (Σλ_i = 1);
 * - if the group commitment R has odd y, signers negate both nonces (R ↦ −R);
 * - signatures are 64 bytes, x(R) || z, and verify with BIP340 (noble's `schnorr.verify`).
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { concatBytes } from '../../bytes.js';
import { bytesToBigintBE, type GroupPoint } from '../../curves/group.js';
import { secp256k1Group } from '../../curves/secp256k1.js';
import { CryptoError } from '../../errors.js';
import type { FrostSuite, KeyTransform } from '../suite.js';
import { secp256k1Hashes } from './secp256k1.js';

const CONTEXT = 'FROST-secp256k1-SHA256-TR-v1';
const group = secp256k1Group;
const { H1, H3, H4, H5 } = secp256k1Hashes(CONTEXT);

/** True when the point's y coordinate is even (SEC1 prefix 0x02). */
export function hasEvenY(p: GroupPoint): boolean {
  return (p.toAffine().y & 1n) === 0n;
}

/** x(P) as 32 bytes (BIP340 bytes(P)). */
export function xOnly(p: GroupPoint): Uint8Array {
  return group.encodePoint(p).subarray(1);
}

/** BIP341 taproot_tweak_pubkey's t for an even-y internal key P. */
export function tapTweak(internalKey: GroupPoint, merkleRoot?: Uint8Array): bigint {
  if (
    merkleRoot !== undefined &&
    (!(merkleRoot instanceof Uint8Array) || merkleRoot.length !== 32)
  ) {
    throw new CryptoError('INVALID_ARGUMENT', 'taproot merkle root must be 32 bytes');
  }
  const data = merkleRoot ? concatBytes(xOnly(internalKey), merkleRoot) : xOnly(internalKey);
  const t = bytesToBigintBE(schnorr.utils.taggedHash('TapTweak', data));
  // BIP341: fail if t >= n (probability ~2^-128).
  if (t >= group.order) throw new CryptoError('INVALID_ARGUMENT', 'TapTweak hash out of range');
  return t;
}

function keyTransform(publicKey: GroupPoint, options: { tweak?: { merkleRoot?: Uint8Array } }) {
  // BIP340: the internal key P is Y lifted to even y.
  const negateP = !hasEvenY(publicKey);
  const P = negateP ? publicKey.negate() : publicKey;
  if (options.tweak === undefined) {
    return { negate: negateP, offset: 0n, key: P } satisfies KeyTransform;
  }
  // BIP341 taproot_tweak_pubkey: Q = P + t·G (t public), then even y again.
  const t = tapTweak(P, options.tweak.merkleRoot);
  const Q = P.add(group.mulPublic(group.generator, t));
  if (Q.is0()) throw new CryptoError('INVALID_ARGUMENT', 'tweaked key is the identity');
  const negateQ = !hasEvenY(Q);
  return {
    negate: negateP !== negateQ,
    offset: negateQ ? group.mod(-t) : t,
    key: negateQ ? Q.negate() : Q,
  } satisfies KeyTransform;
}

export const frostTaproot: FrostSuite = {
  name: 'frost-taproot',
  title: 'FROST(secp256k1, SHA-256-TR)',
  group,
  contextString: CONTEXT,
  signatureLength: 64,
  H1,
  H3,
  H4,
  H5,
  // BIP340: e = int(hash_BIP0340/challenge(bytes(R) || bytes(P) || m)) mod n, where bytes()
  // is the x coordinate: the SEC1 compressed encoding without its prefix byte.
  challenge: (R, key, message) =>
    group.mod(
      bytesToBigintBE(
        schnorr.utils.taggedHash('BIP0340/challenge', R.subarray(1), key.subarray(1), message),
      ),
    ),
  keyTransform,
  negatesNonces: (R) => !hasEvenY(R),
  encodeSignature: (R, z) => concatBytes(xOnly(R), group.encodeScalar(z)),
  encodePublicKey: xOnly,
  verify(signature, message, publicKey) {
    try {
      return schnorr.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};
