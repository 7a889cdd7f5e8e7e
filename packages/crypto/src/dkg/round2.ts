/**
 * DKG round 2 (Komlo–Goldberg 2020, FROST, Fig. 1: round 1 step 5 and round 2 step 1),
 * consuming the round-1 secret state. On receiving every other party's round-1 broadcast the
 * party verifies each proof of knowledge and each dealer's tree commitments
 * (`verifyTreeCommitments`: every child's constant term lies on its parent's commitment
 * polynomial), then sends each party its share privately and broadcasts an echo of every
 * round-1 broadcast (a hash per dealer, compared in finalisation to detect equivocation)
 * together with the opening of its chain-code commitment.
 *
 * Cost per other dealer: two variable-time multiplications for the proof, plus evaluations
 * of commitment polynomials at small public indices for a tree.
 */
import { bytesToHex } from '../bytes.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import { verifyTreeCommitments } from '../sharing/feldman.js';
import { fromEveryOtherParty, readRound1, scalarHex, type ReceivedRound1 } from './inbound.js';
import type { DkgRound1Broadcast, DkgRound2Broadcast, DkgRound2Direct } from './messages.js';
import { verifyConstantTermProof } from './proof-of-knowledge.js';
import { dkgHeader } from './round1.js';
import { DkgRound2Secret, type DkgRound1Secret } from './state.js';
import { echoHash } from './transcript.js';

export interface DkgRound2Outbound {
  /** To every party (including the senders of the round-1 broadcasts). */
  readonly broadcast: DkgRound2Broadcast;
  /** One per other party; the transport encrypts each to its recipient. */
  readonly direct: readonly DkgRound2Direct[];
}

/**
 * `inbound`: the round-1 broadcast of every other party (this party's own may be included;
 * it is ignored). Throws INVALID_PROOF or INVALID_COMMITMENT naming the first faulty dealer
 * in canonical order, SESSION_MISMATCH / INVALID_MESSAGE / INVALID_POINT naming the sender
 * of a malformed message. The state is consumed even when this throws (fail closed).
 */
export function dkgRound2(
  state: DkgRound1Secret,
  inbound: readonly DkgRound1Broadcast[],
): { state: DkgRound2Secret; outbound: DkgRound2Outbound } {
  const { ctx, shares, chainCode, own } = state.take();
  const { group, structure, party } = ctx;
  const others = fromEveryOtherParty(ctx, inbound, readRound1, 'round-1 broadcast');
  // Round 1 step 5: verify every other dealer's proof of knowledge of its a_0, and (tree
  // extension) that its node commitments are mutually consistent.
  // Deviation from Komlo–Goldberg Fig. 1: a failed check aborts the run naming the dealer
  // instead of disqualifying it and continuing; the node layer restarts with a fresh session
  // id without the culprit, so every completed run has one uniform set of dealers.
  for (const dealer of structure.parties) {
    const received = others.get(dealer);
    if (!received) continue;
    if (!verifyConstantTermProof(ctx, received)) {
      throw new CryptoError(
        'INVALID_PROOF',
        `proof of knowledge of the constant term from ${dealer} does not verify`,
        [dealer],
      );
    }
    verifyTreeCommitments(group, structure, received.commitments, dealer);
  }
  const round1 = new Map<PartyId, ReceivedRound1>(others);
  round1.set(party, own);
  const echoes = structure.parties.map((p) => echoHash(ctx, round1.get(p)!.message));
  // Round 2 step 1: send (ℓ, f_i(ℓ)) to every other party ℓ — here the party's leaf value of
  // the dealer's tree sharing.
  const direct: DkgRound2Direct[] = structure.parties
    .filter((p) => p !== party)
    .map((recipient) => ({
      ...dkgHeader(ctx),
      kind: 'round2-direct',
      recipient,
      share: scalarHex(ctx, shares.get(recipient)!),
    }));
  const outBroadcast: DkgRound2Broadcast = {
    ...dkgHeader(ctx),
    kind: 'round2-broadcast',
    echoes: echoes.map((e) => bytesToHex(e)),
    chainCode: bytesToHex(chainCode),
  };
  const next = new DkgRound2Secret({
    ctx,
    ownShare: shares.get(party)!,
    chainCode,
    round1,
    echoes,
  });
  return { state: next, outbound: { broadcast: outBroadcast, direct } };
}
