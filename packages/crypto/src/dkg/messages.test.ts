/**
 * DKG wire messages (CONVENTIONS.md habit 6): canonical JSON with a pinned encoding, exact
 * field sets (unknown fields rejected), strict hex, and no crash on arbitrary input — every
 * malformed message is a CryptoError, naming its sender where it names one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import { AccessStructure } from '../sharing/access-structure.js';
import {
  decodeDkgMessage,
  encodeDkgMessage,
  type DkgMessage,
  type DkgRound1Broadcast,
} from './messages.js';
import { dkgRound2 } from './round2.js';
import { DkgRound1Secret } from './state.js';
import { SESSION, round1All, round2All } from './test-harness.js';

const g = secp256k1Group;
const point = (n: bigint) => bytesToHex(g.encodePoint(g.baseMul(n)));
const scalar = (n: bigint) => bytesToHex(g.encodeScalar(n));

/** A hand-built round-1 broadcast with its fields in a scrambled order. */
const FIXED: DkgRound1Broadcast = {
  chainCodeCommitment: 'aa'.repeat(32),
  proof: { z: scalar(5n), R: point(3n) },
  commitments: [[point(1n), point(2n)]],
  kind: 'round1-broadcast',
  sender: 'p1',
  sessionId: SESSION,
  group: 'secp256k1',
  version: 1,
  protocol: 'dkg',
};

function throwsOnlyCryptoErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
  }
}

describe('DKG message JSON', () => {
  it('encodes canonically (pinned bytes)', () => {
    expect(encodeDkgMessage(FIXED)).toBe(
      '{"protocol":"dkg","version":1,"group":"secp256k1",' +
        `"sessionId":"${SESSION}","sender":"p1","kind":"round1-broadcast",` +
        '"commitments":[["0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",' +
        '"02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"]],' +
        '"proof":{"R":"02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",' +
        '"z":"0000000000000000000000000000000000000000000000000000000000000005"},' +
        `"chainCodeCommitment":"${'aa'.repeat(32)}"}`,
    );
  });

  it('round-trips every message kind of a real run', () => {
    const structure = AccessStructure.threshold(2, 3);
    const { states, broadcasts } = round1All(g, structure);
    const { broadcasts2, direct } = round2All(states, broadcasts);
    const all: DkgMessage[] = [...broadcasts, ...broadcasts2, ...direct];
    for (const m of all) {
      const text = encodeDkgMessage(m);
      expect(decodeDkgMessage(text)).toEqual(m);
      expect(encodeDkgMessage(decodeDkgMessage(text))).toBe(text);
    }
  });

  it('rejects malformed JSON with INVALID_MESSAGE naming the sender when it can', () => {
    const good = JSON.parse(encodeDkgMessage(FIXED)) as Record<string, unknown>;
    const bad = (v: unknown) => JSON.stringify(v);
    const cases: [string, string, string[]][] = [
      ['not JSON', '{"protocol":', []],
      ['an array', '[]', []],
      ['null', 'null', []],
      ['an unknown field', bad({ ...good, extra: true }), ['p1']],
      ['an unknown proof field', bad({ ...good, proof: { ...FIXED.proof, c: '00' } }), ['p1']],
      ['a missing field', bad({ ...good, proof: undefined }), ['p1']],
      ['an unsupported version', bad({ ...good, version: 2 }), ['p1']],
      ['an unknown kind', bad({ ...good, kind: 'round3' }), ['p1']],
      ['an unknown group', bad({ ...good, group: 'p256' }), ['p1']],
      ['a short session id', bad({ ...good, sessionId: 'abcd' }), ['p1']],
      ['uppercase hex', bad({ ...good, chainCodeCommitment: 'AA'.repeat(32) }), ['p1']],
      ['a short point', bad({ ...good, commitments: [['02']] }), ['p1']],
      ['a bad sender name', bad({ ...good, sender: '../etc' }), []],
      ['no commitments', bad({ ...good, commitments: [] }), ['p1']],
    ];
    for (const [what, text, culprits] of cases) {
      let error: unknown;
      try {
        decodeDkgMessage(text);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(CryptoError);
      expect((error as CryptoError).code, what).toBe('INVALID_MESSAGE');
      expect((error as CryptoError).culprits, what).toEqual(culprits);
    }
    const foreign = bad({ ...good, protocol: 'frost' });
    expect(() => decodeDkgMessage(foreign)).toThrow(
      expect.objectContaining({ code: 'SESSION_MISMATCH', culprits: ['p1'] }),
    );
  });

  it('never crashes on arbitrary JSON values or mutated fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) =>
        throwsOnlyCryptoErrors(() => decodeDkgMessage(JSON.stringify(v))),
      ),
      { numRuns: 300 },
    );
    const good = JSON.parse(encodeDkgMessage(FIXED)) as Record<string, unknown>;
    const keys = [...Object.keys(good), 'extra'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, v) =>
        throwsOnlyCryptoErrors(() => decodeDkgMessage(JSON.stringify({ ...good, [key]: v }))),
      ),
      { numRuns: 300 },
    );
  });

  it('round 2 fails closed with a CryptoError on any mutated round-1 broadcast', () => {
    const structure = AccessStructure.threshold(2, 3);
    const { states, broadcasts } = round1All(g, structure);
    const saved = states.get('p1')!.toJSON();
    const victim = broadcasts[1] as unknown as Record<string, unknown>;
    const keys = [...Object.keys(victim), 'extra'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), (key, v) => {
        const inbound = [broadcasts[0], { ...victim, [key]: v }, broadcasts[2]];
        const state = DkgRound1Secret.fromJSON(saved);
        throwsOnlyCryptoErrors(() => dkgRound2(state, inbound as DkgRound1Broadcast[]));
      }),
      { numRuns: 60 },
    );
  });
});
