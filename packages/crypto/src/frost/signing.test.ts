/**
 * FROST signing end to end for every suite and several access structures (RFC 9591 §5):
 * every minimal authorised subset of 2-of-3, 3-of-5, a threshold tree; unauthorised sets,
 * cheating signers (INVALID_SIGNATURE_SHARE names exactly them), invalid commitments and
 * foreign-session messages (named senders), and single use of the nonce state.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8ToBytes } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { AccessStructure, type PartyId } from '../sharing/access-structure.js';
import type { KeyShare } from '../keys/key-share.js';
import { signWithAllParties } from './local.js';
import type { SignRound1Broadcast } from './messages.js';
import { commit } from './round1.js';
import { signShare } from './round2.js';
import { restoreSignRound1Secret, serializeSignRound1Secret } from './state.js';
import type { FrostSuiteName } from './suite.js';
import { frostSuite } from './suites/index.js';
import { dealKeyShares, newSession, runDistributed } from './test-harness.js';
import { frostVerifyingKey, verifySignature } from './verify.js';

const SUITES: FrostSuiteName[] = ['frost-ed25519', 'frost-secp256k1', 'frost-taproot'];
const TREE = '3of(2of(ops1,ops2,ops3),1of(api1,api2),head)';
const message = utf8ToBytes('pay 1 BTC to bob');

function independentlyVerifies(suite: FrostSuiteName, sig: Uint8Array, key: Uint8Array): boolean {
  if (suite === 'frost-ed25519') return ed25519.verify(sig, message, key, { zip215: false });
  if (suite === 'frost-taproot') return schnorr.verify(sig, message, key);
  return secp256k1_FROST.verify(sig, message, key);
}

function expectError(f: () => unknown, code: CryptoError['code'], culprits?: PartyId[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    expect((e as CryptoError).code).toBe(code);
    if (culprits) expect([...(e as CryptoError).culprits].sort()).toEqual([...culprits].sort());
    return;
  }
  throw new Error(`expected ${code}`);
}

describe.each(SUITES)('FROST signing, %s', (suite) => {
  const { group } = frostSuite(suite);
  const twoOfThree = dealKeyShares(group, AccessStructure.threshold(2, 3));
  const threeOfFive = dealKeyShares(group, AccessStructure.threshold(3, 5));
  const tree = dealKeyShares(group, AccessStructure.parse(TREE));
  const anyKey = (keys: Map<PartyId, KeyShare>): KeyShare => keys.values().next().value!;

  function checkSignature(keys: Map<PartyId, KeyShare>, sig: Uint8Array): void {
    const vk = frostVerifyingKey(suite, anyKey(keys));
    expect(sig.length).toBe(frostSuite(suite).signatureLength);
    expect(verifySignature(suite, sig, message, vk)).toBe(true);
    expect(independentlyVerifies(suite, sig, vk)).toBe(true);
  }

  it.each([
    ['p1', 'p2'],
    ['p1', 'p3'],
    ['p2', 'p3'],
  ])('2-of-3 signs with {%s, %s} over the wire protocol', (a, b) => {
    checkSignature(twoOfThree, runDistributed(twoOfThree, [a, b], suite, message).signature);
  });

  it('3-of-5 signs in one process and with all five', () => {
    const keys = [...threeOfFive.values()];
    checkSignature(
      threeOfFive,
      signWithAllParties(keys, ['p5', 'p2', 'p4'], message, { suite }).signature,
    );
    const all = runDistributed(threeOfFive, ['p1', 'p2', 'p3', 'p4', 'p5'], suite, message);
    checkSignature(threeOfFive, all.signature);
  });

  it(`the tree ${TREE} signs with minimal and with redundant signer sets`, () => {
    checkSignature(
      tree,
      runDistributed(tree, ['ops1', 'ops3', 'api2', 'head'], suite, message).signature,
    );
    const keys = [...tree.values()];
    const everyone = signWithAllParties(keys, [...tree.keys()], message, { suite });
    checkSignature(tree, everyone.signature);
  });

  it('refuses unauthorised and repeated signer sets', () => {
    expectError(
      () => runDistributed(tree, ['ops1', 'ops2', 'head'], suite, message),
      'UNAUTHORIZED_SET',
    );
    expectError(() => runDistributed(twoOfThree, ['p2'], suite, message), 'UNAUTHORIZED_SET');
    expectError(
      () => signWithAllParties([...tree.values()], ['ops1', 'api1', 'api2'], message, { suite }),
      'UNAUTHORIZED_SET',
    );
    expectError(
      () => signWithAllParties([...twoOfThree.values()], ['p1', 'p1'], message, { suite }),
      'INVALID_ARGUMENT',
    );
  });

  it('names exactly the signers whose shares are tampered with', () => {
    const bump = (hex: string): string =>
      bytesToHex(group.encodeScalar(group.decodeScalar(Buffer.from(hex, 'hex')) + 1n));
    for (const cheaters of [['p4'], ['p1', 'p3']]) {
      expectError(
        () =>
          runDistributed(
            threeOfFive,
            ['p1', 'p3', 'p4'],
            suite,
            message,
            {},
            {
              round2: (ms) =>
                ms.map((m) =>
                  cheaters.includes(m.sender)
                    ? { ...m, signatureShare: bump(m.signatureShare) }
                    : m,
                ),
            },
          ),
        'INVALID_SIGNATURE_SHARE',
        cheaters,
      );
    }
    // Two cheaters whose errors cancel in the sum are still both named.
    expectError(
      () =>
        runDistributed(
          threeOfFive,
          ['p1', 'p3', 'p4'],
          suite,
          message,
          {},
          {
            round2: (ms) =>
              ms.map((m) => {
                const z = group.decodeScalar(Buffer.from(m.signatureShare, 'hex'));
                const d = m.sender === 'p1' ? 5n : m.sender === 'p3' ? -5n : 0n;
                return { ...m, signatureShare: bytesToHex(group.encodeScalar(group.mod(z + d))) };
              }),
          },
        ),
      'INVALID_SIGNATURE_SHARE',
      ['p1', 'p3'],
    );
  });

  it('names the sender of an invalid round-1 commitment', () => {
    const bad =
      group.name === 'ed25519'
        ? // a small-order point (order 4: x = 0... encodes y = 0) and a non-canonical y
          [
            '0000000000000000000000000000000000000000000000000000000000000000',
            'ec'.padEnd(62, 'f') + '7f',
          ]
        : ['02' + 'ff'.repeat(32), '05' + '11'.repeat(32)];
    for (const hex of bad) {
      expectError(
        () =>
          runDistributed(
            twoOfThree,
            ['p1', 'p3'],
            suite,
            message,
            {},
            {
              round1: (ms) => ms.map((m) => (m.sender === 'p3' ? { ...m, binding: hex } : m)),
            },
          ),
        'INVALID_POINT',
        ['p3'],
      );
    }
  });

  it('refuses to sign when the entry listed for the signer is not its own commitment', () => {
    const session = newSession(suite);
    const k1 = twoOfThree.get('p1')!;
    const k2 = twoOfThree.get('p2')!;
    const mine = commit(k1, session);
    const theirs = commit(k2, session).outbound;
    // A valid commitment of p1's from another round-1 run, or with one point swapped in.
    const other = commit(k1, session).outbound;
    for (const listed of [
      other,
      { ...mine.outbound, binding: other.binding },
      { ...mine.outbound, hiding: other.hiding },
      { ...mine.outbound, hiding: mine.outbound.binding, binding: mine.outbound.hiding },
    ]) {
      const state = restoreSignRound1Secret(serializeSignRound1Secret(mine.state));
      expectError(() => signShare(state, k1, [listed, theirs], message), 'INVALID_COMMITMENT');
    }
    // The unmodified list signs, from the original state and from a restored copy alike.
    const restored = restoreSignRound1Secret(serializeSignRound1Secret(mine.state));
    const a = signShare(mine.state, k1, [mine.outbound, theirs], message).outbound;
    const b = signShare(restored, k1, [mine.outbound, theirs], message).outbound;
    expect(a.signatureShare).toBe(b.signatureShare);
  });

  it('rejects messages of another session or suite, and unknown or repeated senders', () => {
    const other: FrostSuiteName = suite === 'frost-taproot' ? 'frost-secp256k1' : 'frost-taproot';
    const cases: [(ms: SignRound1Broadcast[]) => SignRound1Broadcast[], CryptoError['code']][] = [
      [
        (ms) => ms.map((m) => (m.sender === 'p2' ? { ...m, sessionId: 'ee'.repeat(16) } : m)),
        'SESSION_MISMATCH',
      ],
      [(ms) => ms.map((m) => (m.sender === 'p2' ? { ...m, sender: 'p9' } : m)), 'UNKNOWN_PARTY'],
      [(ms) => [...ms, ms.find((m) => m.sender === 'p2')!], 'INVALID_MESSAGE'],
    ];
    {
      cases.push([
        (ms) => ms.map((m) => (m.sender === 'p2' ? { ...m, suite: other } : m)),
        'SESSION_MISMATCH',
      ]);
    }
    for (const [round1, code] of cases) {
      expectError(
        () => runDistributed(twoOfThree, ['p1', 'p2'], suite, message, {}, { round1 }),
        code,
        code === 'UNKNOWN_PARTY' ? ['p9'] : ['p2'],
      );
    }
  });

  it('uses a nonce state once: reuse, or a restored consumed state, is STATE_CONSUMED', () => {
    const session = newSession(suite);
    const k1 = twoOfThree.get('p1')!;
    const k2 = twoOfThree.get('p2')!;
    const r1 = commit(k1, session);
    const r2 = commit(k2, session);
    const inbound = [r1.outbound, r2.outbound];
    const before = serializeSignRound1Secret(r1.state);
    const restored = restoreSignRound1Secret(before);
    expect(restored.hiding).toEqual(r1.state.hiding);
    const { state } = signShare(r1.state, k1, inbound, message);
    expect(state.consumed).toBe(true);
    expectError(() => signShare(r1.state, k1, inbound, message), 'STATE_CONSUMED');
    const after = serializeSignRound1Secret(state);
    expect(after).not.toContain(bytesToHex(group.encodeScalar(restored.hidingNonce)));
    expectError(
      () => signShare(restoreSignRound1Secret(after), k1, inbound, message),
      'STATE_CONSUMED',
    );
  });
});

describe('frost-taproot (BIP340 / BIP341)', () => {
  const { group } = frostSuite('frost-taproot');

  /** Key shares whose group key has the wanted y parity. */
  function keysWithParity(odd: boolean): Map<PartyId, KeyShare> {
    for (;;) {
      const keys = dealKeyShares(group, AccessStructure.threshold(2, 3));
      const y = keys.get('p1')!.publicKey.toAffine().y;
      if ((y & 1n) === (odd ? 1n : 0n)) return keys;
    }
  }

  /** BIP341 taproot_tweak_pubkey computed independently with noble. */
  function tweakedKey(keys: Map<PartyId, KeyShare>, merkleRoot?: Uint8Array): Uint8Array {
    const x = group.encodePoint(keys.get('p1')!.publicKey).subarray(1);
    const data = merkleRoot ? new Uint8Array([...x, ...merkleRoot]) : x;
    const t = BigInt('0x' + bytesToHex(schnorr.utils.taggedHash('TapTweak', data)));
    const P = schnorr.utils.lift_x(BigInt('0x' + bytesToHex(x)));
    return P.add(group.generator.multiply(t) as typeof P)
      .toBytes(true)
      .subarray(1);
  }

  it.each([false, true])('signs for the x-only key, odd y = %s, with and without tweak', (odd) => {
    const keys = keysWithParity(odd);
    const merkleRoot = new Uint8Array(32).fill(7);
    const xOnly = group.encodePoint(keys.get('p1')!.publicKey).subarray(1);
    for (let i = 0; i < 3; i++) {
      // Several runs so both parities of the group commitment R occur.
      const plain = runDistributed(keys, ['p1', 'p3'], 'frost-taproot', message).signature;
      expect(schnorr.verify(plain, message, xOnly)).toBe(true);
    }
    for (const root of [undefined, merkleRoot]) {
      const tweak = root ? { merkleRoot: root } : {};
      const expected = tweakedKey(keys, root);
      expect(frostVerifyingKey('frost-taproot', keys.get('p1')!, { tweak })).toEqual(expected);
      for (let i = 0; i < 3; i++) {
        const sig = runDistributed(keys, ['p2', 'p3'], 'frost-taproot', message, {
          tweak,
        }).signature;
        expect(schnorr.verify(sig, message, expected)).toBe(true);
        expect(schnorr.verify(sig, message, xOnly)).toBe(false);
      }
      const local = signWithAllParties([...keys.values()], ['p1', 'p2'], message, {
        suite: 'frost-taproot',
        tweak,
      });
      expect(local.verifyingKey).toEqual(expected);
      expect(schnorr.verify(local.signature, message, expected)).toBe(true);
    }
  });

  it('refuses a tweak for the RFC 9591 suites and a malformed merkle root', () => {
    const keys = dealKeyShares(group, AccessStructure.threshold(2, 3));
    expectError(
      () => signWithAllParties([...keys.values()], ['p1', 'p2'], message, { tweak: {} }),
      'INVALID_ARGUMENT',
    );
    expectError(
      () =>
        signWithAllParties([...keys.values()], ['p1', 'p2'], message, {
          suite: 'frost-taproot',
          tweak: { merkleRoot: new Uint8Array(31) },
        }),
      'INVALID_ARGUMENT',
    );
  });
});
