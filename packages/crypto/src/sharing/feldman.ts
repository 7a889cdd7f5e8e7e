/**
 * Verifiable sharing over threshold trees (Feldman VSS generalised to trees, CRYPTO.md).
 *
 * A dealer samples one polynomial per internal node, of degree k-1 for a k-of-m node. The
 * root's constant term is the secret; a child node's constant term is its parent's polynomial
 * at the child's index; a leaf's share is its parent's polynomial at the leaf's index. The
 * dealer publishes a Feldman commitment per node polynomial. Anyone checks that each child's
 * constant-term commitment equals its parent's commitment polynomial at the child's index; a
 * party checks its share against its parent's commitment.
 *
 * This module deals a fresh secret; it is the building block of the DKG (each party deals a
 * random secret) and of the trusted-dealer key import. It never reconstructs.
 */
import type { Group, GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { AccessStructure, PartyId } from './access-structure.js';
import {
  commitPolynomial,
  evaluateCommitment,
  evaluatePolynomial,
  randomPolynomial,
} from './polynomial.js';

/** Feldman commitment per internal node, keyed by `TreeNode.key` (root: ""). */
export type TreeCommitments = ReadonlyMap<string, readonly GroupPoint[]>;

export interface TreeSharing {
  /** One share per party (leaf). */
  readonly shares: ReadonlyMap<PartyId, bigint>;
  /** The dealer's polynomial per internal node (secret; the DKG keeps it for proofs). */
  readonly polynomials: ReadonlyMap<string, readonly bigint[]>;
  readonly commitments: TreeCommitments;
}

const parentKey = (path: readonly number[]): string => path.slice(0, -1).join('.');

/** Deals `secret` over the structure (a trusted dealer; see the module comment). */
export function shareSecret(group: Group, structure: AccessStructure, secret: bigint): TreeSharing {
  const polynomials = new Map<string, bigint[]>();
  for (const node of structure.nodes) {
    const constant =
      node.path.length === 0
        ? secret
        : evaluatePolynomial(
            group,
            polynomials.get(parentKey(node.path))!,
            BigInt(node.path[node.path.length - 1]!),
          );
    polynomials.set(node.key, randomPolynomial(group, constant, node.threshold - 1));
  }
  const shares = new Map<PartyId, bigint>();
  for (const party of structure.parties) {
    const path = structure.pathOf(party);
    shares.set(
      party,
      evaluatePolynomial(group, polynomials.get(parentKey(path))!, BigInt(path[path.length - 1]!)),
    );
  }
  const commitments = new Map<string, GroupPoint[]>();
  for (const [key, poly] of polynomials) commitments.set(key, commitPolynomial(group, poly));
  return { shares, polynomials, commitments };
}

/**
 * Checks a commitment set's shape (one commitment of exactly k points per internal node) and
 * that every child's constant term lies on its parent's commitment polynomial.
 * INVALID_COMMITMENT otherwise, blaming `dealer` when given.
 */
export function verifyTreeCommitments(
  group: Group,
  structure: AccessStructure,
  commitments: TreeCommitments,
  dealer?: PartyId,
): void {
  const culprits = dealer === undefined ? [] : [dealer];
  const fail = (message: string): never => {
    throw new CryptoError('INVALID_COMMITMENT', message, culprits);
  };
  if (commitments.size !== structure.nodes.length) fail('wrong number of node commitments');
  for (const node of structure.nodes) {
    const c = commitments.get(node.key);
    if (!c || c.length !== node.threshold) {
      fail(`node "${node.key}" needs a commitment of ${node.threshold} points`);
    }
    if (node.path.length > 0) {
      const parent = commitments.get(parentKey(node.path))!;
      const expected = evaluateCommitment(group, parent, BigInt(node.path[node.path.length - 1]!));
      if (!expected.equals(c![0]!)) fail(`node "${node.key}" is inconsistent with its parent`);
    }
  }
}

/** The public verification share S_i = s_i·G implied by the commitments. */
export function verificationShare(
  group: Group,
  structure: AccessStructure,
  commitments: TreeCommitments,
  party: PartyId,
): GroupPoint {
  const path = structure.pathOf(party);
  const parent = commitments.get(parentKey(path));
  if (!parent) throw new CryptoError('INVALID_COMMITMENT', `no commitment for "${party}"`);
  return evaluateCommitment(group, parent, BigInt(path[path.length - 1]!));
}

/** True when `share` matches the party's verification share (constant-time base mult). */
export function verifyShare(
  group: Group,
  structure: AccessStructure,
  commitments: TreeCommitments,
  party: PartyId,
  share: bigint,
): boolean {
  return group.baseMul(share).equals(verificationShare(group, structure, commitments, party));
}

/** The group public key committed to: the root's constant-term commitment. */
export function committedPublicKey(commitments: TreeCommitments): GroupPoint {
  const root = commitments.get('');
  if (!root?.[0]) throw new CryptoError('INVALID_COMMITMENT', 'no root commitment');
  return root[0];
}

/** Node-wise sum of several dealers' commitments (the DKG's joint commitment). */
export function sumTreeCommitments(
  structure: AccessStructure,
  all: readonly TreeCommitments[],
): Map<string, GroupPoint[]> {
  const out = new Map<string, GroupPoint[]>();
  for (const node of structure.nodes) {
    const sums: GroupPoint[] = [];
    for (let i = 0; i < node.threshold; i++) {
      let acc: GroupPoint | undefined;
      for (const c of all) {
        const p = c.get(node.key)?.[i];
        if (!p) throw new CryptoError('INVALID_COMMITMENT', `missing commitment "${node.key}"`);
        acc = acc ? acc.add(p) : p;
      }
      if (!acc) throw new CryptoError('INVALID_ARGUMENT', 'no commitments to sum');
      sums.push(acc);
    }
    out.set(node.key, sums);
  }
  return out;
}
