/**
 * Every culprit path of the DKG (CONVENTIONS.md habit 8): a tampered proof of knowledge, tree
 * commitments inconsistent across nodes, a bad direct share (complaint blaming the dealer), a
 * false complaint (blaming the accuser), an equivocating broadcast (echo check), a wrong
 * session or protocol, a bad chain-code opening and a silent party. Each failure is a typed
 * CryptoError naming the party at fault.
 */
import { describe, expect, it } from 'vitest';
import { ed25519Group } from '../curves/ed25519.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError, type CryptoErrorCode } from '../errors.js';
import { AccessStructure } from '../sharing/access-structure.js';
import { resolveComplaint } from './complaints.js';
import { dkgFinalize } from './finalize.js';
import type { DkgComplaint, DkgRound1Broadcast } from './messages.js';
import { dkgRound1 } from './round1.js';
import { dkgRound2 } from './round2.js';
import {
  SESSION,
  finalizeAll,
  maliciousRound1,
  otherPointHex,
  round1All,
  round2All,
  tweakHex,
} from './test-harness.js';

const TREE = AccessStructure.parse('3of(2of(ops1,ops2,ops3),1of(api1,api2),head)');
const T23 = AccessStructure.threshold(2, 3);

function caught(fn: () => unknown): CryptoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CryptoError) return e;
    throw e;
  }
  throw new Error('expected a CryptoError');
}

function expectBlame(fn: () => unknown, code: CryptoErrorCode, culprits: string[]): CryptoError {
  const e = caught(fn);
  expect({ code: e.code, culprits: e.culprits }).toEqual({ code, culprits });
  return e;
}

