/**
 * Test support for the DKG (imported by the `*.test.ts` files beside it, never by protocol
 * code): runs each round for every party with the messages exposed, so a test can tamper
 * with any message between rounds, and builds a malicious dealer's round-1 broadcast (its
 * own polynomials, tampered commitments and a valid proof of knowledge over them).
 */
import { bytesToHex, hexToBytes } from '../bytes.js';
import type { Group } from '../curves/group.js';
import type { AccessStructure, PartyId } from '../sharing/access-structure.js';
import { shareSecret } from '../sharing/feldman.js';
import { dkgFinalize, type DkgFinalizeResult } from './finalize.js';
import type { DkgRound1Broadcast, DkgRound2Broadcast, DkgRound2Direct } from './messages.js';
import { proveConstantTerm } from './proof-of-knowledge.js';
import { dkgContext, dkgHeader, dkgRound1 } from './round1.js';
import { dkgRound2 } from './round2.js';
import type { DkgRound1Secret, DkgRound2Secret } from './state.js';
import { chainCodeCommitment } from './transcript.js';

export const SESSION = '5e55' + 'ab'.repeat(30);

export function round1All(group: Group, structure: AccessStructure, sessionId = SESSION) {
  const states = new Map<PartyId, DkgRound1Secret>();
  const broadcasts: DkgRound1Broadcast[] = [];
  for (const party of structure.parties) {
    const { state, outbound } = dkgRound1({ group, structure, party, sessionId });
    states.set(party, state);
    broadcasts.push(outbound);
  }
  return { states, broadcasts };
}

export function round2All(
  states: ReadonlyMap<PartyId, DkgRound1Secret>,
  broadcasts: readonly DkgRound1Broadcast[],
) {
  const states2 = new Map<PartyId, DkgRound2Secret>();
  const broadcasts2: DkgRound2Broadcast[] = [];
  const direct: DkgRound2Direct[] = [];
  for (const [party, state] of states) {
    const { state: next, outbound } = dkgRound2(state, broadcasts);
    states2.set(party, next);
    broadcasts2.push(outbound.broadcast);
    direct.push(...outbound.direct);
  }
  return { states2, broadcasts2, direct };
}

export function finalizeAll(
  states2: ReadonlyMap<PartyId, DkgRound2Secret>,
  broadcasts2: readonly DkgRound2Broadcast[],
  direct: readonly DkgRound2Direct[],
): Map<PartyId, DkgFinalizeResult> {
  const out = new Map<PartyId, DkgFinalizeResult>();
  for (const [party, state] of states2) {
    out.set(
      party,
      dkgFinalize(state, {
        broadcasts: broadcasts2,
        direct: direct.filter((d) => d.recipient === party),
      }),
    );
  }
  return out;
}

/** The same hex with its last nibble changed (a different but well-formed value). */
export function tweakHex(hex: string): string {
  const last = parseInt(hex.slice(-1), 16);
  return hex.slice(0, -1) + ((last ^ 1) & 0xf).toString(16);
}

/** A different valid point for `group` (encoded as hex). */
export function otherPointHex(group: Group, seed: bigint): string {
  return bytesToHex(group.encodePoint(group.baseMul(seed)));
}

/**
 * A malicious dealer's round-1 broadcast: it deals honestly, lets `tamper` change the encoded
 * commitments, then proves knowledge of a_0 over the tampered commitments, so the proof
 * verifies and only the tree-consistency check can catch it.
 */
export function maliciousRound1(
  group: Group,
  structure: AccessStructure,
  party: PartyId,
  tamper: (commitments: string[][]) => void,
  sessionId = SESSION,
): DkgRound1Broadcast {
  const ctx = dkgContext({ group, structure, party, sessionId });
  const sharing = shareSecret(group, structure, group.randomScalar());
  const hex = structure.nodes.map((n) =>
    sharing.commitments.get(n.key)!.map((p) => bytesToHex(group.encodePoint(p))),
  );
  tamper(hex);
  const bytes = hex.map((node) => node.map((h) => hexToBytes(h)));
  const proof = proveConstantTerm(ctx, party, bytes, sharing.polynomials.get('')![0]!);
  const z = bytesToHex(group.encodeScalar(proof.z));
  return {
    ...dkgHeader(ctx),
    kind: 'round1-broadcast',
    commitments: hex,
    proof: { R: bytesToHex(proof.RBytes), z },
    chainCodeCommitment: bytesToHex(chainCodeCommitment(ctx, party, new Uint8Array(32))),
  };
}
