/**
 * Independent signature verifiers for every scheme the ceremony tool produces. They use
 * @noble/curves' own verifiers — not Coffer's signing code — so a `coffer tss verify`
 * success means a standard verifier accepts the signature: RFC 8032 (strict, not ZIP-215)
 * for Ed25519, noble's RFC 9591 FROST verifier for FROST(secp256k1, SHA-256), BIP340 for
 * Taproot, and SEC 1 ECDSA over a 32-byte digest (low-s, BIP 62) for threshold ECDSA.
 * Every verifier returns false, never throws, on malformed input.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1, secp256k1_FROST } from '@noble/curves/secp256k1.js';

export type IndependentVerifier = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => boolean;

const failClosed =
  (verify: IndependentVerifier): IndependentVerifier =>
  (publicKey, message, signature) => {
    try {
      return verify(publicKey, message, signature);
    } catch {
      return false;
    }
  };

/** RFC 8032 §5.1.7 Ed25519 verification (cofactorless, canonical encodings). */
export const verifyEd25519 = failClosed((publicKey, message, signature) =>
  ed25519.verify(signature, message, publicKey, { zip215: false }),
);

/** RFC 9591 §6.5 FROST(secp256k1, SHA-256): 65-byte (R, z), 33-byte compressed key. */
export const verifyFrostSecp256k1 = failClosed((publicKey, message, signature) =>
  secp256k1_FROST.verify(signature, message, publicKey),
);

/** BIP340 Schnorr: 64-byte signature, 32-byte x-only key. */
export const verifyBip340 = failClosed((publicKey, message, signature) =>
  schnorr.verify(signature, message, publicKey),
);

/** ECDSA on secp256k1 over a 32-byte digest (no pre-hash), compact r||s, low-s required. */
export const verifyEcdsaSecp256k1Digest = failClosed((publicKey, digest, signature) =>
  secp256k1.verify(signature, digest, publicKey, { prehash: false, lowS: true }),
);
