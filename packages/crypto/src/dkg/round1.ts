/**
 * DKG round 1 (Komlo–Goldberg 2020, FROST, Fig. 1, round 1), for any threshold tree: the
 * party deals a fresh random secret a_0 with `shareSecret` (one polynomial per internal node,
 * CRYPTO.md "Threshold trees, precisely"), proves knowledge of a_0, and commits to a 32-byte
 * chain-code contribution. Its broadcast carries the Feldman commitment of every node
 * polynomial; the shares stay in the returned secret state until round 2.
 *
 * Cost: one constant-time base multiplication per polynomial coefficient (Σ k over internal
 * nodes) plus one for the proof nonce.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex } from '../bytes.js';
import type { Group } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import { groupByName } from '../keys/key-share.js';
import { AccessStructure, type PartyId } from '../sharing/access-structure.js';
import { shareSecret } from '../sharing/feldman.js';
import type { DkgContext, ReceivedRound1 } from './inbound.js';
import {
  SESSION_ID_PATTERN,
  checkDkgMessageKind,
  type DkgHeader,
  type DkgRound1Broadcast,
} from './messages.js';
import { proveConstantTerm } from './proof-of-knowledge.js';
import { DkgRound1Secret } from './state.js';
import { chainCodeCommitment } from './transcript.js';

export interface DkgParams {
  readonly group: Group;
  readonly structure: AccessStructure;
  /** This party. */
  readonly party: PartyId;
  /** Lowercase hex, 16 to 64 bytes, fresh for each run and agreed by all parties. */
  readonly sessionId: string;
}

/** Validates the parameters a party starts a DKG with. */
export function dkgContext(params: DkgParams): DkgContext {
  const { group, structure, party, sessionId } = params;
  if (typeof group !== 'object' || group === null || groupByName(group.name) !== group) {
    throw new CryptoError('INVALID_ARGUMENT', 'group must be secp256k1Group or ed25519Group');
  }
  if (!(structure instanceof AccessStructure)) {
    throw new CryptoError('INVALID_ARGUMENT', 'structure must be an AccessStructure');
  }
  if (typeof party !== 'string' || !structure.hasParty(party)) {
    throw new CryptoError(
      'UNKNOWN_PARTY',
      `"${String(party)}" is not a party of ${structure.text()}`,
    );
  }
  if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)) {
    throw new CryptoError('INVALID_ARGUMENT', 'sessionId must be 16 to 64 bytes of lowercase hex');
  }
  return { group, structure, party, sessionId };
}

export function dkgHeader(ctx: DkgContext): DkgHeader {
  return {
    protocol: 'dkg',
    version: 1,
    group: ctx.group.name,
    sessionId: ctx.sessionId,
    sender: ctx.party,
  };
}

/** Komlo–Goldberg Fig. 1, round 1. Returns the secret state and the broadcast to send. */
export function dkgRound1(params: DkgParams): {
  state: DkgRound1Secret;
  outbound: DkgRound1Broadcast;
} {
  const ctx = dkgContext(params);
  const { group, structure, party } = ctx;
  // Round 1 step 1: a random secret a_0 and, for a tree, one polynomial per internal node
  // whose constant terms chain from the root (the tree form of "sample a polynomial").
  const sharing = shareSecret(group, structure, group.randomScalar());
  // Round 1 step 3: the commitments C_ℓ, one per node, in `structure.nodes` order.
  const commitmentBytes = structure.nodes.map((node) =>
    sharing.commitments.get(node.key)!.map((p) => group.encodePoint(p)),
  );
  // Round 1 step 2: σ = (R, z), a proof of knowledge of a_0.
  const a0 = sharing.polynomials.get('')![0]!;
  const proof = proveConstantTerm(ctx, party, commitmentBytes, a0);
  // Chain code (BIP32, CRYPTO.md "derivation"): commit now, open in round 2, so no party
  // can choose its contribution after seeing the others'.
  const chainCode = randomBytes(32);
  const commitment = chainCodeCommitment(ctx, party, chainCode);
  const outbound: DkgRound1Broadcast = {
    ...dkgHeader(ctx),
    kind: 'round1-broadcast',
    commitments: commitmentBytes.map((node) => node.map((b) => bytesToHex(b))),
    proof: { R: bytesToHex(proof.RBytes), z: bytesToHex(group.encodeScalar(proof.z)) },
    chainCodeCommitment: bytesToHex(commitment),
  };
  // Kept decoded, so round 2 need not decode (and validate) this party's own points again.
  const own: ReceivedRound1 = {
    message: checkDkgMessageKind(outbound, 'round1-broadcast'), // a copy the caller cannot alter
    commitments: sharing.commitments,
    commitmentBytes,
    proofR: proof.R,
    proofRBytes: proof.RBytes,
    proofZ: proof.z,
    chainCodeCommitment: commitment,
  };
  const state = new DkgRound1Secret({ ctx, shares: sharing.shares, chainCode, own });
  return { state, outbound };
}
