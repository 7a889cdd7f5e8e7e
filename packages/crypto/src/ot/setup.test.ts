import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { OT_FORMAT_VERSION } from './params.js';
import {
  decodeOtExtensionReceiverSetup,
  decodeOtExtensionSenderSetup,
  encodeOtExtensionReceiverSetup,
  encodeOtExtensionSenderSetup,
  type OtExtensionReceiverSetup,
  type OtExtensionSenderSetup,
} from './setup.js';

const fill = (n: number, f: (i: number) => number) =>
  Uint8Array.from({ length: n }, (_, i) => f(i));
const sessionId = fill(32, (i) => i);
const bob: OtExtensionReceiverSetup = {
  version: OT_FORMAT_VERSION,
  sessionId,
  self: 'bob',
  counterparty: 'alice',
  seeds0: fill(2048, (i) => i & 255),
  seeds1: fill(2048, (i) => (i * 7) & 255),
};
const alice: OtExtensionSenderSetup = {
  version: OT_FORMAT_VERSION,
  sessionId,
  self: 'alice',
  counterparty: 'bob',
  delta: fill(16, (i) => 255 - i),
  seeds: fill(2048, (i) => (i * 3) & 255),
};

describe('OT setup encodings', () => {
  it('pins the byte layout: version, kind, session id, ids, then fixed-size fields', () => {
    const b = encodeOtExtensionReceiverSetup(bob);
    expect(b.length).toBe(2 + 1 + 32 + 1 + 3 + 1 + 5 + 4096);
    expect(bytesToHex(b.subarray(0, 3))).toBe('012020');
    expect(bytesToHex(b.subarray(35, 45))).toBe('03626f6205616c696365'); // "bob", "alice"
    const a = encodeOtExtensionSenderSetup(alice);
    expect(a.length).toBe(2 + 1 + 32 + 1 + 5 + 1 + 3 + 16 + 2048);
    expect(bytesToHex(a.subarray(0, 2))).toBe('0121');
    // Snapshot of the whole encodings (a format change must be deliberate).
    expect(bytesToHex(sha256(b))).toBe(
      '3c7f5a010d6092725476e0f2196e3888ac964ba58b389cd21260d858bc4c838b',
    );
    expect(bytesToHex(sha256(a))).toBe(
      'cafe574f53fb4ddeedae69832e37788e92bab0d8f898cf8875810a374df26280',
    );
    expect(decodeOtExtensionReceiverSetup(b)).toEqual(bob);
    expect(decodeOtExtensionSenderSetup(a)).toEqual(alice);
  });

  it('rejects malformed setups with INVALID_MESSAGE', () => {
    const b = encodeOtExtensionReceiverSetup(bob);
    const bad = [
      b.subarray(0, b.length - 1),
      new Uint8Array([...b, 0]),
      Uint8Array.from([2, ...b.subarray(1)]),
      Uint8Array.from([1, 33, ...b.subarray(2)]),
      Uint8Array.from([1, 32, 4, 1, 2, 3, 4, ...b.subarray(35)]), // session id too short
    ];
    for (const x of bad) {
      expect(() => decodeOtExtensionReceiverSetup(x)).toThrow(CryptoError);
      try {
        decodeOtExtensionReceiverSetup(x);
      } catch (e) {
        expect((e as CryptoError).code).toBe('INVALID_MESSAGE');
      }
    }
    const same = { ...alice, counterparty: 'alice' };
    expect(() => encodeOtExtensionSenderSetup(same)).toThrow(/differ/);
  });
});
