/**
 * Fast conversions between byte strings and scalars for the OT layer's bulk work (thousands
 * of scalars per multiplication): big-endian through 64-bit DataView words, wide (48-byte)
 * reduction mod q for hash-to-scalar (DKLS23-NOTES.md §3.2: at least 48 bytes per scalar, so the bias is below
 * 2^-128), and packing of scalar vectors.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import { WIDE_BYTES } from './params.js';

const SECP256K1_ORDER = secp256k1Group.order;

export function bigFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length % 8 !== 0) return bytes.length === 0 ? 0n : BigInt('0x' + bytesToHex(bytes));
  return readWords(
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    0,
    bytes.length / 8,
  );
}

/** The big-endian integer of `words` 64-bit words at `offset` (3–10× faster than via hex). */
function readWords(view: DataView, offset: number, words: number): bigint {
  let v = 0n;
  for (let k = 0; k < words; k++) v = (v << 64n) | view.getBigUint64(offset + 8 * k);
  return v;
}

/** Reduces consecutive 48-byte chunks of `bytes` mod `order`. */
export function wideScalars(bytes: Uint8Array, order: bigint): bigint[] {
  const count = bytes.length / WIDE_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) out[i] = readWords(view, i * WIDE_BYTES, WIDE_BYTES / 8) % order;
  return out;
}

const WORD = (1n << 64n) - 1n;

/** 32-byte big-endian encodings of `values` (each in [0, 2^256)), concatenated. */
export function packScalars(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 32);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => {
    if (value < 0n || value >> 256n !== 0n)
      throw new CryptoError('INVALID_ARGUMENT', 'scalar out of range');
    let v = value;
    for (let k = 3; k >= 0; k--) {
      view.setBigUint64(i * 32 + 8 * k, v & WORD);
      v >>= 64n;
    }
  });
  return out;
}

export function modq(a: bigint, order: bigint): bigint {
  const r = a % order;
  return r < 0n ? r + order : r;
}

/** A canonical 32-byte scalar (< q of secp256k1) or undefined. */
export function scalarFromBytes(bytes: Uint8Array, order = SECP256K1_ORDER): bigint | undefined {
  if (bytes.length !== 32) return undefined;
  const s = bigFromBytes(bytes);
  return s < order ? s : undefined;
}
