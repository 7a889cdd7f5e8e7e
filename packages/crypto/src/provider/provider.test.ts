import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { getCryptoProvider, setCryptoProvider } from './crypto-provider.js';
import { nobleCryptoProvider } from './noble-provider.js';
import { nodeCryptoProvider } from './node-provider.js';

const enc = (s: string) => new TextEncoder().encode(s);
const pattern = (n: number, mul = 31) =>
  Uint8Array.from({ length: n }, (_, i) => (i * mul + 7) & 255);

describe('crypto providers agree byte for byte', () => {
  it('sha256', () => {
    for (const n of [0, 1, 55, 56, 64, 1000]) {
      const d = pattern(n);
      expect(bytesToHex(nodeCryptoProvider.sha256(d))).toBe(
        bytesToHex(nobleCryptoProvider.sha256(d)),
      );
    }
  });

  it('prg for several lengths, seeds and domains', () => {
    for (const length of [0, 1, 15, 16, 17, 80, 1000, 4096 + 3]) {
      for (const seed of [pattern(16), pattern(32, 5)]) {
        const a = nodeCryptoProvider.prg(seed, enc('domain'), length);
        const b = nobleCryptoProvider.prg(seed, enc('domain'), length);
        expect(a.length).toBe(length);
        expect(bytesToHex(a)).toBe(bytesToHex(b));
      }
    }
  });

  it('prgBatch equals prg with the index appended to the domain', () => {
    const seeds = pattern(16 * 5);
    const a = nodeCryptoProvider.prgBatch(seeds, 16, enc('d'), 80);
    const b = nobleCryptoProvider.prgBatch(seeds, 16, enc('d'), 80);
    expect(bytesToHex(a)).toBe(bytesToHex(b));
    const third = nobleCryptoProvider.prg(
      seeds.subarray(32, 48),
      new Uint8Array([...enc('d'), 0, 0, 0, 2]),
      80,
    );
    expect(bytesToHex(a.subarray(160, 240))).toBe(bytesToHex(third));
  });

  it('hashRows for several output lengths', () => {
    const rows = pattern(32 * 7);
    for (const outLength of [1, 32, 33, 144, 200]) {
      const a = nodeCryptoProvider.hashRows(enc('rows'), rows, 32, outLength);
      const b = nobleCryptoProvider.hashRows(enc('rows'), rows, 32, outLength);
      expect(a.length).toBe(7 * outLength);
      expect(bytesToHex(a)).toBe(bytesToHex(b));
    }
  });

  it('matches the normative definition (independent computation with node:crypto)', () => {
    const seed = pattern(16);
    const domain = enc('iid');
    const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    const tag = enc('coffer/provider/v1/prg');
    const key = createHash('sha256')
      .update(Buffer.concat([tag, u32(16), seed, u32(domain.length), domain]))
      .digest()
      .subarray(0, 16);
    const expected = createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(50));
    expect(bytesToHex(nobleCryptoProvider.prg(seed, domain, 50))).toBe(expected.toString('hex'));

    const rowsTag = enc('coffer/provider/v1/rows');
    const d = createHash('sha256')
      .update(Buffer.concat([rowsTag, u32(3), enc('abc')]))
      .digest();
    const row1 = pattern(8).subarray(4, 8);
    const want = createHash('shake256', { outputLength: 40 })
      .update(Buffer.concat([d, u32(1), row1]))
      .digest()
      .toString('hex');
    const got = nobleCryptoProvider.hashRows(enc('abc'), pattern(8), 4, 40).subarray(40, 80);
    expect(bytesToHex(got)).toBe(want);
  });

  it('separates domains and seeds', () => {
    const p = nobleCryptoProvider;
    const a = bytesToHex(p.prg(pattern(16), enc('a'), 32));
    expect(bytesToHex(p.prg(pattern(16), enc('b'), 32))).not.toBe(a);
    expect(bytesToHex(p.prg(pattern(16, 3), enc('a'), 32))).not.toBe(a);
    // Framing: moving a byte from seed to domain changes the output.
    const s = pattern(17);
    const x = p.prg(s.subarray(0, 16), s.subarray(16), 32);
    const y = p.prg(s.subarray(0, 17), new Uint8Array(0), 32);
    expect(bytesToHex(x)).not.toBe(bytesToHex(y));
  });

  it('rejects malformed arguments with a typed error', () => {
    for (const p of [nobleCryptoProvider, nodeCryptoProvider]) {
      expect(() => p.prg(pattern(16), enc('d'), -1)).toThrow(CryptoError);
      expect(() => p.prgBatch(pattern(17), 16, enc('d'), 8)).toThrow(CryptoError);
      expect(() => p.hashRows(enc('d'), pattern(33), 32, 8)).toThrow(CryptoError);
      expect(() => p.prg('x' as unknown as Uint8Array, enc('d'), 8)).toThrow(CryptoError);
    }
  });

  it('the default provider is noble and can be switched', () => {
    expect(getCryptoProvider()).toBe(nobleCryptoProvider);
    setCryptoProvider(nodeCryptoProvider);
    expect(getCryptoProvider()).toBe(nodeCryptoProvider);
    setCryptoProvider(nobleCryptoProvider);
  });
});
