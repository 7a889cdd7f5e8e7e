/**
 * The DKLs23 pairwise setup after the DKG (setup.ts; DKLS23-NOTES §2.2): a clean run gives
 * both ends of every pair the same zero-sharing seed and correlated base-OT seeds (Alice's
 * seed i is Bob's seed_{Δ_i}); malformed, misrouted, replayed or tampered setup messages of
 * every round are typed errors naming the party at fault; the state is single-use.
 * Runs the setup without a DKG, on a random key id, with two or three parties.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { checkCryptoError, expectCryptoError } from '../../../test/ecdsa/harness.js';
import { bytesToHex } from '../../bytes.js';
import type { CryptoErrorCode } from '../../errors.js';
import { MemoryLedger } from '../../ledger.js';
import { setCryptoProvider } from '../../provider/crypto-provider.js';
import { nodeCryptoProvider } from '../../provider/node-provider.js';
import type { PartyId } from '../../sharing/access-structure.js';
import type { Dkls23PairState } from './key-share.js';
import {
  decodeSetupMessage,
  decodeSetupState,
  encodeSetupMessage,
  encodeSetupState,
} from './codec.js';
import { setupContinue, setupStart, type SetupDirect, type SetupState } from './setup.js';

setCryptoProvider(nodeCryptoProvider);

type Hook = (round: number, to: PartyId, inbound: SetupDirect[]) => SetupDirect[];

interface SetupOutcome {
  /** The round whose messages were being processed when the run stopped (6 = finished). */
  readonly round: number;
  readonly errors: Map<PartyId, unknown>;
  readonly pairs: Map<PartyId, ReadonlyMap<PartyId, Dkls23PairState>>;
}

interface RunSetupOptions {
  readonly keyId?: Uint8Array;
  /** Route every message through its JSON form and persist every state between rounds. */
  readonly wire?: boolean;
}

function runSetup(parties: PartyId[], hook?: Hook, options: RunSetupOptions = {}): SetupOutcome {
  const keyId = options.keyId ?? randomBytes(32);
  const through = (mail: SetupDirect[]): SetupDirect[] =>
    options.wire ? mail.map((m) => decodeSetupMessage(encodeSetupMessage(m))) : mail;
  const persist = (state: SetupState): SetupState => {
    if (!options.wire) return state;
    const json = encodeSetupState(state);
    const restored = decodeSetupState(json);
    expect(encodeSetupState(restored)).toBe(json);
    return restored;
  };
  const states = new Map<PartyId, SetupState>();
  const ledger = new MemoryLedger();
  let mail: SetupDirect[] = [];
  for (const p of parties) {
    const { state, outbound } = setupStart(keyId, p, parties);
    states.set(p, persist(state));
    mail.push(...through(outbound));
  }
  const errors = new Map<PartyId, unknown>();
  const pairs = new Map<PartyId, ReadonlyMap<PartyId, Dkls23PairState>>();
  for (let round = 1; round <= 5; round++) {
    const next: SetupDirect[] = [];
    for (const p of parties) {
      const inbound = mail.filter((m) => m.recipient === p);
      try {
        const step = setupContinue(states.get(p)!, hook?.(round, p, inbound) ?? inbound, ledger);
        if (step.done) pairs.set(p, step.pairs);
        else {
          states.set(p, persist(step.state));
          next.push(...through(step.outbound));
        }
      } catch (e) {
        errors.set(p, e);
      }
    }
    if (errors.size > 0) return { round, errors, pairs };
    mail = next;
  }
  return { round: 6, errors, pairs };
}

/** Tampers with what `to` receives from `from` in `round`. */
const tamper =
  (round: number, from: PartyId, to: PartyId, f: (m: SetupDirect) => SetupDirect): Hook =>
  (r, p, inbound) =>
    r === round && p === to ? inbound.map((m) => (m.sender === from ? f(m) : m)) : inbound;

const flipByte = (b: Uint8Array, at: number): Uint8Array => {
  const c = b.slice();
  c[at < 0 ? c.length + at : at]! ^= 1;
  return c;
};