describe.each([secp256k1Group, ed25519Group])('DKG culprits on $name', (group) => {
  it('a tampered proof of knowledge is INVALID_PROOF naming the dealer', () => {
    const { states, broadcasts } = round1All(group, T23);
    const bad = broadcasts.map((b) =>
      b.sender === 'p2' ? { ...b, proof: { ...b.proof, z: tweakHex(b.proof.z) } } : b,
    );
    expectBlame(() => dkgRound2(states.get('p1')!, bad), 'INVALID_PROOF', ['p2']);
    // A proof replayed from another dealer does not verify either (it is bound to the dealer).
    const { states: s2, broadcasts: b2 } = round1All(group, T23);
    const replayed = b2.map((b) => (b.sender === 'p3' ? { ...b, proof: b2[1]!.proof } : b));
    expectBlame(() => dkgRound2(s2.get('p1')!, replayed), 'INVALID_PROOF', ['p3']);
  });

  it('commitments inconsistent across tree nodes are INVALID_COMMITMENT naming the dealer', () => {
    const { states, broadcasts } = round1All(group, TREE);
    // api1/api2's node is "2"; its constant term must equal the root polynomial at 2.
    const evil = maliciousRound1(group, TREE, 'head', (c) => {
      c[2]![0] = otherPointHex(group, 12345n);
    });
    const inbound = broadcasts.map((b) => (b.sender === 'head' ? evil : b));
    const e = expectBlame(() => dkgRound2(states.get('ops1')!, inbound), 'INVALID_COMMITMENT', [
      'head',
    ]);
    expect(e.message).toMatch(/node "2" is inconsistent with its parent/);
  });

  it('a bad direct share yields a complaint that blames the dealer', () => {
    const { states, broadcasts } = round1All(group, TREE);
    const { states2, broadcasts2, direct } = round2All(states, broadcasts);
    const tampered = direct.map((d) =>
      d.sender === 'api2' && d.recipient === 'ops3' ? { ...d, share: tweakHex(d.share) } : d,
    );
    const results = finalizeAll(states2, broadcasts2, tampered);
    for (const [party, r] of results) expect(r.kind).toBe(party === 'ops3' ? 'complaints' : 'key');
    const r = results.get('ops3')!;
    if (r.kind !== 'complaints') throw new Error('unreachable');
    expect(r.outbound.map((c) => [c.sender, c.accused])).toEqual([['ops3', 'api2']]);
    expect(resolveComplaint(r.publicData, r.outbound[0]!)).toEqual({
      culprit: 'api2',
      reason: 'INVALID_SHARE',
    });
    // Any other party judges alike from its own copy of the public round-1 data.
    const judge = { group, structure: TREE, sessionId: SESSION, round1: broadcasts };
    expect(resolveComplaint(judge, r.outbound[0]!).culprit).toBe('api2');
  });

  it('a false complaint blames the accuser', () => {
    const { states, broadcasts } = round1All(group, T23);
    const { direct } = round2All(states, broadcasts);
    const honest = direct.find((d) => d.sender === 'p2' && d.recipient === 'p1')!;
    const complaint: DkgComplaint = {
      protocol: 'dkg',
      version: 1,
      group: group.name,
      sessionId: SESSION,
      sender: 'p1',
      kind: 'complaint',
      accused: 'p2',
      share: honest.share,
    };
    const data = { group, structure: T23, sessionId: SESSION, round1: broadcasts };
    expect(resolveComplaint(data, complaint)).toEqual({ culprit: 'p1', reason: 'FALSE_COMPLAINT' });
    expectBlame(() => resolveComplaint(data, { ...complaint, accused: 'p1' }), 'INVALID_MESSAGE', [
      'p1',
    ]);
    expectBlame(
      () => resolveComplaint(data, { ...complaint, sessionId: 'cd'.repeat(32) }),
      'SESSION_MISMATCH',
      ['p1'],
    );
  });

  it('an equivocating dealer is INCONSISTENT_BROADCAST naming it', () => {
    const { states, broadcasts } = round1All(group, T23);
    // p3 sends p2 a different, individually valid round-1 broadcast.
    const other = dkgRound1({ group, structure: T23, party: 'p3', sessionId: SESSION }).outbound;
    const forP2 = broadcasts.map((b) => (b.sender === 'p3' ? other : b));
    const r2 = new Map(
      [...states].map(([p, s]) => [p, dkgRound2(s, p === 'p2' ? forP2 : broadcasts)]),
    );
    const broadcasts2 = [...r2.values()].map((r) => r.outbound.broadcast);
    const direct = [...r2.values()].flatMap((r) => r.outbound.direct);
    for (const party of ['p1', 'p2', 'p3']) {
      const state = r2.get(party)!.state;
      expectBlame(
        () => finalizeAll(new Map([[party, state]]), broadcasts2, direct),
        'INCONSISTENT_BROADCAST',
        ['p3'],
      );
    }
  });

  it('a chain-code opening that does not match its commitment names the sender', () => {
    const { states, broadcasts } = round1All(group, T23);
    const { states2, broadcasts2, direct } = round2All(states, broadcasts);
    const bad = broadcasts2.map((b) =>
      b.sender === 'p3' ? { ...b, chainCode: tweakHex(b.chainCode) } : b,
    );
    const p1 = new Map([['p1', states2.get('p1')!]]);
    expectBlame(() => finalizeAll(p1, bad, direct), 'INVALID_COMMITMENT', ['p3']);
  });

  it('a message from another session or protocol is SESSION_MISMATCH naming the sender', () => {
    const { states, broadcasts } = round1All(group, T23);
    const wrongSession = broadcasts.map((b) =>
      b.sender === 'p2' ? { ...b, sessionId: 'cd'.repeat(32) } : b,
    );
    expectBlame(() => dkgRound2(states.get('p1')!, wrongSession), 'SESSION_MISMATCH', ['p2']);
    const { states: s2, broadcasts: b2 } = round1All(group, T23);
    const wrongProtocol = b2.map((b) =>
      b.sender === 'p3' ? ({ ...b, protocol: 'frost' } as unknown as DkgRound1Broadcast) : b,
    );
    expectBlame(() => dkgRound2(s2.get('p1')!, wrongProtocol), 'SESSION_MISMATCH', ['p3']);
    const otherGroup = group === secp256k1Group ? ed25519Group : secp256k1Group;
    const { broadcasts: foreign } = round1All(otherGroup, T23);
    const { states: s3, broadcasts: b3 } = round1All(group, T23);
    const mixed = b3.map((b) => (b.sender === 'p2' ? foreign[1]! : b));
    expectBlame(() => dkgRound2(s3.get('p1')!, mixed), 'SESSION_MISMATCH', ['p2']);
  });

  it('a missing round-1 broadcast names the silent party', () => {
    const { states, broadcasts } = round1All(group, T23);
    expectBlame(
      () =>
        dkgRound2(
          states.get('p1')!,
          broadcasts.filter((b) => b.sender !== 'p3'),
        ),
      'INVALID_MESSAGE',
      ['p3'],
    );
  });

  it('malformed round-1 contents are typed errors naming the sender', () => {
    const cases: [string, (b: DkgRound1Broadcast) => unknown, CryptoErrorCode][] = [
      [
        'a point off the curve',
        (b) => ({ ...b, proof: { ...b.proof, R: 'ff'.repeat(group.pointLength) } }),
        'INVALID_POINT',
      ],
      [
        'a commitment missing at a node',
        (b) => ({ ...b, commitments: [b.commitments[0]!.slice(1)] }),
        'INVALID_MESSAGE',
      ],
      [
        'an extra node',
        (b) => ({ ...b, commitments: [...b.commitments, b.commitments[0]!] }),
        'INVALID_MESSAGE',
      ],
      [
        'a scalar not reduced mod q',
        (b) => ({ ...b, proof: { ...b.proof, z: 'ff'.repeat(32) } }),
        'INVALID_SCALAR',
      ],
      ['an unknown field', (b) => ({ ...b, extra: 1 }), 'INVALID_MESSAGE'],
      [
        'uppercase hex',
        (b) => ({ ...b, chainCodeCommitment: b.chainCodeCommitment.toUpperCase() }),
        'INVALID_MESSAGE',
      ],
      ['a sender outside the structure', (b) => ({ ...b, sender: 'mallory' }), 'UNKNOWN_PARTY'],
      ['the wrong kind', (b) => ({ ...b, kind: 'round2-broadcast' }), 'INVALID_MESSAGE'],
    ];
    for (const [, mutate, code] of cases) {
      const { states, broadcasts } = round1All(group, T23);
      const inbound = broadcasts.map((b) => (b.sender === 'p2' ? mutate(b) : b));
      const e = caught(() => dkgRound2(states.get('p1')!, inbound as DkgRound1Broadcast[]));
      expect(e.code).toBe(code);
      expect(e.culprits).toEqual([code === 'UNKNOWN_PARTY' ? 'mallory' : 'p2']);
    }
  });
});

describe('DKG culprits (group-independent)', () => {
  it('a direct share addressed to someone else names its sender', () => {
    const { states, broadcasts } = round1All(secp256k1Group, T23);
    const { states2, broadcasts2, direct } = round2All(states, broadcasts);
    const inbound = [
      ...direct.filter((d) => d.recipient === 'p1'),
      direct.find((d) => d.sender === 'p3' && d.recipient === 'p2')!,
    ];
    expectBlame(
      () => dkgFinalize(states2.get('p1')!, { broadcasts: broadcasts2, direct: inbound }),
      'INVALID_MESSAGE',
      ['p3'],
    );
  });

  it('two different direct shares from one dealer name it', () => {
    const { states, broadcasts } = round1All(secp256k1Group, T23);
    const { states2, broadcasts2, direct } = round2All(states, broadcasts);
    const mine = direct.filter((d) => d.recipient === 'p1');
    const twice = [...mine, { ...mine[0]!, share: tweakHex(mine[0]!.share) }];
    expectBlame(
      () => dkgFinalize(states2.get('p1')!, { broadcasts: broadcasts2, direct: twice }),
      'INCONSISTENT_BROADCAST',
      [mine[0]!.sender],
    );
  });
});
