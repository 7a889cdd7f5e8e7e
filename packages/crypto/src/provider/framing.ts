/**
 * Input framing shared by every `CryptoProvider` implementation (see the normative
 * definitions in crypto-provider.ts): argument checks and the exact bytes fed to SHA-256,
 * so the node:crypto and noble providers cannot drift apart. No platform imports here.
 */
import { CryptoError } from '../errors.js';

export const PRG_TAG = new TextEncoder().encode('coffer/provider/v1/prg');
export const ROWS_TAG = new TextEncoder().encode('coffer/provider/v1/rows');
/** Largest single PRG output or row-hash batch accepted (64 MiB): a guard against misuse. */
const MAX_OUTPUT = 1 << 26;

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function checkBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoError('INVALID_ARGUMENT', `${what} must be a Uint8Array`);
  }
}

export function checkLength(n: unknown, what: string, min = 0): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > MAX_OUTPUT) {
    throw new CryptoError('INVALID_ARGUMENT', `${what} must be an integer in [${min}, 2^26]`);
  }
}

/** The SHA-256 input whose first 16 output bytes key the AES-128-CTR stream of `prg`. */
export function prgKeyInput(seed: Uint8Array, domain: Uint8Array): Uint8Array {
  checkBytes(seed, 'PRG seed');
  checkBytes(domain, 'PRG domain');
  const out = new Uint8Array(PRG_TAG.length + 8 + seed.length + domain.length);
  let o = 0;
  out.set(PRG_TAG, o);
  o += PRG_TAG.length;
  out.set(u32be(seed.length), o);
  out.set(seed, o + 4);
  o += 4 + seed.length;
  out.set(u32be(domain.length), o);
  out.set(domain, o + 4);
  return out;
}

/** Checks `prgBatch` arguments; returns the number of seeds. */
export function checkBatch(seeds: Uint8Array, seedLength: number, length: number): number {
  checkBytes(seeds, 'PRG seeds');
  checkLength(seedLength, 'seed length', 1);
  checkLength(length, 'PRG output length');
  if (seeds.length % seedLength !== 0) {
    throw new CryptoError('INVALID_ARGUMENT', 'seeds must be a whole number of seeds');
  }
  const count = seeds.length / seedLength;
  checkLength(count * length, 'PRG batch output length');
  return count;
}

/** Per-seed domain for `prgBatch`: domain || u32be(index). */
export function indexedDomain(domain: Uint8Array, index: number): Uint8Array {
  const out = new Uint8Array(domain.length + 4);
  out.set(domain);
  new DataView(out.buffer).setUint32(domain.length, index);
  return out;
}

/** The SHA-256 input for the row-hash domain digest d. */
export function rowsDomainInput(domain: Uint8Array): Uint8Array {
  checkBytes(domain, 'row-hash domain');
  const out = new Uint8Array(ROWS_TAG.length + 4 + domain.length);
  out.set(ROWS_TAG);
  out.set(u32be(domain.length), ROWS_TAG.length);
  out.set(domain, ROWS_TAG.length + 4);
  return out;
}

/** Checks `hashRows` arguments; returns the number of rows. */
export function checkRows(rows: Uint8Array, rowLength: number, outLength: number): number {
  checkBytes(rows, 'rows');
  checkLength(rowLength, 'row length', 1);
  checkLength(outLength, 'row output length', 1);
  if (rows.length % rowLength !== 0) {
    throw new CryptoError('INVALID_ARGUMENT', 'rows must be a whole number of rows');
  }
  const count = rows.length / rowLength;
  checkLength(count * outLength, 'row-hash output length');
  return count;
}

/**
 * Runs the row-hash definition with given SHA-256 and SHAKE256 functions: one reusable input
 * buffer d || u32be(r) || row, rewritten in place per row.
 */
export function hashRowsWith(
  sha256: (data: Uint8Array) => Uint8Array,
  shake256: (data: Uint8Array, outLength: number) => Uint8Array,
  domain: Uint8Array,
  rows: Uint8Array,
  rowLength: number,
  outLength: number,
): Uint8Array {
  const count = checkRows(rows, rowLength, outLength);
  const d = sha256(rowsDomainInput(domain));
  const input = new Uint8Array(32 + 4 + rowLength);
  const view = new DataView(input.buffer);
  input.set(d);
  const out = new Uint8Array(count * outLength);
  for (let r = 0; r < count; r++) {
    view.setUint32(32, r);
    input.set(rows.subarray(r * rowLength, (r + 1) * rowLength), 36);
    out.set(shake256(input, outLength), r * outLength);
  }
  return out;
}

/** Runs the `prgBatch` definition with a given `prg`: prg(seed_i, domain || u32be(i), length). */
export function prgBatchWith(
  prg: (seed: Uint8Array, domain: Uint8Array, length: number) => Uint8Array,
  seeds: Uint8Array,
  seedLength: number,
  domain: Uint8Array,
  length: number,
): Uint8Array {
  const count = checkBatch(seeds, seedLength, length);
  const out = new Uint8Array(count * length);
  for (let i = 0; i < count; i++) {
    const seed = seeds.subarray(i * seedLength, (i + 1) * seedLength);
    out.set(prg(seed, indexedDomain(domain, i), length), i * length);
  }
  return out;
}
