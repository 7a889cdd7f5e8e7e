import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { gf128Mul } from './gf128.js';

// Independent reference: bit-serial carry-less multiplication on bigints, then reduction
// modulo X^128 + X^7 + X^2 + X + 1. Bit k of the block (little-endian bit order) is X^k.
const toBig = (b: Uint8Array) => b.reduce((n, v, i) => n | (BigInt(v) << BigInt(8 * i)), 0n);
const fromBig = (n: bigint) =>
  Uint8Array.from({ length: 16 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
function refMul(x: Uint8Array, y: Uint8Array): Uint8Array {
  const a = toBig(x);
  const b = toBig(y);
  let p = 0n;
  for (let i = 0n; i < 128n; i++) if ((b >> i) & 1n) p ^= a << i;
  const poly = (1n << 128n) | 0x87n;
  for (let i = 254n; i >= 128n; i--) if ((p >> i) & 1n) p ^= poly << (i - 128n);
  return fromBig(p);
}

describe('GF(2^128)', () => {
  it('matches a bit-serial reference on random inputs', () => {
    for (let i = 0; i < 50; i++) {
      const x = randomBytes(16);
      const y = randomBytes(16);
      expect(bytesToHex(gf128Mul(x, y))).toBe(bytesToHex(refMul(x, y)));
    }
  });

  it('has the expected identities', () => {
    const one = fromBig(1n);
    const x = randomBytes(16);
    expect(bytesToHex(gf128Mul(one, x))).toBe(bytesToHex(x));
    expect(bytesToHex(gf128Mul(x, one))).toBe(bytesToHex(x));
    // X^127 * X = X^128 = X^7 + X^2 + X + 1
    expect(bytesToHex(gf128Mul(fromBig(1n << 127n), fromBig(2n)))).toBe(bytesToHex(fromBig(0x87n)));
    const y = randomBytes(16);
    expect(bytesToHex(gf128Mul(x, y))).toBe(bytesToHex(gf128Mul(y, x)));
  });
});
