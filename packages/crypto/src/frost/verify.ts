/**
 * The group key a FROST signature verifies under, and signature verification per suite:
 * RFC 8032 for FROST(Ed25519, SHA-512) (§6.1), the RFC 9591 (R, z) equation for
 * FROST(secp256k1, SHA-256) (§6.5, 65-byte signatures), BIP340 for the Taproot suite
 * (x-only key, tweaked when a BIP341 tweak was used for signing).
 */
import { CryptoError } from '../errors.js';
import type { FrostPublicKey } from './context.js';
import type { FrostSignOptions, FrostSuiteName } from './suite.js';
import { frostSuite } from './suites/index.js';

/**
 * The public-key bytes a verifier needs: 32-byte Ed25519 key, 33-byte compressed secp256k1
 * key, or the 32-byte x-only (tweaked, with `options.tweak`) Taproot output key.
 */
export function frostVerifyingKey(
  suiteName: FrostSuiteName,
  key: Pick<FrostPublicKey, 'group' | 'publicKey'>,
  options: FrostSignOptions = {},
): Uint8Array {
  const suite = frostSuite(suiteName);
  if (suite.group.name !== key.group.name) {
    throw new CryptoError('INVALID_ARGUMENT', `${suite.name} needs a ${suite.group.name} key`);
  }
  return suite.encodePublicKey(suite.keyTransform(key.publicKey, options).key);
}

/** True when `signature` is a valid signature of `message` under `publicKey` in the suite. */
export function verifySignature(
  suiteName: FrostSuiteName,
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  const suite = frostSuite(suiteName);
  if (!(signature instanceof Uint8Array) || signature.length !== suite.signatureLength)
    return false;
  return suite.verify(signature, message, publicKey);
}
