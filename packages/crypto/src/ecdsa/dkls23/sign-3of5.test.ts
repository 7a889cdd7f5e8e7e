/**
 * DKLs23 threshold ECDSA with one 3-of-5 key (one keygen for the whole file): every minimal
 * authorised subset signs and verifies independently; then, with three signers so blame can
 * be told apart, tampering with every message type of every round (CRYPTO.md invariant 4,
 * DKLS23-NOTES §5): the recipient of a tampered message aborts with a typed error naming
 * exactly the sender, where the paper allows attribution, and NOT_ATTRIBUTABLE (never an
 * invalid signature) where it does not; and malformed JSON wire messages are typed errors
 * naming the sender, never a crash.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCryptoError,
  expectBlame,
  expectCryptoError,
  expectValidEverywhere,
  type Hooks,
  ORDER,
  runSigning,
  signatureOf,
} from '../../../test/ecdsa/harness.js';
import { bytesToHex } from '../../bytes.js';
import type { GroupPoint } from '../../curves/group.js';
import { secp256k1Group as G } from '../../curves/secp256k1.js';
import { CryptoError } from '../../errors.js';
import { MemoryLedger } from '../../ledger.js';
import {
  decodeRvoleSenderMessage,
  encodeRvoleSenderMessage,
  type RvoleReceiverMessage,
  type RvoleSenderMessage,
} from '../../ot/index.js';
import { setCryptoProvider } from '../../provider/crypto-provider.js';
import { nodeCryptoProvider } from '../../provider/node-provider.js';
import { AccessStructure, type PartyId } from '../../sharing/access-structure.js';
import { decodeEcdsaSignMessage, encodeEcdsaSignMessage } from './codec.js';
import type { Dkls23KeyShare } from './key-share.js';
import { dkls23KeygenLocally, presignLocally } from './local.js';
import { ecdsaCombineSignature, ecdsaSignOnline, ecdsaSignRound1 } from './sign.js';
import type {
  EcdsaSignRound1Direct,
  EcdsaSignRound2Direct,
  EcdsaSignRound3Broadcast,
} from './sign-types.js';

setCryptoProvider(nodeCryptoProvider);

const structure = AccessStructure.threshold(3, 5);
const shares = dkls23KeygenLocally(structure);
const pk33 = G.encodePoint(shares.get('p1')!.key.publicKey);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, k - 1).map((s) => [first!, ...s]), ...subsets(rest, k)];
}

describe('DKLs23 3-of-5: signatures from every minimal authorised set verify', () => {
  const sets = subsets(structure.parties, 3);

  it('there are ten minimal sets', () => expect(sets).toHaveLength(10));

  it.each(sets)('{%s, %s, %s} signs', (...signers) => {
    const message = text(`3-of-5 by ${signers.join('+')}`);
    const outcome = runSigning(shares, signers, sha256(message), { wire: signers[0] === 'p1' });
    expectValidEverywhere(pk33, message, signatureOf(outcome));
  });

  it('refuses two signers (UNAUTHORIZED_SET) and four (not minimal)', () => {
    const sessionId = randomBytes(32);
    expectCryptoError(
      () => ecdsaSignRound1(shares.get('p2')!, ['p2', 'p5'], { sessionId }),
      'UNAUTHORIZED_SET',
      [],
      /3of5/,
    );
    expectCryptoError(
      () => ecdsaSignRound1(shares.get('p2')!, ['p5', 'p4', 'p2', 'p1'], { sessionId }),
      'INVALID_ARGUMENT',
      [],
      /not minimal.*\{p1, p2, p4\}/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Tampering. Signers p1, p3, p4; the cheater (or a corrupted channel) is p3, the victim p1.

const SIGNERS = ['p1', 'p3', 'p4'];
const CHEATER = 'p3';
const VICTIM = 'p1';
const digest = sha256(text('tampering'));

const flip = (b: Uint8Array, at = 0): Uint8Array => {
  const c = b.slice();
  c[at]! ^= 1;
  return c;
};
const bump = (x: bigint): bigint => G.mod(x + 1n);
const shift = (p: GroupPoint): GroupPoint => p.add(G.generator);

/** Replaces what the victim receives from the cheater in round 1. */
const r1 =
  (f: (m: EcdsaSignRound1Direct) => EcdsaSignRound1Direct) =>
  (to: PartyId, inbound: EcdsaSignRound1Direct[]) =>
    to === VICTIM ? inbound.map((m) => (m.sender === CHEATER ? f(m) : m)) : inbound;
