/**
 * Byte helpers shared by every protocol: hex, concatenation, constant-time comparison and
 * the domain-separated, length-prefixed transcript hash used for every hash in a protocol
 * (CRYPTO.md invariant 3: each hash is bound to a domain tag, and callers add the session id
 * and access-structure hash as parts).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes as nobleHexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { CryptoError } from './errors.js';

export { bytesToHex, utf8ToBytes };

/** Parses even-length hex (no 0x prefix); a clear INVALID_ARGUMENT error otherwise. */
export function hexToBytes(hex: string, what = 'hex string'): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new CryptoError('INVALID_ARGUMENT', `${what} must be even-length hexadecimal`);
  }
  return nobleHexToBytes(hex);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time equality for equal-length inputs (length itself is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export type TranscriptPart = Uint8Array | string | number;

function encodePart(part: TranscriptPart): Uint8Array {
  if (typeof part === 'string') return utf8ToBytes(part);
  if (typeof part === 'number') {
    if (!Number.isSafeInteger(part) || part < 0 || part > 0xffffffff) {
      throw new CryptoError('INVALID_ARGUMENT', 'transcript numbers must be 32-bit unsigned');
    }
    return u32be(part);
  }
  return part;
}

/**
 * Length-prefixed encoding of a domain tag followed by parts: tag and each part are preceded
 * by their 4-byte big-endian length, so no two distinct part lists encode alike.
 */
export function encodeTranscript(tag: string, parts: readonly TranscriptPart[]): Uint8Array {
  const encoded = [tag, ...parts].map(encodePart);
  const framed: Uint8Array[] = [];
  for (const e of encoded) framed.push(u32be(e.length), e);
  return concatBytes(...framed);
}

/** SHA-256 over `encodeTranscript(tag, parts)`. */
export function transcriptHash(tag: string, ...parts: readonly TranscriptPart[]): Uint8Array {
  return sha256(encodeTranscript(tag, parts));
}
