/**
 * Feldman VSS over threshold trees (CRYPTO.md "Threshold trees, precisely"): the commitments
 * of an honest dealing verify, every share matches its verification share, the root commits
 * to the secret, sums of dealings verify against summed commitments (what the DKG relies
 * on), and the checks catch a tampered share and a tampered child constant, naming the
 * dealer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519Group } from '../curves/ed25519.js';
import type { GroupPoint } from '../curves/group.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import { AccessStructure } from './access-structure.js';
import {
  committedPublicKey,
  shareSecret,
  sumTreeCommitments,
  verificationShare,
  verifyShare,
  verifyTreeCommitments,
} from './feldman.js';

const TREE = AccessStructure.parse('3of(2of(ops1,ops2,ops3),1of(api1,2of(x,y,z)),head)');

function caught(fn: () => unknown): CryptoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CryptoError) return e;
    throw e;
  }
  throw new Error('expected a CryptoError');
}

describe.each([secp256k1Group, ed25519Group])('tree Feldman VSS over $name', (group) => {
  it('verifies an honest dealing and commits to the secret at the root', () => {
    const secret = group.randomScalar();
    const { shares, commitments } = shareSecret(group, TREE, secret);
    verifyTreeCommitments(group, TREE, commitments, 'dealer');
    expect(committedPublicKey(commitments).equals(group.baseMul(secret))).toBe(true);
    for (const party of TREE.parties) {
      expect(verifyShare(group, TREE, commitments, party, shares.get(party)!)).toBe(true);
      expect(
        verificationShare(group, TREE, commitments, party).equals(
          group.baseMul(shares.get(party)!),
        ),
      ).toBe(true);
    }
  });

  it('detects any tampered share', () => {
    const { shares, commitments } = shareSecret(group, TREE, group.randomScalar());
    fc.assert(
      fc.property(
        fc.constantFrom(...TREE.parties),
        fc.bigInt(1n, group.order - 1n),
        (party, delta) => {
          const bad = group.mod(shares.get(party)! + delta);
          expect(verifyShare(group, TREE, commitments, party, bad)).toBe(false);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('detects a tampered child constant and blames the dealer', () => {
    const { commitments } = shareSecret(group, TREE, group.randomScalar());
    for (const node of TREE.nodes.filter((n) => n.path.length > 0)) {
      const tampered = new Map(commitments);
      const points = [...commitments.get(node.key)!];
      points[0] = points[0]!.add(group.generator);
      tampered.set(node.key, points);
      const e = caught(() => verifyTreeCommitments(group, TREE, tampered, 'mallory'));
      expect(e.code).toBe('INVALID_COMMITMENT');
      expect(e.culprits).toEqual(['mallory']);
      expect(e.message).toContain(`node "${node.key}" is inconsistent with its parent`);
    }
  });

  it('rejects commitments of the wrong shape', () => {
    const { commitments } = shareSecret(group, TREE, group.randomScalar());
    const missing = new Map(commitments);
    missing.delete('2.2');
    expect(caught(() => verifyTreeCommitments(group, TREE, missing)).code).toBe(
      'INVALID_COMMITMENT',
    );
    const short = new Map<string, readonly GroupPoint[]>(commitments);
    short.set('1', commitments.get('1')!.slice(1));
    expect(caught(() => verifyTreeCommitments(group, TREE, short, 'd')).culprits).toEqual(['d']);
  });

  it('sums of dealings verify against node-wise summed commitments', () => {
    const a = shareSecret(group, TREE, group.randomScalar());
    const b = shareSecret(group, TREE, group.randomScalar());
    const joint = sumTreeCommitments(TREE, [a.commitments, b.commitments]);
    verifyTreeCommitments(group, TREE, joint);
    for (const party of TREE.parties) {
      const s = group.mod(a.shares.get(party)! + b.shares.get(party)!);
      expect(verifyShare(group, TREE, joint, party, s)).toBe(true);
    }
    expect(
      committedPublicKey(joint).equals(
        committedPublicKey(a.commitments).add(committedPublicKey(b.commitments)),
      ),
    ).toBe(true);
  });
});
