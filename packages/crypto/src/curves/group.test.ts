import { describe, expect, it } from 'vitest';
import { ed25519Group } from './ed25519.js';
import type { Group } from './group.js';
import { secp256k1Group } from './secp256k1.js';

describe.each([secp256k1Group, ed25519Group] as Group[])('$name group', (group) => {
  const points = [1n, 2n, 7n, group.order - 1n, 12345678901234567890n].map((k) => group.baseMul(k));

  it('mulSecretMany agrees with one multiplication per point, for edge and random scalars', () => {
    for (const s of [
      0n,
      1n,
      15n,
      16n,
      group.order - 1n,
      group.randomScalar(),
      group.randomScalar(),
    ]) {
      const many = group.mulSecretMany(points, s);
      expect(many).toHaveLength(points.length);
      many.forEach((p, i) => expect(p.equals(group.mulSecret(points[i]!, s))).toBe(true));
    }
  });

  it('scalar encodings round-trip and reject unreduced or wrong-length input', () => {
    const s = group.randomScalar();
    expect(group.decodeScalar(group.encodeScalar(s))).toBe(s);
    const unreduced = group.encodeScalar(0n);
    expect(() => group.decodeScalar(unreduced.subarray(1))).toThrow(/32 bytes/);
  });

  it('point decoding rejects garbage and the identity', () => {
    const p = group.baseMul(group.randomScalar());
    expect(group.decodePoint(group.encodePoint(p)).equals(p)).toBe(true);
    expect(() => group.decodePoint(new Uint8Array(group.pointLength).fill(0xff))).toThrow(
      /not a valid/,
    );
    expect(() => group.encodePoint(group.identity)).toThrow(/identity/);
  });
});
