import { describe, expect, it } from 'vitest';
import { bytesToHex, equalBytes } from '../bytes.js';
import { CryptoError } from '../errors.js';
import {
  baseOtReceiverRound1,
  baseOtReceiverRound2,
  baseOtReceiverRound3,
  baseOtSenderRound1,
  baseOtSenderRound2,
  baseOtSenderRound3,
  type BaseOtConfig,
} from './base-ot.js';
import {
  decodeBaseOtReceiverRound1,
  decodeBaseOtReceiverRound2,
  decodeBaseOtSenderRound1,
  decodeBaseOtSenderRound2,
  decodeBaseOtSenderRound3,
  encodeBaseOtReceiverRound1,
  encodeBaseOtReceiverRound2,
  encodeBaseOtSenderRound1,
  encodeBaseOtSenderRound2,
  encodeBaseOtSenderRound3,
} from './base-ot-messages.js';
import {
  decodeBaseOtReceiverState1,
  decodeBaseOtReceiverState2,
  decodeBaseOtSenderState1,
  decodeBaseOtSenderState2,
  encodeBaseOtReceiverState1,
  encodeBaseOtReceiverState2,
  encodeBaseOtSenderState1,
  encodeBaseOtSenderState2,
} from './base-ot-state.js';
import { LAMBDA_C, SEED_BYTES } from './params.js';

const config: BaseOtConfig = {
  sessionId: new Uint8Array(32).fill(7),
  sender: 'bob',
  receiver: 'alice',
};

function expectCryptoError(f: () => unknown, code: string, culprits: string[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    expect((e as CryptoError).code).toBe(code);
    expect((e as CryptoError).culprits).toEqual(culprits);
    return;
  }
  expect.fail(`expected ${code}`);
}

const flip = (b: Uint8Array, at: number) => {
  const c = b.slice();
  c[at]! ^= 1;
  return c;
};
const seedAt = (seeds: Uint8Array, i: number) =>
  seeds.subarray(i * SEED_BYTES, (i + 1) * SEED_BYTES);
const bitAt = (bits: Uint8Array, i: number) => (bits[i >> 3]! >> (i & 7)) & 1;

