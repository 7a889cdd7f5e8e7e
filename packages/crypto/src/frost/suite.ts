/**
 * A FROST ciphersuite as the generic core sees it (RFC 9591 §6): the prime-order group, the
 * hash functions H1..H5 bound to the suite's context string, the challenge, the signature
 * encoding and its verifier, and — for BIP340 — the affine key transform and the even-y
 * adjustment of the group commitment. Thin modules under `suites/` bind these for
 * FROST(Ed25519, SHA-512) (§6.1), FROST(secp256k1, SHA-256) (§6.5) and the Taproot variant.
 */
import type { Group, GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';

export const FROST_SUITE_NAMES = ['frost-ed25519', 'frost-secp256k1', 'frost-taproot'] as const;
export type FrostSuiteName = (typeof FROST_SUITE_NAMES)[number];

/** BIP341 key-path tweak for 'frost-taproot': t = hash_TapTweak(P.x || merkleRoot?). */
export interface TaprootTweak {
  /** 32-byte script-tree merkle root; omitted for a key with no script path (BIP86). */
  readonly merkleRoot?: Uint8Array;
}

export interface FrostSignOptions {
  /** Only for 'frost-taproot': sign for the BIP341-tweaked output key. */
  readonly tweak?: TaprootTweak;
}

/**
 * The key actually signed for: every secret share s_i becomes s_i' = ±s_i + offset and the
 * group key Y becomes Y' = ±Y + offset·G. Because Σλ_i = 1 for every access structure (the
 * all-ones sharing of 1), Σλ_i·s_i' is the secret of Y'. Identity for RFC 9591 suites.
 */
export interface KeyTransform {
  readonly negate: boolean;
  readonly offset: bigint;
  /** Y' (for Taproot: even y, tweaked when asked). */
  readonly key: GroupPoint;
}

export interface FrostSuite {
  readonly name: FrostSuiteName;
  /** The ciphersuite's RFC 9591 name, e.g. "FROST(Ed25519, SHA-512)". */
  readonly title: string;
  readonly group: Group;
  readonly contextString: string;
  readonly signatureLength: number;
  /** RFC 9591 §6.x H1: binding-factor hash to a scalar. */
  H1(m: Uint8Array): bigint;
  /** RFC 9591 §6.x H3: nonce hash to a scalar. */
  H3(m: Uint8Array): bigint;
  /** RFC 9591 §6.x H4: message hash. */
  H4(m: Uint8Array): Uint8Array;
  /** RFC 9591 §6.x H5: commitment-list hash. */
  H5(m: Uint8Array): Uint8Array;
  /**
   * RFC 9591 §4.6 compute_challenge (via H2) for the adjusted commitment and key, given as
   * SerializeElement(R) and SerializeElement(PK).
   */
  challenge(R: Uint8Array, key: Uint8Array, message: Uint8Array): bigint;
  /** The key transform for these options (identity unless the suite is BIP340). */
  keyTransform(publicKey: GroupPoint, options: FrostSignOptions): KeyTransform;
  /** True when the signers must negate their nonces for this group commitment (BIP340). */
  negatesNonces(R: GroupPoint): boolean;
  /** The signature bytes for the adjusted commitment R and the response z. */
  encodeSignature(R: GroupPoint, z: bigint): Uint8Array;
  /** The public-key bytes a verifier is given (x-only for Taproot). */
  encodePublicKey(key: GroupPoint): Uint8Array;
  /** Verifies a signature in this suite's encoding (RFC 8032, RFC 9591 or BIP340). */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** The identity transform of the RFC 9591 suites; rejects a tweak. */
export function identityTransform(
  suite: FrostSuiteName,
  publicKey: GroupPoint,
  options: FrostSignOptions,
): KeyTransform {
  if (options.tweak !== undefined) {
    throw new CryptoError('INVALID_ARGUMENT', `${suite} takes no tweak (only frost-taproot does)`);
  }
  return { negate: false, offset: 0n, key: publicKey };
}
