import { randomBytes } from '@noble/hashes/utils.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import { setCryptoProvider } from '../provider/crypto-provider.js';
import { nobleCryptoProvider } from '../provider/noble-provider.js';
import { nodeCryptoProvider } from '../provider/node-provider.js';
import {
  baseOtReceiverRound1,
  baseOtReceiverRound2,
  baseOtReceiverRound3,
  baseOtSenderRound1,
  baseOtSenderRound2,
  baseOtSenderRound3,
} from './base-ot.js';
import { rvoleReceiverFinish, rvoleReceiverStart, rvoleSenderRespond } from './rvole.js';
import {
  decodeRvoleReceiverMessage,
  decodeRvoleReceiverState,
  decodeRvoleSenderMessage,
  encodeRvoleReceiverMessage,
  encodeRvoleReceiverState,
  encodeRvoleSenderMessage,
} from './rvole-messages.js';
import {
  decodeOtExtensionReceiverSetup,
  decodeOtExtensionSenderSetup,
  encodeOtExtensionReceiverSetup,
  encodeOtExtensionSenderSetup,
  type OtExtensionReceiverSetup,
  type OtExtensionSenderSetup,
} from './setup.js';

const q = secp256k1Group.order;
let bob: OtExtensionReceiverSetup; // RVOLE receiver, base-OT sender
let alice: OtExtensionSenderSetup; // RVOLE sender, base-OT receiver

function expectCode(f: () => unknown, code: string, culprits: readonly string[]): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CryptoError);
  expect((caught as CryptoError).code).toBe(code);
  expect((caught as CryptoError).culprits).toEqual(culprits);
}

beforeAll(() => {
  // The real pairwise setup: batched verified simplest OT, Bob as base-OT sender.
  const config = { sessionId: randomBytes(32), sender: 'bob', receiver: 'alice' };
  const s1 = baseOtSenderRound1(config);
  const r1 = baseOtReceiverRound1(config, s1.outbound);
  const s2 = baseOtSenderRound2(s1.state, r1.outbound);
  const r2 = baseOtReceiverRound2(r1.state, s2.outbound);
  const s3 = baseOtSenderRound3(s2.state, r2.outbound);
  alice = baseOtReceiverRound3(r2.state, s3.outbound).setup;
  bob = s3.setup;
});

function multiply(a: readonly [bigint, bigint], iid = randomBytes(32)) {
  const start = rvoleReceiverStart(bob, iid);
  const wire1 = decodeRvoleReceiverMessage(encodeRvoleReceiverMessage(start.message), 'bob');
  const resp = rvoleSenderRespond(alice, iid, a, wire1);
  const wire2 = decodeRvoleSenderMessage(encodeRvoleSenderMessage(resp.message), 'alice');
  const d = rvoleReceiverFinish(start.state, wire2);
  return { chi: start.chi, c: resp.outputs, d };
}

