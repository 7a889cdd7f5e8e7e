/**
 * Fast conversions between byte strings and scalars for the OT layer's bulk work (thousands
 * of scalars per multiplication): big-endian via hex, wide (48-byte) reduction mod q for
 * hash-to-scalar (DKLS23-NOTES.md §3.2: at least 48 bytes per scalar, so the bias is below
 * 2^-128), and packing of scalar vectors.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { WIDE_BYTES } from './params.js';

const SECP256K1_ORDER = secp256k1Group.order;

export function bigFromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytesToHex(bytes));
}

/** Reduces consecutive 48-byte chunks of `bytes` mod `order`. */
export function wideScalars(bytes: Uint8Array, order: bigint): bigint[] {
  const count = bytes.length / WIDE_BYTES;
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) {
    out[i] = bigFromBytes(bytes.subarray(i * WIDE_BYTES, (i + 1) * WIDE_BYTES)) % order;
  }
  return out;
}

/** 32-byte big-endian encodings of `values` (each in [0, 2^256)), concatenated. */
export function packScalars(values: readonly bigint[]): Uint8Array {
  let hex = '';
  for (const v of values) hex += v.toString(16).padStart(64, '0');
  return hexToBytes(hex);
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
