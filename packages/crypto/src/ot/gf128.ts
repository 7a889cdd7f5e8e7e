/**
 * Arithmetic in GF(2^128) = GF(2)[X]/(X^128 + X^7 + X^2 + X + 1) for the OT-extension
 * consistency check (KOS15 updated, Fig. 10; SoftSpokenOT ePrint 2022/192 with k = 1):
 * multiplication of many blocks by one fixed challenge, using a table of chi*X^k and masked
 * (branch-free) accumulation, since the blocks are secret.
 *
 * Encoding: a 16-byte block's bit k (= (block[k >> 3] >> (k & 7)) & 1) is the coefficient of
 * X^k, matching the bit order of the OT-extension columns. Words are little-endian u32.
 */

/** Table of chi * X^k for k = 0..127, four u32 words each. */
export type Gf128Table = Uint32Array;

function words(block: Uint8Array, offset = 0): [number, number, number, number] {
  const w = (i: number) =>
    (block[offset + i]! |
      (block[offset + i + 1]! << 8) |
      (block[offset + i + 2]! << 16) |
      (block[offset + i + 3]! << 24)) >>>
    0;
  return [w(0), w(4), w(8), w(12)];
}

/** Precomputes chi * X^k (k < 128) for repeated multiplication by `chi`. */
export function gf128Table(chi: Uint8Array): Gf128Table {
  const t = new Uint32Array(128 * 4);
  let [a, b, c, d] = words(chi);
  for (let k = 0; k < 128; k++) {
    t[4 * k] = a;
    t[4 * k + 1] = b;
    t[4 * k + 2] = c;
    t[4 * k + 3] = d;
    // Multiply by X: shift left one bit, reduce X^128 = X^7 + X^2 + X + 1 (0x87).
    const carry = d >>> 31;
    d = ((d << 1) | (c >>> 31)) >>> 0;
    c = ((c << 1) | (b >>> 31)) >>> 0;
    b = ((b << 1) | (a >>> 31)) >>> 0;
    a = ((a << 1) ^ (-carry & 0x87)) >>> 0;
  }
  return t;
}

/**
 * acc ^= chi * block (block = 16 bytes of `src` at `offset`), where `table` = gf128Table(chi).
 * `acc` is four u32 words. Branch-free in the block's bits.
 */
export function gf128MulAcc(
  acc: Uint32Array,
  table: Gf128Table,
  src: Uint8Array,
  offset: number,
): void {
  let a = acc[0]!;
  let b = acc[1]!;
  let c = acc[2]!;
  let d = acc[3]!;
  for (let byte = 0; byte < 16; byte++) {
    const v = src[offset + byte]!;
    for (let bit = 0; bit < 8; bit++) {
      const m = -((v >>> bit) & 1);
      const k = 4 * (8 * byte + bit);
      a ^= table[k]! & m;
      b ^= table[k + 1]! & m;
      c ^= table[k + 2]! & m;
      d ^= table[k + 3]! & m;
    }
  }
  acc[0] = a >>> 0;
  acc[1] = b >>> 0;
  acc[2] = c >>> 0;
  acc[3] = d >>> 0;
}

/** acc ^= block (16 bytes of `src` at `offset`). */
export function gf128AddAcc(acc: Uint32Array, src: Uint8Array, offset: number): void {
  const w = words(src, offset);
  for (let i = 0; i < 4; i++) acc[i] = (acc[i]! ^ w[i]!) >>> 0;
}

/** The 16-byte block of four little-endian words. */
export function gf128Bytes(acc: Uint32Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = acc[i]!;
    out[4 * i] = w & 255;
    out[4 * i + 1] = (w >>> 8) & 255;
    out[4 * i + 2] = (w >>> 16) & 255;
    out[4 * i + 3] = (w >>> 24) & 255;
  }
  return out;
}

/** chi * x for single 16-byte blocks (tests and one-off use). */
export function gf128Mul(chi: Uint8Array, x: Uint8Array): Uint8Array {
  const acc = new Uint32Array(4);
  gf128MulAcc(acc, gf128Table(chi), x, 0);
  return gf128Bytes(acc);
}