describe('RVOLE (DKLs23 Protocol 5.2, ell = 2, rho = 1)', () => {
  it('c_i + d_i = a_i * chi for random inputs, over real base OTs and the wire encodings', () => {
    for (let n = 0; n < 3; n++) {
      const a = [secp256k1Group.randomScalar(), secp256k1Group.randomScalar()] as const;
      const { chi, c, d } = multiply(a);
      expect(chi).not.toBe(0n);
      for (let i = 0; i < 2; i++) expect((c[i]! + d[i]!) % q).toBe((a[i]! * chi) % q);
      // Outputs are not trivially the product (masked by the OT pads).
      expect(c[0]).not.toBe(0n);
      expect(d[0]).not.toBe((a[0] * chi) % q);
    }
  });

  it('works for edge inputs 0, 1 and q - 1', () => {
    const { chi, c, d } = multiply([0n, q - 1n]);
    expect((c[0] + d[0]) % q).toBe(0n);
    expect((c[1] + d[1]) % q).toBe((q - chi) % q);
    const r = multiply([1n, 1n]);
    expect((r.c[0] + r.d[0]) % q).toBe(r.chi);
  });

  it('gives byte-identical protocol results with the node:crypto provider', () => {
    setCryptoProvider(nodeCryptoProvider);
    try {
      const a = [5n, 7n] as const;
      const { chi, c, d } = multiply(a);
      expect((c[0] + d[0]) % q).toBe((5n * chi) % q);
      expect((c[1] + d[1]) % q).toBe((7n * chi) % q);
      // Mixed providers on the two sides interoperate, as they compute the same bytes.
      const iid = randomBytes(32);
      const start = rvoleReceiverStart(bob, iid);
      setCryptoProvider(nobleCryptoProvider);
      const resp = rvoleSenderRespond(alice, iid, a, start.message);
      setCryptoProvider(nodeCryptoProvider);
      const dd = rvoleReceiverFinish(start.state, resp.message);
      expect((resp.outputs[0] + dd[0]) % q).toBe((5n * start.chi) % q);
    } finally {
      setCryptoProvider(nobleCryptoProvider);
    }
  });

  it('setups and Bob state survive serialisation', () => {
    const bobBytes = encodeOtExtensionReceiverSetup(bob);
    const aliceBytes = encodeOtExtensionSenderSetup(alice);
    expect(bobBytes.length).toBeLessThan(8300);
    expect(aliceBytes.length).toBeLessThan(4200);
    const bob2 = decodeOtExtensionReceiverSetup(bobBytes);
    const alice2 = decodeOtExtensionSenderSetup(aliceBytes);
    expect(bob2).toEqual(bob);
    expect(alice2).toEqual(alice);
    const iid = randomBytes(32);
    const start = rvoleReceiverStart(bob2, iid);
    const stored = decodeRvoleReceiverState(encodeRvoleReceiverState(start.state));
    const resp = rvoleSenderRespond(alice2, iid, [3n, 4n], start.message);
    const d = rvoleReceiverFinish(stored, resp.message);
    expect((resp.outputs[1] + d[1]) % q).toBe((4n * start.chi) % q);
  });

  it('pins message sizes', () => {
    const iid = randomBytes(32);
    const start = rvoleReceiverStart(bob, iid);
    const resp = rvoleSenderRespond(alice, iid, [1n, 2n], start.message);
    expect(encodeRvoleReceiverMessage(start.message).length).toBe(2 + 16 + 10240 + 16 + 2048);
    expect(encodeRvoleSenderMessage(resp.message).length).toBe(2 + 16 + 1536 * 32 + 32 + 32);
  });

  it('Alice throws OT_CHECK_FAILED naming Bob on a tampered U or check value', () => {
    for (const field of ['u', 'tt', 'xt'] as const) {
      const iid = randomBytes(32);
      const start = rvoleReceiverStart(bob, iid);
      const bad = start.message[field].slice();
      bad[bad.length - 1]! ^= 4;
      expectCode(
        () => rvoleSenderRespond(alice, iid, [1n, 2n], { ...start.message, [field]: bad }),
        'OT_CHECK_FAILED',
        ['bob'],
      );
    }
  });

  it('Bob throws CONSISTENCY_CHECK_FAILED naming Alice on a tampered sender message', () => {
    const tampers: ((m: ReturnType<typeof rvoleSenderRespond>['message']) => object)[] = [
      (m) => ({ ...m, at: m.at.map((v, k) => (k === 7 ? (v + 1n) % q : v)) }), // one row, input column
      (m) => ({ ...m, at: m.at.map((v, k) => (k === 3 * 300 + 2 ? (v + 1n) % q : v)) }), // check column
      (m) => ({ ...m, etaHat: (m.etaHat + 1n) % q }),
      (m) => ({ ...m, mu: m.mu.map((v, k) => (k === 0 ? v ^ 1 : v)) }),
      (m) => ({ ...m, nonce: m.nonce.map((v, k) => (k === 0 ? v ^ 1 : v)) }),
    ];
    for (const tamper of tampers) {
      const iid = randomBytes(32);
      const start = rvoleReceiverStart(bob, iid);
      const resp = rvoleSenderRespond(alice, iid, [9n, 10n], start.message);
      expectCode(
        () => rvoleReceiverFinish(start.state, tamper(resp.message) as typeof resp.message),
        'CONSISTENCY_CHECK_FAILED',
        ['alice'],
      );
    }
  });

  it('an Alice using different inputs in different rows is caught', () => {
    // Shift input a_1 by delta in every row j >= 256: a selective-failure attempt.
    const iid = randomBytes(32);
    const start = rvoleReceiverStart(bob, iid);
    const resp = rvoleSenderRespond(alice, iid, [11n, 12n], start.message);
    const at = resp.message.at.map((v, k) => (k >= 3 * 256 && k % 3 === 0 ? (v + 5n) % q : v));
    expectCode(
      () => rvoleReceiverFinish(start.state, { ...resp.message, at }),
      'CONSISTENCY_CHECK_FAILED',
      ['alice'],
    );
  });

  it("Bob's state is single-use", () => {
    const iid = randomBytes(32);
    const start = rvoleReceiverStart(bob, iid);
    const resp = rvoleSenderRespond(alice, iid, [1n, 2n], start.message);
    rvoleReceiverFinish(start.state, resp.message);
    expectCode(() => rvoleReceiverFinish(start.state, resp.message), 'STATE_CONSUMED', []);
    // A failed finish also consumes the state (fail closed).
    const s2 = rvoleReceiverStart(bob, iid);
    const r2 = rvoleSenderRespond(alice, iid, [1n, 2n], s2.message);
    expectCode(
      () => rvoleReceiverFinish(s2.state, { ...r2.message, etaHat: 0n }),
      'CONSISTENCY_CHECK_FAILED',
      ['alice'],
    );
    expectCode(() => rvoleReceiverFinish(s2.state, r2.message), 'STATE_CONSUMED', []);
  });

  it('malformed encodings are typed errors naming the sender', () => {
    const iid = randomBytes(32);
    const start = rvoleReceiverStart(bob, iid);
    const resp = rvoleSenderRespond(alice, iid, [1n, 2n], start.message);
    const m1 = encodeRvoleReceiverMessage(start.message);
    const m2 = encodeRvoleSenderMessage(resp.message);
    expectCode(() => decodeRvoleReceiverMessage(m1.subarray(0, 100), 'bob'), 'INVALID_MESSAGE', [
      'bob',
    ]);
    expectCode(
      () => decodeRvoleReceiverMessage(new Uint8Array([...m1, 1]), 'bob'),
      'INVALID_MESSAGE',
      ['bob'],
    );
    expectCode(() => decodeRvoleReceiverMessage(m2, 'bob'), 'INVALID_MESSAGE', ['bob']);
    const wrongVersion = m2.slice();
    wrongVersion[0] = 2;
    expectCode(() => decodeRvoleSenderMessage(wrongVersion, 'alice'), 'INVALID_MESSAGE', ['alice']);
    const unreduced = m2.slice();
    unreduced.fill(0xff, 2 + 16, 2 + 16 + 32); // at[0] = 2^256 - 1 >= q
    expectCode(() => decodeRvoleSenderMessage(unreduced, 'alice'), 'INVALID_MESSAGE', ['alice']);
    expectCode(() => decodeRvoleSenderMessage(new Uint8Array(0), 'alice'), 'INVALID_MESSAGE', [
      'alice',
    ]);
    expectCode(() => decodeRvoleSenderMessage('junk' as never, 'alice'), 'INVALID_MESSAGE', [
      'alice',
    ]);
    expectCode(() => decodeOtExtensionSenderSetup(m1), 'INVALID_MESSAGE', []);
    // In-memory messages with bad shapes are typed errors too.
    expectCode(
      () => rvoleSenderRespond(alice, iid, [1n, 2n], { ...start.message, u: new Uint8Array(3) }),
      'INVALID_MESSAGE',
      ['bob'],
    );
    expectCode(
      () => rvoleReceiverFinish(start.state, { ...resp.message, at: resp.message.at.slice(1) }),
      'INVALID_MESSAGE',
      ['alice'],
    );
  });

  it('rejects bad arguments', () => {
    const iid = randomBytes(32);
    const start = rvoleReceiverStart(bob, iid);
    expectCode(
      () => rvoleSenderRespond(alice, iid, [q, 1n], start.message),
      'INVALID_ARGUMENT',
      [],
    );
    expectCode(
      () => rvoleSenderRespond(alice, iid, [1n] as never, start.message),
      'INVALID_ARGUMENT',
      [],
    );
    expectCode(() => rvoleReceiverStart(bob, new Uint8Array(3)), 'INVALID_ARGUMENT', []);
    expectCode(
      () => rvoleReceiverStart({ ...bob, seeds0: new Uint8Array(1) }, iid),
      'INVALID_ARGUMENT',
      [],
    );
  });
});
