/**
 * The pure-JavaScript `CryptoProvider` (browser and Node alike): SHA-256 and SHAKE256 from
 * @noble/hashes and AES-128-CTR from @noble/ciphers, following the normative definitions in
 * crypto-provider.ts. It is the default provider.
 */
import { ctr } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { shake256 } from '@noble/hashes/sha3.js';
import type { CryptoProvider } from './crypto-provider.js';
import { checkLength, hashRowsWith, prgBatchWith, prgKeyInput } from './framing.js';

const ZERO_IV = new Uint8Array(16);

function prg(seed: Uint8Array, domain: Uint8Array, length: number): Uint8Array {
  const input = prgKeyInput(seed, domain);
  checkLength(length, 'PRG output length');
  const key = sha256(input).subarray(0, 16);
  // AES-CTR over zeros is the keystream; a fresh IV copy because noble advances it in place.
  return ctr(key, ZERO_IV.slice()).encrypt(new Uint8Array(length));
}

export const nobleCryptoProvider: CryptoProvider = {
  name: 'noble',
  sha256: (data) => sha256(data),
  prg,
  prgBatch: (seeds, seedLength, domain, length) =>
    prgBatchWith(prg, seeds, seedLength, domain, length),
  hashRows: (domain, rows, rowLength, outLength) =>
    hashRowsWith(
      sha256,
      (data, dkLen) => shake256(data, { dkLen }),
      domain,
      rows,
      rowLength,
      outLength,
    ),
};