describe('verified simplest OT (DKLs19 Protocol 7), batched', () => {
  it('gives the receiver the sender seed at each choice bit and not the other', () => {
    // Every message crosses the wire encoding, as between two processes.
    // Every state is persisted and restored between rounds, as a node would.
    const s1 = baseOtSenderRound1(config);
    const m1 = decodeBaseOtSenderRound1(encodeBaseOtSenderRound1(s1.outbound), 'bob');
    const r1 = baseOtReceiverRound1(config, m1);
    const m2 = decodeBaseOtReceiverRound1(encodeBaseOtReceiverRound1(r1.outbound), 'alice');
    const s2 = baseOtSenderRound2(decodeBaseOtSenderState1(encodeBaseOtSenderState1(s1.state)), m2);
    const m3 = decodeBaseOtSenderRound2(encodeBaseOtSenderRound2(s2.outbound), 'bob');
    const r2 = baseOtReceiverRound2(
      decodeBaseOtReceiverState1(encodeBaseOtReceiverState1(r1.state)),
      m3,
    );
    const m4 = decodeBaseOtReceiverRound2(encodeBaseOtReceiverRound2(r2.outbound), 'alice');
    const s3 = baseOtSenderRound3(decodeBaseOtSenderState2(encodeBaseOtSenderState2(s2.state)), m4);
    const m5 = decodeBaseOtSenderRound3(encodeBaseOtSenderRound3(s3.outbound), 'bob');
    const { setup: alice } = baseOtReceiverRound3(
      decodeBaseOtReceiverState2(encodeBaseOtReceiverState2(r2.state)),
      m5,
    );
    const bob = s3.setup;

    expect(bob.self).toBe('bob');
    expect(alice.counterparty).toBe('bob');
    let ones = 0;
    for (let i = 0; i < LAMBDA_C; i++) {
      const d = bitAt(alice.delta, i);
      ones += d;
      const chosen = d ? bob.seeds1 : bob.seeds0;
      const other = d ? bob.seeds0 : bob.seeds1;
      expect(equalBytes(seedAt(alice.seeds, i), seedAt(chosen, i))).toBe(true);
      expect(equalBytes(seedAt(alice.seeds, i), seedAt(other, i))).toBe(false);
    }
    // Delta is random: both bit values occur (fails with probability 2^-255).
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(LAMBDA_C);
    // Seeds of different OTs differ (index binding).
    expect(bytesToHex(seedAt(bob.seeds0, 0))).not.toBe(bytesToHex(seedAt(bob.seeds0, 1)));
  });

  it('rejects an invalid public key, naming the sender', () => {
    const s1 = baseOtSenderRound1(config);
    const badPrefix = s1.outbound.publicKey.slice();
    badPrefix[0] = 5; // not a SEC1 compressed prefix
    const bad = { ...s1.outbound, publicKey: badPrefix };
    expectCryptoError(() => baseOtReceiverRound1(config, bad), 'INVALID_POINT', ['bob']);
    const offCurve = {
      ...s1.outbound,
      publicKey: Uint8Array.from([2, ...new Uint8Array(32).fill(255)]),
    };
    expectCryptoError(() => baseOtReceiverRound1(config, offCurve), 'INVALID_POINT', ['bob']);
  });

  it('rejects a wrong proof of knowledge, naming the sender', () => {
    const s1 = baseOtSenderRound1(config);
    const badZ = { ...s1.outbound, proofResponse: flip(s1.outbound.proofResponse, 31) };
    expectCryptoError(() => baseOtReceiverRound1(config, badZ), 'INVALID_PROOF', ['bob']);
    // A proof made for another pair does not verify here (ids are bound into the challenge).
    const other = baseOtSenderRound1({ ...config, receiver: 'carol' });
    expectCryptoError(() => baseOtReceiverRound1(config, other.outbound), 'INVALID_PROOF', ['bob']);
    // Another party's key with this proof fails too.
    const swapped = { ...s1.outbound, publicKey: other.outbound.publicKey };
    expectCryptoError(() => baseOtReceiverRound1(config, swapped), 'INVALID_PROOF', ['bob']);
  });

  it('rejects an invalid receiver point, naming the receiver', () => {
    const s1 = baseOtSenderRound1(config);
    const r1 = baseOtReceiverRound1(config, s1.outbound);
    const points = r1.outbound.points.slice();
    points.set(new Uint8Array(33).fill(0), 33 * 5); // not a point encoding
    expectCryptoError(
      () => baseOtSenderRound2(s1.state, { ...r1.outbound, points }),
      'INVALID_POINT',
      ['alice'],
    );
  });

  it('catches tampered responses (sender blames receiver) and openings (receiver blames sender)', () => {
    const s1 = baseOtSenderRound1(config);
    const r1 = baseOtReceiverRound1(config, s1.outbound);
    const s2 = baseOtSenderRound2(s1.state, r1.outbound);
    const r2 = baseOtReceiverRound2(r1.state, s2.outbound);
    const badResponses = { ...r2.outbound, responses: flip(r2.outbound.responses, 100) };
    expectCryptoError(() => baseOtSenderRound3(s2.state, badResponses), 'INVALID_PROOF', ['alice']);

    const t1 = baseOtSenderRound1(config);
    const q1 = baseOtReceiverRound1(config, t1.outbound);
    const t2 = baseOtSenderRound2(t1.state, q1.outbound);
    const q2 = baseOtReceiverRound2(q1.state, t2.outbound);
    const t3 = baseOtSenderRound3(t2.state, q2.outbound);
    for (const at of [0, 32, 64 * 200 + 5]) {
      const badOpen = { ...t3.outbound, openings: flip(t3.outbound.openings, at) };
      // A fresh copy of the receiver state per attempt is not possible (single use), so the
      // first attempt consumes it; later ones must report STATE_CONSUMED.
      if (at === 0) {
        expectCryptoError(() => baseOtReceiverRound3(q2.state, badOpen), 'INVALID_PROOF', ['bob']);
      } else {
        expectCryptoError(() => baseOtReceiverRound3(q2.state, badOpen), 'STATE_CONSUMED', []);
      }
    }
  });

  it('rejects a tampered challenge', () => {
    const s1 = baseOtSenderRound1(config);
    const r1 = baseOtReceiverRound1(config, s1.outbound);
    const s2 = baseOtSenderRound2(s1.state, r1.outbound);
    // Change the challenge of every OT: whichever choice bit, someone detects it.
    const challenges = s2.outbound.challenges.map((v, k) => (k % 32 === 0 ? v ^ 1 : v));
    const r2 = baseOtReceiverRound2(r1.state, { ...s2.outbound, challenges });
    expectCryptoError(() => baseOtSenderRound3(s2.state, r2.outbound), 'INVALID_PROOF', ['alice']);
  });

  it('states are single-use, even after a failed round', () => {
    const s1 = baseOtSenderRound1(config);
    const bad = { version: 1 as const, points: new Uint8Array(0) };
    expectCryptoError(() => baseOtSenderRound2(s1.state, bad), 'INVALID_MESSAGE', ['alice']);
    expectCryptoError(() => baseOtSenderRound2(s1.state, bad), 'STATE_CONSUMED', []);
  });

  it('malformed encodings are typed errors naming the sender', () => {
    const s1 = baseOtSenderRound1(config);
    const bytes = encodeBaseOtSenderRound1(s1.outbound);
    expectCryptoError(
      () => decodeBaseOtSenderRound1(bytes.subarray(0, 50), 'bob'),
      'INVALID_MESSAGE',
      ['bob'],
    );
    expectCryptoError(
      () => decodeBaseOtSenderRound1(new Uint8Array([...bytes, 0]), 'bob'),
      'INVALID_MESSAGE',
      ['bob'],
    );
    expectCryptoError(() => decodeBaseOtSenderRound1(flip(bytes, 0), 'bob'), 'INVALID_MESSAGE', [
      'bob',
    ]);
    expectCryptoError(() => decodeBaseOtSenderRound2(bytes, 'bob'), 'INVALID_MESSAGE', ['bob']);
    expectCryptoError(
      () => decodeBaseOtReceiverRound1(new Uint8Array(0), 'alice'),
      'INVALID_MESSAGE',
      ['alice'],
    );
    expectCryptoError(
      () => baseOtReceiverRound1(config, { ...s1.outbound, proofResponse: new Uint8Array(31) }),
      'INVALID_MESSAGE',
      ['bob'],
    );
    expectCryptoError(() => baseOtReceiverRound1(config, null as never), 'INVALID_MESSAGE', [
      'bob',
    ]);
  });

  it('rejects a malformed persisted state with a typed error', () => {
    const s1 = baseOtSenderRound1(config);
    const bytes = encodeBaseOtSenderState1(s1.state);
    expectCryptoError(() => decodeBaseOtSenderState1(bytes.subarray(1)), 'INVALID_MESSAGE', []);
    expectCryptoError(() => decodeBaseOtSenderState2(bytes), 'INVALID_MESSAGE', []);
    const zero = bytes.slice();
    zero.fill(0, bytes.length - 65, bytes.length - 33); // b = 0
    expectCryptoError(() => decodeBaseOtSenderState1(zero), 'INVALID_MESSAGE', []);
  });

  it('rejects bad configuration', () => {
    expectCryptoError(
      () => baseOtSenderRound1({ ...config, receiver: 'bob' }),
      'INVALID_ARGUMENT',
      [],
    );
    expectCryptoError(
      () => baseOtSenderRound1({ ...config, sessionId: new Uint8Array(4) }),
      'INVALID_ARGUMENT',
      [],
    );
  });
});
