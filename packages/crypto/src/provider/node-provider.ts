/**
 * The node:crypto `CryptoProvider` (Node only; never imported by the browser path, and not
 * re-exported from the package index): OpenSSL's SHA-256 and AES-128-CTR, following the
 * normative definitions in crypto-provider.ts byte for byte.
 */
import { createCipheriv, createHash, hash } from 'node:crypto';
import type { CryptoProvider } from './crypto-provider.js';
import { checkLength, hashRowsWith, prgBatchWith, prgKeyInput } from './framing.js';

const ZERO_IV = new Uint8Array(16);

function sha256(data: Uint8Array): Uint8Array {
  const digest = hash('sha256', data, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

function shake256(data: Uint8Array, outputLength: number): Uint8Array {
  const digest = createHash('shake256', { outputLength }).update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

function prg(seed: Uint8Array, domain: Uint8Array, length: number): Uint8Array {
  const input = prgKeyInput(seed, domain);
  checkLength(length, 'PRG output length');
  const key = sha256(input).subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, ZERO_IV);
  const stream = cipher.update(new Uint8Array(length));
  return new Uint8Array(stream.buffer, stream.byteOffset, stream.byteLength);
}

export const nodeCryptoProvider: CryptoProvider = {
  name: 'node:crypto',
  sha256,
  prg,
  prgBatch: (seeds, seedLength, domain, length) =>
    prgBatchWith(prg, seeds, seedLength, domain, length),
  hashRows: (domain, rows, rowLength, outLength) =>
    hashRowsWith(sha256, shake256, domain, rows, rowLength, outLength),
};
