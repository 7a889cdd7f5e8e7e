/**
 * FROST(secp256k1, SHA-256), RFC 9591 §6.5. Context string "FROST-secp256k1-SHA256-v1";
 * H1, H2, H3 are hash_to_field (expand_message_xmd with SHA-256, L = 48, RFC 9380 §5.2) under
 * DST context string || tag; H4, H5 are SHA-256 over context string || tag || m. Signatures
 * are the RFC 9591 encoding: 33-byte compressed R || 32-byte big-endian z (65 bytes).
 */
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { concatBytes } from '../../bytes.js';
import { secp256k1Group } from '../../curves/secp256k1.js';
import { CryptoError } from '../../errors.js';
import { schnorrEquationHolds } from '../msm.js';
import { identityTransform, type FrostSuite } from '../suite.js';

/** hash_to_field(m, DST) for secp256k1 (RFC 9380 §5.2, count 1, L = 48). */
export function secp256k1HashToScalar(m: Uint8Array, dst: Uint8Array): bigint {
  return secp256k1Group.scalarFromWide(expand_message_xmd(m, dst, 48, sha256));
}

/** H1, H3, H4, H5 of RFC 9591 §6.5 for a context string (shared with the Taproot suite). */
export function secp256k1Hashes(context: string) {
  const tag = (t: string): Uint8Array => utf8ToBytes(context + t);
  const [RHO, NONCE, MSG, COM, CHAL] = [
    tag('rho'),
    tag('nonce'),
    tag('msg'),
    tag('com'),
    tag('chal'),
  ];
  return {
    H1: (m: Uint8Array) => secp256k1HashToScalar(m, RHO),
    H2: (m: Uint8Array) => secp256k1HashToScalar(m, CHAL),
    H3: (m: Uint8Array) => secp256k1HashToScalar(m, NONCE),
    H4: (m: Uint8Array) => sha256(concatBytes(MSG, m)),
    H5: (m: Uint8Array) => sha256(concatBytes(COM, m)),
  };
}

const CONTEXT = 'FROST-secp256k1-SHA256-v1';
const group = secp256k1Group;
const { H1, H2, H3, H4, H5 } = secp256k1Hashes(CONTEXT);

export const frostSecp256k1: FrostSuite = {
  name: 'frost-secp256k1',
  title: 'FROST(secp256k1, SHA-256)',
  group,
  contextString: CONTEXT,
  signatureLength: 65,
  H1,
  H3,
  H4,
  H5,
  // RFC 9591 §4.6: H2(SerializeElement(R) || SerializeElement(PK) || msg)
  challenge: (R, key, message) => H2(concatBytes(R, key, message)),
  keyTransform: (publicKey, options) => identityTransform('frost-secp256k1', publicKey, options),
  negatesNonces: () => false,
  encodeSignature: (R, z) => concatBytes(group.encodePoint(R), group.encodeScalar(z)),
  encodePublicKey: (key) => group.encodePoint(key),
  // RFC 9591 §5.3 / Appendix B verify_signature_share-style check of (R, z) against PK.
  verify(signature, message, publicKey) {
    try {
      if (signature.length !== 65) return false;
      const R = group.decodePoint(signature.subarray(0, 33));
      const z = group.decodeScalar(signature.subarray(33));
      const Y = group.decodePoint(publicKey);
      const c = frostSecp256k1.challenge(signature.subarray(0, 33), publicKey, message);
      return schnorrEquationHolds(group, R, z, c, Y);
    } catch (e) {
      if (e instanceof CryptoError) return false;
      throw e;
    }
  },
};
