/**
 * FROST(Ed25519, SHA-512), RFC 9591 §6.1. Context string "FROST-ED25519-SHA512-v1"; H1, H3,
 * H4, H5 are SHA-512 over context string || tag || m (scalars little-endian mod L); H2 is
 * plain SHA-512 so that signatures are RFC 8032 Ed25519 signatures, checked here with
 * @noble/curves' strict RFC 8032 verifier.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { concatBytes } from '../../bytes.js';
import { ed25519Group } from '../../curves/ed25519.js';
import { bytesToBigintLE } from '../../curves/group.js';
import { identityTransform, type FrostSuite } from '../suite.js';

const CONTEXT = 'FROST-ED25519-SHA512-v1';
const group = ed25519Group;
const tag = (t: string): Uint8Array => utf8ToBytes(CONTEXT + t);
const [RHO, NONCE, MSG, COM] = [tag('rho'), tag('nonce'), tag('msg'), tag('com')];
const toScalar = (digest: Uint8Array): bigint => group.mod(bytesToBigintLE(digest));

export const frostEd25519: FrostSuite = {
  name: 'frost-ed25519',
  title: 'FROST(Ed25519, SHA-512)',
  group,
  contextString: CONTEXT,
  signatureLength: 64,
  // RFC 9591 §6.1: H1..H5
  H1: (m) => toScalar(sha512(concatBytes(RHO, m))),
  H3: (m) => toScalar(sha512(concatBytes(NONCE, m))),
  H4: (m) => sha512(concatBytes(MSG, m)),
  H5: (m) => sha512(concatBytes(COM, m)),
  // RFC 9591 §6.1 H2(m) = SHA-512(m), no prefix: the RFC 8032 challenge.
  challenge: (R, key, message) => toScalar(sha512(concatBytes(R, key, message))),
  keyTransform: (publicKey, options) => identityTransform('frost-ed25519', publicKey, options),
  negatesNonces: () => false,
  encodeSignature: (R, z) => concatBytes(group.encodePoint(R), group.encodeScalar(z)),
  encodePublicKey: (key) => group.encodePoint(key),
  verify(signature, message, publicKey) {
    try {
      // zip215: false = RFC 8032 §5.1.7 strict decoding.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