function expectStopped(
  outcome: SetupOutcome,
  round: number,
  detector: PartyId,
  code: CryptoErrorCode,
  culprits: PartyId[],
): void {
  expect(outcome.round).toBe(round);
  expect([...outcome.errors.keys()]).toEqual([detector]);
  checkCryptoError(outcome.errors.get(detector), code, culprits);
}

const bit = (bits: Uint8Array, i: number): number => (bits[i >> 3]! >> (i & 7)) & 1;

describe('DKLs23 pairwise setup', () => {
  function expectCorrelated(outcome: SetupOutcome, keyId: Uint8Array): void {
    expect(outcome.round).toBe(6);
    const a = outcome.pairs.get('alice')!.get('bob')!;
    const b = outcome.pairs.get('bob')!.get('alice')!;
    expect(bytesToHex(a.zeroSeed)).toBe(bytesToHex(b.zeroSeed));
    for (const [mine, theirs] of [
      [a, b],
      [b, a],
    ] as const) {
      // mine.sender is Alice of instances self -> counterparty; theirs.receiver is its Bob.
      const { delta, seeds } = mine.sender;
      const { seeds0, seeds1 } = theirs.receiver;
      expect(bytesToHex(mine.sender.sessionId)).toBe(bytesToHex(keyId));
      expect(bytesToHex(theirs.receiver.sessionId)).toBe(bytesToHex(keyId));
      const n = seeds0.length / 16;
      expect(n).toBeGreaterThanOrEqual(128);
      expect(delta.length * 8).toBe(n);
      let chosen = 0;
      for (let i = 0; i < n; i++) {
        const s = bytesToHex(seeds.subarray(i * 16, (i + 1) * 16));
        const s0 = bytesToHex(seeds0.subarray(i * 16, (i + 1) * 16));
        const s1 = bytesToHex(seeds1.subarray(i * 16, (i + 1) * 16));
        expect(s0).not.toBe(s1);
        expect(s).toBe(bit(delta, i) ? s1 : s0);
        chosen += bit(delta, i);
      }
      expect(chosen).toBeGreaterThan(0);
      expect(chosen).toBeLessThan(n);
    }
    // The two directions use independent base OTs.
    expect(bytesToHex(a.sender.delta)).not.toBe(bytesToHex(b.sender.delta));
  }

  it('gives both ends of a pair the same zero seed and correlated OT seeds', () => {
    const keyId = randomBytes(32);
    expectCorrelated(runSetup(['alice', 'bob'], undefined, { keyId }), keyId);
  });

  it('runs with every message through JSON and every state persisted between rounds', () => {
    const keyId = randomBytes(32);
    expectCorrelated(runSetup(['alice', 'bob'], undefined, { keyId, wire: true }), keyId);
  });

  it('setup messages in JSON: malformed ones are typed errors naming the sender', () => {
    const keyId = randomBytes(32);
    const { state, outbound } = setupStart(keyId, 'alice', ['alice', 'bob']);
    const json = JSON.parse(encodeSetupMessage(outbound[0]!)) as Record<string, unknown>;
    expect(json.sender).toBe('alice');
    const cases: Record<string, unknown>[] = [
      { ...json, baseOt: '!!!' },
      { ...json, zeroSeed: 'zz'.repeat(32) },
      { ...json, zeroSeed: '00'.repeat(31) },
      { ...json, sessionId: '00'.repeat(31) },
      { ...json, round: 'one' },
      { ...json, extra: 1 },
      { ...json, protocol: 'dkls23-sign' },
      { ...json, version: 9 },
      Object.fromEntries(Object.entries(json).filter(([k]) => k !== 'recipient')),
    ];
    for (const value of cases) {
      expectCryptoError(() => decodeSetupMessage(JSON.stringify(value)), 'INVALID_MESSAGE', [
        'alice',
      ]);
    }
    for (const raw of ['', '{', 'null', '[]']) {
      expectCryptoError(() => decodeSetupMessage(raw), 'INVALID_MESSAGE', []);
    }
    // A consumed setup state cannot be saved; a saved state of another kind is refused.
    const saved = encodeSetupState(state);
    expectCryptoError(() => setupContinue(state, [], new MemoryLedger()), 'INVALID_MESSAGE', [
      'bob',
    ]);
    expectCryptoError(() => encodeSetupState(state), 'STATE_CONSUMED');
    const other = JSON.stringify({ ...(JSON.parse(saved) as object), kind: 'dkls23-key-share' });
    expectCryptoError(() => decodeSetupState(other), 'INVALID_MESSAGE');
    const noPairs = JSON.stringify({ ...(JSON.parse(saved) as object), pairs: {} });
    expectCryptoError(() => decodeSetupState(noPairs), 'INVALID_MESSAGE');
  });

  it('refuses to start for a party that is not in the list', () => {
    expectCryptoError(
      () => setupStart(randomBytes(32), 'mallory', ['alice', 'bob']),
      'UNKNOWN_PARTY',
      [],
      /mallory/,
    );
  });

  describe('round-1 messages (checked before any expensive work where possible)', () => {
    const keyId = randomBytes(32);
    const parties = ['a', 'b', 'c'];
    const start = new Map(parties.map((p) => [p, setupStart(keyId, p, parties)]));
    const toA = () =>
      [...start.values()].flatMap((s) => s.outbound.filter((m) => m.recipient === 'a'));
    const fromB = () => toA().find((m) => m.sender === 'b')!;
    const others = () => toA().filter((m) => m.sender !== 'b');
    const freshA = () => setupStart(keyId, 'a', parties).state;

    it.each<[string, () => SetupDirect[], CryptoErrorCode, PartyId[]]>([
      ['missing', () => others(), 'INVALID_MESSAGE', ['b']],
      ['duplicate', () => [...toA(), fromB()], 'INVALID_MESSAGE', ['b']],
      [
        'for another key',
        () => [...others(), { ...fromB(), sessionId: bytesToHex(randomBytes(32)) }],
        'SESSION_MISMATCH',
        ['b'],
      ],
      ['of another round', () => [...others(), { ...fromB(), round: 2 }], 'INVALID_MESSAGE', ['b']],
      [
        'of another protocol',
        () => [...others(), { ...fromB(), protocol: 'dkls23-sign' as 'dkls23-setup' }],
        'INVALID_MESSAGE',
        ['b'],
      ],
      [
        'addressed to c',
        () => [...others(), { ...fromB(), recipient: 'c' }],
        'INVALID_MESSAGE',
        ['b'],
      ],
      ['from a stranger', () => [...toA(), { ...fromB(), sender: 'z' }], 'INVALID_MESSAGE', []],
      [
        'without the zero-seed commitment',
        () => [...others(), { ...fromB(), zeroSeed: undefined as unknown as Uint8Array }],
        'INVALID_MESSAGE',
        ['b'],
      ],
      [
        'with a truncated base-OT message',
        () => [...others(), { ...fromB(), baseOt: fromB().baseOt.subarray(0, 40) }],
        'INVALID_MESSAGE',
        ['b'],
      ],
      [
        'with a base-OT message that is not bytes',
        () => [...others(), { ...fromB(), baseOt: 'AAAA' as unknown as Uint8Array }],
        'INVALID_MESSAGE',
        ['b'],
      ],
      [
        'with a corrupted base-OT proof of knowledge',
        () => [...others(), { ...fromB(), baseOt: flipByte(fromB().baseOt, -1) }],
        'INVALID_PROOF',
        ['b'],
      ],
    ])('a message %s is refused, naming the party at fault', (_, inbound, code, culprits) => {
      expectCryptoError(
        () => setupContinue(freshA(), inbound(), new MemoryLedger()),
        code,
        culprits,
      );
    });

    it('a corrupted base-OT public key is refused naming the sender', () => {
      // Byte 2 is B's SEC1 prefix (after the version and kind bytes).
      const withPrefix = (prefix: number) => {
        const baseOt = fromB().baseOt.slice();
        baseOt[2] = prefix;
        return [...others(), { ...fromB(), baseOt }];
      };
      const negated = fromB().baseOt[2] === 2 ? 3 : 2; // -B: a valid point, but not the proven one
      expectCryptoError(
        () => setupContinue(freshA(), withPrefix(negated), new MemoryLedger()),
        'INVALID_PROOF',
        ['b'],
      );
      expectCryptoError(
        () => setupContinue(freshA(), withPrefix(5), new MemoryLedger()),
        'INVALID_POINT',
        ['b'],
      );
    });

    it('the state is single-use', () => {
      const state = freshA();
      expectCryptoError(
        () => setupContinue(state, others(), new MemoryLedger()),
        'INVALID_MESSAGE',
        ['b'],
      );
      expectCryptoError(() => setupContinue(state, toA(), new MemoryLedger()), 'STATE_CONSUMED');
    });

    it('a restored copy of a setup state cannot run the same round again (same ledger)', () => {
      const ledger = new MemoryLedger();
      const saved = encodeSetupState(freshA());
      setupContinue(decodeSetupState(saved), toA(), ledger);
      // A second run would let a base-OT sender compare two answers and learn Δ.
      expectCryptoError(
        () => setupContinue(decodeSetupState(saved), toA(), ledger),
        'STATE_CONSUMED',
      );
    });
  });

  it('round 2: a zero-seed opening that does not match its commitment names the sender', () => {
    const outcome = runSetup(
      ['a', 'b', 'c'],
      tamper(2, 'b', 'a', (m) => ({ ...m, zeroSeed: flipByte(m.zeroSeed!, 0) })),
    );
    expectStopped(outcome, 2, 'a', 'INVALID_COMMITMENT', ['b']);
  });

  it('round 2: a missing opening or an invalid base-OT point names the sender', () => {
    const noOpening = runSetup(
      ['a', 'b'],
      tamper(2, 'b', 'a', (m) => {
        const entries = Object.entries(m).filter(([k]) => k !== 'zeroSeed');
        return Object.fromEntries(entries) as unknown as SetupDirect;
      }),
    );
    expectStopped(noOpening, 2, 'a', 'INVALID_COMMITMENT', ['b']);
    // Receiver points A_i: overwrite the first with 33 bytes that are no point.
    const badPoint = runSetup(
      ['a', 'b'],
      tamper(2, 'b', 'a', (m) => {
        const baseOt = m.baseOt.slice();
        baseOt.fill(0xff, 2, 2 + 33);
        return { ...m, baseOt };
      }),
    );
    expectStopped(badPoint, 2, 'a', 'INVALID_POINT', ['b']);
  });

  it('round 3: corrupted challenges are caught by their sender, who names the responder', () => {
    // a answers the corrupted challenges; b (who sent the real ones) sees wrong responses.
    const outcome = runSetup(
      ['a', 'b'],
      tamper(3, 'b', 'a', (m) => {
        // One bit of every 32-byte challenge, so some challenge a answers with its choice 1.
        const baseOt = m.baseOt.slice();
        for (let at = 2; at < baseOt.length; at += 32) baseOt[at]! ^= 1;
        return { ...m, baseOt };
      }),
    );
    expectStopped(outcome, 4, 'b', 'INVALID_PROOF', ['a']);
  });

  it('round 4: corrupted responses name their sender', () => {
    const outcome = runSetup(
      ['a', 'b'],
      tamper(4, 'b', 'a', (m) => ({ ...m, baseOt: flipByte(m.baseOt, 10) })),
    );
    expectStopped(outcome, 4, 'a', 'INVALID_PROOF', ['b']);
  });

  it('round 5: corrupted openings name their sender', () => {
    for (const at of [10, -1]) {
      const outcome = runSetup(
        ['a', 'b'],
        tamper(5, 'b', 'a', (m) => ({ ...m, baseOt: flipByte(m.baseOt, at) })),
      );
      expectStopped(outcome, 5, 'a', 'INVALID_PROOF', ['b']);
    }
  });
});
