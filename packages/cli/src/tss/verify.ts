/**
 * Independent signature verification for every scheme the ceremony tool produces. Uses
 * @noble/curves' own verifiers — not Coffer's signing code — so a `coffer tss verify` success
 * means a standard verifier accepts the signature: RFC 8032 (strict, not ZIP-215) for
 * Ed25519, noble's RFC 9591 FROST verifier for FROST(secp256k1, SHA-256), BIP340 for
 * Taproot.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import type { SchemeName } from './scheme-names.js';

export function verifySignature(
  scheme: SchemeName,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    switch (scheme) {
      case 'frost-ed25519':
        return ed25519.verify(signature, message, publicKey, { zip215: false });
      case 'frost-secp256k1':
        return secp256k1_FROST.verify(signature, message, publicKey);
      case 'frost-taproot':
        return schnorr.verify(signature, message, publicKey);
    }
  } catch {
    return false;
  }
}
