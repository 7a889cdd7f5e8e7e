/**
 * The crypto-provider interface: the small set of bulk symmetric primitives (SHA-256, a
 * seeded PRG, batched row hashing) that the OT extension and RVOLE (DKLs23 §5, KOS15 §4)
 * spend their time in, so a platform can supply a fast implementation (node:crypto) while
 * the protocol code stays pure and browser-safe (CRYPTO.md, "Performance notes").
 *
 * Every implementation must produce the same bytes for the same inputs (the definitions
 * below are normative, and `provider.test.ts` checks node:crypto against noble byte for
 * byte), so the choice of provider changes speed only, never protocol results. The default is
 * the pure-noble provider; a Node process may call `setCryptoProvider(nodeCryptoProvider)`
 * once at start-up.
 */
import { nobleCryptoProvider } from './noble-provider.js';

/**
 * Normative definitions (all lengths in bytes, `u32be` a 4-byte big-endian integer):
 *
 * - `sha256(data)`: SHA-256 (FIPS 180-4).
 * - `prg(seed, domain, length)`: key = SHA-256(PRG_TAG || u32be(|seed|) || seed ||
 *   u32be(|domain|) || domain)[0..16]; output = the first `length` bytes of the AES-128-CTR
 *   keystream under that key with a zero initial counter block (128-bit big-endian counter).
 * - `prgBatch(seeds, seedLength, domain, length)`: the concatenation over i of
 *   `prg(seed_i, domain || u32be(i), length)`, seed_i the i-th `seedLength`-byte slice.
 * - `hashRows(domain, rows, rowLength, outLength)`: d = SHA-256(ROWS_TAG || u32be(|domain|) ||
 *   domain); for each row r (the r-th `rowLength`-byte slice), SHAKE256(d || u32be(r) || row)
 *   with `outLength` bytes of output (FIPS 202). One XOF call per row instead of a SHA-256
 *   counter chain: the OT extension hashes thousands of short rows per multiplication, so
 *   the per-call cost dominates.
 */
export interface CryptoProvider {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  prg(seed: Uint8Array, domain: Uint8Array, length: number): Uint8Array;
  prgBatch(seeds: Uint8Array, seedLength: number, domain: Uint8Array, length: number): Uint8Array;
  hashRows(domain: Uint8Array, rows: Uint8Array, rowLength: number, outLength: number): Uint8Array;
}

let current: CryptoProvider = nobleCryptoProvider;

/**
 * Selects the provider used by the OT layer. Because all providers are byte-identical, this
 * is a performance switch only; call it once at start-up (e.g. with the node:crypto provider).
 */
export function setCryptoProvider(provider: CryptoProvider): void {
  current = provider;
}

/** The provider currently in use (pure noble unless `setCryptoProvider` was called). */
export function getCryptoProvider(): CryptoProvider {
  return current;
}