const r2 =
  (f: (m: EcdsaSignRound2Direct) => EcdsaSignRound2Direct) =>
  (to: PartyId, inbound: EcdsaSignRound2Direct[]) =>
    to === VICTIM ? inbound.map((m) => (m.sender === CHEATER ? f(m) : m)) : inbound;
const r3 =
  (f: (m: EcdsaSignRound3Broadcast) => EcdsaSignRound3Broadcast) =>
  (to: PartyId, inbound: EcdsaSignRound3Broadcast[]) =>
    to === VICTIM ? inbound.map((m) => (m.sender === CHEATER ? f(m) : m)) : inbound;
const ot1 = (f: (m: RvoleReceiverMessage) => RvoleReceiverMessage) =>
  r1((m) => ({ ...m, multiplication: f(m.multiplication) }));
const ot2 = (f: (m: RvoleSenderMessage) => RvoleSenderMessage) =>
  r2((m) => ({ ...m, multiplication: f(m.multiplication) }));

describe('DKLs23 3-of-5: tampering is detected and attributed', () => {
  it('the untampered run completes (baseline for the cases below)', () => {
    const message = text('tampering');
    expectValidEverywhere(pk33, message, signatureOf(runSigning(shares, SIGNERS, digest)));
  });

  it('round-1 commitment changed: INVALID_COMMITMENT naming the sender, at round 3', () => {
    const round1 = r1((m) => ({ ...m, commitment: flip(m.commitment, 31) }));
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round1 } }),
      'round3',
      [VICTIM],
      'INVALID_COMMITMENT',
      [CHEATER],
    );
  });

  it.each(['nonce', 'u', 'xt', 'tt'] as const)(
    'round-1 RVOLE message field %s changed: OT_CHECK_FAILED naming the sender, at round 2',
    (field) => {
      const round1 = ot1((m) => ({ ...m, [field]: flip(m[field], 7) }));
      expectBlame(
        runSigning(shares, SIGNERS, digest, { hooks: { round1 } }),
        'round2',
        [VICTIM],
        'OT_CHECK_FAILED',
        [CHEATER],
      );
    },
  );

  it('round-1 RVOLE bytes flipped inside the JSON wire message: OT_CHECK_FAILED naming the sender', () => {
    const round1 = r1((m) => {
      const json = JSON.parse(encodeEcdsaSignMessage(m)) as { multiplication: string };
      const bytes = Buffer.from(json.multiplication, 'base64');
      bytes[bytes.length >> 1]! ^= 0x80;
      json.multiplication = bytes.toString('base64');
      return decodeEcdsaSignMessage(JSON.stringify(json)) as EcdsaSignRound1Direct;
    });
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round1 } }),
      'round2',
      [VICTIM],
      'OT_CHECK_FAILED',
      [CHEATER],
    );
  });

  it('a round-1 message replayed from another session is refused, also with a rewritten header', () => {
    const other = ecdsaSignRound1(shares.get(CHEATER)!, SIGNERS, { sessionId: randomBytes(32) });
    const replay = other.outbound.find((m) => m.recipient === VICTIM)!;
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round1: r1(() => replay) } }),
      'round2',
      [VICTIM],
      'SESSION_MISMATCH',
      [CHEATER],
    );
    // Same payload under this session's header: the multiplication is bound to its session.
    const rewritten = r1((m) => ({ ...replay, sessionId: m.sessionId }));
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round1: rewritten } }),
      'round2',
      [VICTIM],
      'OT_CHECK_FAILED',
      [CHEATER],
    );
  });

  it.each([
    ['at[0]', (m: RvoleSenderMessage) => ({ ...m, at: [bump(m.at[0]!), ...m.at.slice(1)] })],
    [
      'at[last]',
      (m: RvoleSenderMessage) => ({ ...m, at: [...m.at.slice(0, -1), bump(m.at.at(-1)!)] }),
    ],
    ['etaHat', (m: RvoleSenderMessage) => ({ ...m, etaHat: bump(m.etaHat) })],
    ['mu', (m: RvoleSenderMessage) => ({ ...m, mu: flip(m.mu) })],
    ['nonce', (m: RvoleSenderMessage) => ({ ...m, nonce: flip(m.nonce) })],
  ])(
    'round-2 RVOLE message field %s changed: CONSISTENCY_CHECK_FAILED naming the sender',
    (_, f) => {
      expectBlame(
        runSigning(shares, SIGNERS, digest, { hooks: { round2: ot2(f) } }),
        'round3',
        [VICTIM],
        'CONSISTENCY_CHECK_FAILED',
        [CHEATER],
      );
    },
  );

  it.each([
    ['gammaU', /Γ\^u/],
    ['gammaV', /Γ\^v/],
  ] as const)(
    '%s replaced by another valid point: CONSISTENCY_CHECK_FAILED naming the sender',
    (field, which) => {
      const round2 = r2((m) => ({ ...m, [field]: shift(m[field]) }));
      expectBlame(
        runSigning(shares, SIGNERS, digest, { hooks: { round2 } }),
        'round3',
        [VICTIM],
        'CONSISTENCY_CHECK_FAILED',
        [CHEATER],
        which,
      );
    },
  );

  it('noncePoint or salt changed: INVALID_COMMITMENT naming the sender', () => {
    for (const round2 of [
      r2((m) => ({ ...m, noncePoint: shift(m.noncePoint) })),
      r2((m) => ({ ...m, salt: flip(m.salt, 5) })),
    ]) {
      expectBlame(
        runSigning(shares, SIGNERS, digest, { hooks: { round2 } }),
        'round3',
        [VICTIM],
        'INVALID_COMMITMENT',
        [CHEATER],
      );
    }
  });

  it('publicShare changed: the Γ^v check names the sender (to one or to every recipient)', () => {
    const round2 = r2((m) => ({ ...m, publicShare: shift(m.publicShare) }));
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round2 } }),
      'round3',
      [VICTIM],
      'CONSISTENCY_CHECK_FAILED',
      [CHEATER],
      /Γ\^v/,
    );
    // The same shifted pk_3 sent consistently to everyone: every recipient names p3.
    const everyone = (_: PartyId, inbound: EcdsaSignRound2Direct[]) =>
      inbound.map((m) => (m.sender === CHEATER ? { ...m, publicShare: shift(m.publicShare) } : m));
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round2: everyone } }),
      'round3',
      ['p1', 'p4'],
      'CONSISTENCY_CHECK_FAILED',
      [CHEATER],
      /Γ\^v/,
    );
  });

  it('a signer whose additive share is consistently wrong: Σpk ≠ PK, NOT_ATTRIBUTABLE for all', () => {
    // p3 runs round 2 with a shifted secret share: its pk_3, Γ points and multiplication
    // inputs are mutually consistent, so only the sum check can catch it (DKLS23-NOTES §5).
    const original = shares.get(CHEATER)!;
    const shifted: Dkls23KeyShare = {
      ...original,
      key: { ...original.key, secretShare: bump(original.key.secretShare) },
    };
    const outcome = runSigning(shares, SIGNERS, digest, {
      hooks: { share: (p, round) => (p === CHEATER && round === 2 ? shifted : undefined) },
    });
    expectBlame(outcome, 'round3', SIGNERS, 'NOT_ATTRIBUTABLE', [], /public shares/);
  });

  it('psi changed: no check applies; NOT_ATTRIBUTABLE at combination and no signature', () => {
    const round2 = r2((m) => ({ ...m, psi: bump(m.psi) }));
    const outcome = runSigning(shares, SIGNERS, digest, { hooks: { round2 } });
    expect(outcome.presignatures.size).toBe(3); // rounds 1–3 pass
    expectBlame(outcome, 'combine', SIGNERS, 'NOT_ATTRIBUTABLE', [], /does not verify/);
    expect(outcome.signatures.size).toBe(0);
  });

  it.each(['u', 'w'] as const)(
    'round-3 %s changed: NOT_ATTRIBUTABLE for the recipient; the others still get a valid signature',
    (field) => {
      const round3 = r3((m) => ({ ...m, [field]: bump(m[field]) }));
      const outcome = runSigning(shares, SIGNERS, digest, { hooks: { round3 } });
      expectBlame(outcome, 'combine', [VICTIM], 'NOT_ATTRIBUTABLE', [], /does not verify/);
      expect([...outcome.signatures.keys()].sort()).toEqual(['p3', 'p4']);
      for (const sig of outcome.signatures.values()) {
        expectValidEverywhere(pk33, text('tampering'), sig);
      }
    },
  );

  it('any change of a round-3 share either throws NOT_ATTRIBUTABLE or yields a valid signature', () => {
    const pres = presignLocally(shares, SIGNERS);
    const ledger = new MemoryLedger();
    const online = new Map([...pres].map(([p, pre]) => [p, ecdsaSignOnline(pre, digest, ledger)]));
    const combine = (cheat: EcdsaSignRound3Broadcast) =>
      ecdsaCombineSignature(pres.get(VICTIM)!, digest, online.get(VICTIM)!, [
        cheat,
        online.get('p4')!,
      ]);
    const honest = online.get(CHEATER)!;
    const scalar = fc.bigInt({ min: 0n, max: ORDER - 1n });
    fc.assert(
      fc.property(scalar, scalar, (du, dw) => {
        fc.pre(du !== 0n || dw !== 0n);
        const cheat = { ...honest, u: G.mod(honest.u + du), w: G.mod(honest.w + dw) };
        let sig;
        try {
          sig = combine(cheat);
        } catch (e) {
          checkCryptoError(e, 'NOT_ATTRIBUTABLE', []);
          return;
        }
        expectValidEverywhere(pk33, text('tampering'), sig);
      }),
      { numRuns: 30 },
    );
    // Σu = 0 is refused explicitly.
    const others = G.mod(online.get(VICTIM)!.u + online.get('p4')!.u);
    expectCryptoError(
      () => combine({ ...honest, u: G.mod(-others) }),
      'NOT_ATTRIBUTABLE',
      [],
      /Σu = 0/,
    );
    // Out-of-range values are typed errors naming the sender.
    expectCryptoError(() => combine({ ...honest, w: ORDER }), 'INVALID_SCALAR', [CHEATER]);
    expectCryptoError(() => combine({ ...honest, u: -1n }), 'INVALID_SCALAR', [CHEATER]);
    // And the honest messages still combine (combination does not consume anything).
    expectValidEverywhere(pk33, text('tampering'), combine(honest));
  });

  it.each([1, 2, 3] as const)(
    'round-%d message with a wrong session id: SESSION_MISMATCH',
    (round) => {
      const wrong = bytesToHex(randomBytes(32));
      const hooks = {
        1: { round1: r1((m) => ({ ...m, sessionId: wrong })) },
        2: { round2: r2((m) => ({ ...m, sessionId: wrong })) },
        3: { round3: r3((m) => ({ ...m, sessionId: wrong })) },
      }[round];
      const stage = (['round2', 'round3', 'combine'] as const)[round - 1]!;
      expectBlame(
        runSigning(shares, SIGNERS, digest, { hooks }),
        stage,
        [VICTIM],
        'SESSION_MISMATCH',
        [CHEATER],
      );
    },
  );

  describe.each([1, 2, 3] as const)('round-%d delivery', (round) => {
    const stage = (['round2', 'round3', 'combine'] as const)[round - 1]!;
    type Any = EcdsaSignRound1Direct | EcdsaSignRound2Direct | EcdsaSignRound3Broadcast;
    const hook = (f: (to: PartyId, inbound: Any[]) => Any[]): Hooks => ({
      [`round${round}`]: f,
    });
    const victimOnly = (f: (inbound: Any[]) => Any[]) =>
      hook((to, inbound) => (to === VICTIM ? f(inbound) : inbound));
    const run = (hooks: Hooks) => runSigning(shares, SIGNERS, digest, { hooks });

    it('missing message: INVALID_MESSAGE naming the missing party', () => {
      const outcome = run(victimOnly((inbound) => inbound.filter((m) => m.sender !== CHEATER)));
      expectBlame(outcome, stage, [VICTIM], 'INVALID_MESSAGE', [CHEATER], /missing/);
    });

    it('duplicate message: INVALID_MESSAGE naming the sender', () => {
      const outcome = run(
        victimOnly((inbound) => [...inbound, inbound.find((m) => m.sender === CHEATER)!]),
      );
      expectBlame(outcome, stage, [VICTIM], 'INVALID_MESSAGE', [CHEATER], /two messages/);
    });

    it('message from a party that is not a signer: INVALID_MESSAGE naming it in the text', () => {
      const outcome = run(
        victimOnly((inbound) => [
          ...inbound,
          { ...inbound.find((m) => m.sender === CHEATER)!, sender: 'p2' },
        ]),
      );
      // Not blamed (it is no co-signer of this session), but named in the error.
      expectBlame(outcome, stage, [VICTIM], 'INVALID_MESSAGE', [], /"p2", not a co-signer/);
    });

    it('a message claiming to be from the recipient itself is refused', () => {
      const outcome = run(
        victimOnly((inbound) =>
          inbound.map((m) => (m.sender === CHEATER ? { ...m, sender: VICTIM } : m)),
        ),
      );
      expectBlame(outcome, stage, [VICTIM], 'INVALID_MESSAGE', []);
    });

    it('message of another round: INVALID_MESSAGE naming the sender', () => {
      const outcome = run(
        victimOnly((inbound) =>
          inbound.map((m) =>
            m.sender === CHEATER ? ({ ...m, round: round === 1 ? 2 : 1 } as Any) : m,
          ),
        ),
      );
      expectBlame(outcome, stage, [VICTIM], 'INVALID_MESSAGE', [CHEATER]);
    });

    if (round !== 3) {
      it('message addressed to another signer: INVALID_MESSAGE naming the sender', () => {
        const outcome = run(
          victimOnly((inbound) =>
            inbound.map((m) => (m.sender === CHEATER ? { ...m, recipient: 'p4' } : m)),
          ),
        );
        expectBlame(outcome, stage, [VICTIM], 'INVALID_MESSAGE', [CHEATER], /addressed/);
      });
    }
  });

  it('round functions validate decoded objects too: identity points, scalars ≥ q, bad lengths', () => {
    const cases: [ReturnType<typeof r2>, CryptoError['code']][] = [
      [r2((m) => ({ ...m, gammaU: G.generator.subtract(G.generator) })), 'INVALID_POINT'],
      [r2((m) => ({ ...m, noncePoint: G.generator.subtract(G.generator) })), 'INVALID_POINT'],
      [r2((m) => ({ ...m, publicShare: undefined as unknown as GroupPoint })), 'INVALID_POINT'],
      [r2((m) => ({ ...m, psi: ORDER })), 'INVALID_SCALAR'],
      [r2((m) => ({ ...m, psi: -1n })), 'INVALID_SCALAR'],
      [r2((m) => ({ ...m, salt: m.salt.subarray(1) })), 'INVALID_MESSAGE'],
      [ot2((m) => ({ ...m, at: m.at.slice(1) })), 'INVALID_MESSAGE'],
      [ot2((m) => ({ ...m, etaHat: ORDER })), 'INVALID_MESSAGE'],
    ];
    for (const [round2, code] of cases) {
      expectBlame(
        runSigning(shares, SIGNERS, digest, { hooks: { round2 } }),
        'round3',
        [VICTIM],
        code,
        [CHEATER],
      );
    }
    const round1 = r1((m) => ({ ...m, commitment: m.commitment.subarray(2) }));
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round1 } }),
      'round2',
      [VICTIM],
      'INVALID_MESSAGE',
      [CHEATER],
    );
    const badOt = ot1((m) => ({ ...m, u: m.u.subarray(1) }));
    expectBlame(
      runSigning(shares, SIGNERS, digest, { hooks: { round1: badOt } }),
      'round2',
      [VICTIM],
      'INVALID_MESSAGE',
      [CHEATER],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The JSON wire forms.

describe('DKLs23 3-of-5: signing messages on the wire', () => {
  const sessionId = randomBytes(32);
  const start = new Map(
    SIGNERS.map((p) => [p, ecdsaSignRound1(shares.get(p)!, SIGNERS, { sessionId })]),
  );
  // One real message of each round from p3 to p1 (rounds 2 and 3 from a completed run).
  const round1 = start.get(CHEATER)!.outbound.find((m) => m.recipient === VICTIM)!;
  let round2: EcdsaSignRound2Direct | undefined;
  let round3: EcdsaSignRound3Broadcast | undefined;
  runSigning(shares, SIGNERS, digest, {
    hooks: {
      round2: (to, inbound) => {
        if (to === VICTIM) round2 = inbound.find((m) => m.sender === CHEATER);
        return inbound;
      },
      round3: (to, inbound) => {
        if (to === VICTIM) round3 = inbound.find((m) => m.sender === CHEATER);
        return inbound;
      },
    },
  });
  const json = (m: EcdsaSignRound1Direct | EcdsaSignRound2Direct | EcdsaSignRound3Broadcast) =>
    JSON.parse(encodeEcdsaSignMessage(m)) as Record<string, unknown>;
  const decode = (value: unknown): unknown => decodeEcdsaSignMessage(JSON.stringify(value));

  /** 33 bytes that are not a point: prefix 02 with an x for which x³ + 7 is not a square. */
  function notOnCurve(): string {
    for (let x = 5n; ; x++) {
      const hex = '02' + x.toString(16).padStart(64, '0');
      try {
        secp256k1.Point.fromHex(hex);
      } catch {
        return hex;
      }
    }
  }

  it('round-trips every message type', () => {
    for (const m of [round1, round2!, round3!]) {
      const encoded = encodeEcdsaSignMessage(m);
      const decoded = decodeEcdsaSignMessage(encoded);
      expect(encodeEcdsaSignMessage(decoded)).toBe(encoded);
      expect(decoded.sender).toBe(CHEATER);
    }
    // Sizes of the wire messages (round 1 and 2 carry the OT extension / RVOLE messages).
    const sizes = [round1, round2!, round3!].map((m) => encodeEcdsaSignMessage(m).length);
    console.info(`DKLs23 signing message JSON sizes (rounds 1, 2, 3): ${sizes.join(', ')} bytes`);
  });

  it('malformed messages are typed errors naming the sender, never a crash', () => {
    const hexQ = ORDER.toString(16).padStart(64, '0');
    const cases: [Record<string, unknown>, CryptoError['code']][] = [
      [{ ...json(round1), commitment: 'zz'.repeat(32) }, 'INVALID_MESSAGE'],
      [{ ...json(round1), commitment: '00'.repeat(31) }, 'INVALID_MESSAGE'],
      [{ ...json(round1), commitment: 7 }, 'INVALID_MESSAGE'],
      [{ ...json(round1), multiplication: '!!not base64!!' }, 'INVALID_MESSAGE'],
      [{ ...json(round1), multiplication: 'AAAA' }, 'INVALID_MESSAGE'],
      [{ ...json(round1), extra: true }, 'INVALID_MESSAGE'],
      [{ ...json(round1), sessionId: '00'.repeat(16) }, 'INVALID_MESSAGE'],
      [{ ...json(round1), protocol: 'frost' }, 'INVALID_MESSAGE'],
      [{ ...json(round1), version: 2 }, 'INVALID_MESSAGE'],
      [{ ...json(round1), round: 4 }, 'INVALID_MESSAGE'],
      [{ ...json(round1), round: '1' }, 'INVALID_MESSAGE'],
      [{ ...json(round1), recipient: null }, 'INVALID_MESSAGE'],
      [{ ...json(round2!), gammaU: notOnCurve() }, 'INVALID_POINT'],
      [{ ...json(round2!), gammaV: '00'.repeat(33) }, 'INVALID_POINT'],
      [{ ...json(round2!), noncePoint: '05' + '11'.repeat(32) }, 'INVALID_POINT'],
      [{ ...json(round2!), publicShare: '04' + '11'.repeat(32) }, 'INVALID_POINT'],
      [{ ...json(round2!), publicShare: 'ab' }, 'INVALID_MESSAGE'],
      [{ ...json(round2!), psi: hexQ }, 'INVALID_MESSAGE'],
      [{ ...json(round2!), psi: 'ff'.repeat(32) }, 'INVALID_MESSAGE'],
      [{ ...json(round2!), psi: '0x01' }, 'INVALID_MESSAGE'],
      [{ ...json(round2!), salt: '00'.repeat(33) }, 'INVALID_MESSAGE'],
      [{ ...json(round2!), unknown: 1 }, 'INVALID_MESSAGE'],
      [{ ...json(round3!), u: hexQ }, 'INVALID_MESSAGE'],
      [{ ...json(round3!), w: 'not hex' }, 'INVALID_MESSAGE'],
      [{ ...json(round3!), recipient: VICTIM }, 'INVALID_MESSAGE'],
    ];
    // A round-2 message whose RVOLE part holds a scalar ≥ q.
    const mult = decodeRvoleSenderMessage(
      Buffer.from(json(round2!).multiplication as string, 'base64'),
      CHEATER,
    );
    const unreduced = encodeRvoleSenderMessage({ ...mult, at: [ORDER, ...mult.at.slice(1)] });
    cases.push([
      { ...json(round2!), multiplication: Buffer.from(unreduced).toString('base64') },
      'INVALID_MESSAGE',
    ]);
    const missing = json(round3!);
    delete missing.w;
    cases.push([missing, 'INVALID_MESSAGE']);
    for (const [value, code] of cases) {
      expectCryptoError(() => decode(value), code, [CHEATER]);
    }
  });

  it('messages without a usable sender are typed errors too', () => {
    for (const raw of ['', 'not json', 'null', '[]', '"x"', '{}', '{"round":1}']) {
      expectCryptoError(() => decodeEcdsaSignMessage(raw), 'INVALID_MESSAGE', []);
    }
    expectCryptoError(() => decode({ ...json(round3!), sender: 3 }), 'INVALID_MESSAGE', []);
  });

  it('random corruption of a wire message never crashes (property)', () => {
    const encoded = [round1, round2!, round3!].map((m) => encodeEcdsaSignMessage(m));
    fc.assert(
      fc.property(
        fc.constantFrom(...encoded),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 3 }),
        (wire, at, junk) => {
          const i = at % wire.length;
          const corrupted = wire.slice(0, i) + junk + wire.slice(i + 1);
          try {
            decodeEcdsaSignMessage(corrupted);
          } catch (e) {
            expect(e).toBeInstanceOf(CryptoError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
