/**
 * DKLs23 threshold ECDSA over a threshold tree (λ from the recursive-Shamir sharing layer),
 * one keygen for the file: every minimal authorised set signs and verifies with independent
 * verifiers (also with a tweak); unauthorised sets are refused naming the structure,
 * redundant ones with the minimal set to use; blame works inside the tree.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  acceptedAnywhere,
  expectBlame,
  expectCryptoError,
  expectValidEverywhere,
  runSigning,
  signatureOf,
} from '../../../test/ecdsa/harness.js';
import { secp256k1Group as G } from '../../curves/secp256k1.js';
import { setCryptoProvider } from '../../provider/crypto-provider.js';
import { nodeCryptoProvider } from '../../provider/node-provider.js';
import { AccessStructure, type PartyId } from '../../sharing/access-structure.js';
import { dkls23KeygenLocally, signEcdsaLocally } from './local.js';
import { ecdsaSignRound1 } from './sign.js';

setCryptoProvider(nodeCryptoProvider);

const TREE = '3of(2of(ops1,ops2,ops3),1of(api1,api2),head)';
const structure = AccessStructure.parse(TREE);
const shares = dkls23KeygenLocally(structure);
const pk33 = G.encodePoint(shares.get('head')!.key.publicKey);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const OPS_PAIRS = [
  ['ops1', 'ops2'],
  ['ops1', 'ops3'],
  ['ops2', 'ops3'],
];
const MINIMAL = OPS_PAIRS.flatMap((ops) => ['api1', 'api2'].map((api) => [...ops, api, 'head']));

describe(`DKLs23 over the tree ${TREE}`, () => {
  it('has six minimal authorised sets, and the structure agrees they are authorised', () => {
    expect(MINIMAL).toHaveLength(6);
    for (const set of MINIMAL) expect(structure.select(set)).toEqual(set);
  });

  it.each(MINIMAL)('{%s, %s, %s, %s} signs', (...signers) => {
    const message = text(`tree: ${signers.join('+')}`);
    const outcome = runSigning(shares, signers, sha256(message), {
      wire: signers.includes('api2'),
    });
    expectValidEverywhere(pk33, message, signatureOf(outcome));
  });

  it('signs with a tweak under PK + τ·G only', () => {
    const tweak = G.randomScalar();
    const child = secp256k1.Point.fromBytes(pk33).add(secp256k1.Point.BASE.multiply(tweak));
    const message = text('tree, tweaked');
    const sig = signEcdsaLocally(shares, ['ops3', 'ops2', 'head', 'api2'], sha256(message), {
      tweak,
    });
    expectValidEverywhere(child.toBytes(true), message, sig);
    expect(acceptedAnywhere(pk33, message, sig)).toBe(false);
  });

  const round1 = (self: PartyId, signers: PartyId[]) =>
    ecdsaSignRound1(shares.get(self)!, signers, { sessionId: randomBytes(32) });

  it.each([
    [['ops1', 'ops2', 'head']], // no api member
    [['ops1', 'api1', 'api2', 'head']], // one ops member
    [['ops1', 'ops2', 'ops3', 'api1', 'api2']], // no head
    [['head']],
  ])('refuses the unauthorised set %j with UNAUTHORIZED_SET naming the structure', (signers) => {
    const e = expectCryptoError(
      () => round1(signers[0]!, signers),
      'UNAUTHORIZED_SET',
      [],
      /2of\(ops1,ops2,ops3\)/,
    );
    expect(e.message).toContain(structure.text());
    expectCryptoError(
      () => signEcdsaLocally(shares, signers, new Uint8Array(32)),
      'UNAUTHORIZED_SET',
    );
  });

  it('refuses redundant sets, naming the minimal set the structure would choose', () => {
    expectCryptoError(
      () => round1('ops3', ['ops3', 'ops1', 'ops2', 'api1', 'head']),
      'INVALID_ARGUMENT',
      [],
      /not minimal.*\{ops1, ops2, api1, head\}/,
    );
    expectCryptoError(
      () => round1('head', ['ops1', 'ops2', 'api1', 'api2', 'head']),
      'INVALID_ARGUMENT',
      [],
      /\{ops1, ops2, api1, head\}/,
    );
    expectCryptoError(() => round1('head', ['ops1', 'api1', 'root']), 'UNKNOWN_PARTY', [], /root/);
  });

  it('names the sender of a tampered message inside the tree', () => {
    const signers = ['ops2', 'ops3', 'api1', 'head'];
    const outcome = runSigning(shares, signers, sha256(text('tree blame')), {
      hooks: {
        round2: (to, inbound) =>
          to === 'head'
            ? inbound.map((m) =>
                m.sender === 'api1' ? { ...m, gammaV: m.gammaV.add(G.generator) } : m,
              )
            : inbound,
      },
    });
    expectBlame(outcome, 'round3', ['head'], 'CONSISTENCY_CHECK_FAILED', ['api1']);
  });
});
