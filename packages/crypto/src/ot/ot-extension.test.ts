import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../bytes.js';
import { CryptoError } from '../errors.js';
import {
  coteReceiverExtend,
  coteSenderReceive,
  rotReceiverPads,
  rotSenderPads,
} from './ot-extension.js';
import {
  DELTA_BYTES,
  LAMBDA_C,
  OT_FORMAT_VERSION,
  ROW_BYTES,
  SEED_BYTES,
  WIDTH,
  XI,
} from './params.js';
import type { OtExtensionReceiverSetup, OtExtensionSenderSetup } from './setup.js';

const q = 2n ** 256n - 0x14551231950b75fc4402da1732fc9bebfn;

/** A trusted-dealer pairwise setup, consistent by construction (base OT is tested separately). */
function dealSetups(): { bob: OtExtensionReceiverSetup; alice: OtExtensionSenderSetup } {
  const sessionId = randomBytes(32);
  const delta = randomBytes(DELTA_BYTES);
  const seeds0 = randomBytes(LAMBDA_C * SEED_BYTES);
  const seeds1 = randomBytes(LAMBDA_C * SEED_BYTES);
  const seeds = new Uint8Array(LAMBDA_C * SEED_BYTES);
  for (let h = 0; h < LAMBDA_C; h++) {
    const src = (delta[h >> 3]! >> (h & 7)) & 1 ? seeds1 : seeds0;
    seeds.set(src.subarray(h * SEED_BYTES, (h + 1) * SEED_BYTES), h * SEED_BYTES);
  }
  const v = OT_FORMAT_VERSION;
  return {
    bob: { version: v, sessionId, self: 'bob', counterparty: 'alice', seeds0, seeds1 },
    alice: { version: v, sessionId, self: 'alice', counterparty: 'bob', delta, seeds },
  };
}

const bitAt = (bits: Uint8Array, i: number) => (bits[i >> 3]! >> (i & 7)) & 1;

describe('correlated OT extension (KOS15 corrected check, k = 1)', () => {
  it('gives q_j = t_j xor beta_j*Delta for every row', () => {
    const { bob, alice } = dealSetups();
    const iid = randomBytes(32);
    const ext = coteReceiverExtend(bob, iid);
    const { qRows, instance } = coteSenderReceive(alice, iid, ext.message);
    expect(equalBytes(instance, ext.instance)).toBe(true);
    let ones = 0;
    for (let j = 0; j < XI; j++) {
      const beta = bitAt(ext.choices, j);
      ones += beta;
      const t = ext.tRows.subarray(j * ROW_BYTES, (j + 1) * ROW_BYTES);
      const qj = qRows.subarray(j * ROW_BYTES, (j + 1) * ROW_BYTES);
      const expected = t.map((v, k) => v ^ (beta ? alice.delta[k]! : 0));
      expect(equalBytes(qj, expected)).toBe(true);
    }
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(XI);
  });

  it('random-OT pads: Bob holds exactly V_{beta_j}', () => {
    const { bob, alice } = dealSetups();
    const iid = randomBytes(32);
    const ext = coteReceiverExtend(bob, iid);
    const { qRows, instance } = coteSenderReceive(alice, iid, ext.message);
    const nonce = randomBytes(16);
    const { v0, v1 } = rotSenderPads(alice.delta, instance, nonce, qRows, q);
    const mine = rotReceiverPads(instance, nonce, ext.tRows, q);
    for (let j = 0; j < XI; j++) {
      const beta = bitAt(ext.choices, j);
      for (let i = 0; i < WIDTH; i++) {
        const k = j * WIDTH + i;
        expect(mine[k]).toBe(beta ? v1[k] : v0[k]);
        expect(mine[k]).not.toBe(beta ? v0[k] : v1[k]);
      }
    }
  });

  it('two extensions with the same iid use fresh nonces, so U differs', () => {
    const { bob } = dealSetups();
    const iid = randomBytes(32);
    const a = coteReceiverExtend(bob, iid);
    const b = coteReceiverExtend(bob, iid);
    expect(equalBytes(a.message.u, b.message.u)).toBe(false);
    expect(equalBytes(a.instance, b.instance)).toBe(false);
  });

  const tamper = (field: 'u' | 'xt' | 'tt', at: number) => {
    const { bob, alice } = dealSetups();
    const iid = randomBytes(32);
    const ext = coteReceiverExtend(bob, iid);
    const bad = ext.message[field].slice();
    bad[at]! ^= 0x10;
    return () => coteSenderReceive(alice, iid, { ...ext.message, [field]: bad });
  };

  it.each([
    ['u', 0],
    ['u', 10239],
    ['u', 80 * 17 + 70], // a padding bit
    ['xt', 3],
    ['tt', 2047],
  ] as const)('Alice throws OT_CHECK_FAILED naming Bob when %s[%i] is tampered', (field, at) => {
    const f = tamper(field, at);
    expect(f).toThrow(CryptoError);
    try {
      f();
    } catch (e) {
      expect((e as CryptoError).code).toBe('OT_CHECK_FAILED');
      expect((e as CryptoError).culprits).toEqual(['bob']);
    }
  });

  it('a polychromatic row (x differs across columns) is caught', () => {
    // A cheating Bob uses a different x bit in one column; honest check values cannot hide it.
    const { bob, alice } = dealSetups();
    const iid = randomBytes(32);
    const ext = coteReceiverExtend(bob, iid);
    const u = ext.message.u.slice();
    u[5 * 80 + 2]! ^= 1; // flips x_16 in column 5 only
    expect(() => coteSenderReceive(alice, iid, { ...ext.message, u })).toThrow(/consistency/);
  });

  it('a different iid on Alice side fails the check (instance binding)', () => {
    const { bob, alice } = dealSetups();
    const ext = coteReceiverExtend(bob, randomBytes(32));
    expect(() => coteSenderReceive(alice, randomBytes(32), ext.message)).toThrow(CryptoError);
  });

  it('rejects wrongly sized messages as INVALID_MESSAGE naming Bob', () => {
    const { bob, alice } = dealSetups();
    const iid = randomBytes(32);
    const ext = coteReceiverExtend(bob, iid);
    try {
      coteSenderReceive(alice, iid, { ...ext.message, tt: ext.message.tt.subarray(1) });
      expect.fail('accepted a short message');
    } catch (e) {
      expect((e as CryptoError).code).toBe('INVALID_MESSAGE');
      expect((e as CryptoError).culprits).toEqual(['bob']);
    }
  });
});
