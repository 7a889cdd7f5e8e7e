/**
 * DKG finalisation (Komlo–Goldberg 2020, FROST, Fig. 1, round 2 steps 2–4), consuming the
 * round-2 secret state. In order:
 *  1. echoes: every party's hash of every round-1 broadcast must equal ours; a dealer whose
 *     broadcast hashes differ between receivers equivocated (INCONSISTENT_BROADCAST);
 *  2. chain-code openings must match their round-1 commitments (INVALID_COMMITMENT);
 *  3. the received shares must match the dealers' commitments; a bad share yields a public
 *     complaint instead of a key (see `complaints.ts`);
 *  4. output: s_i = Σ_ℓ f_ℓ(i), the joint commitments (node-wise sums), the group key (sum of
 *     the constant-term commitments), every party's verification share, the joint chain code
 *     and the transcript hash — identical for every honest party.
 */
import { equalBytes } from '../bytes.js';
import type { GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { KeyShare } from '../keys/key-share.js';
import type { PartyId } from '../sharing/access-structure.js';
import {
  committedPublicKey,
  sumTreeCommitments,
  verificationShare,
  verifyShare,
} from '../sharing/feldman.js';
import {
  fromEveryOtherParty,
  readRound2Broadcast,
  readRound2Direct,
  scalarHex,
} from './inbound.js';
import type { DkgComplaint, DkgRound2Broadcast, DkgRound2Direct } from './messages.js';
import { dkgHeader } from './round1.js';
import type { DkgRound2Secret } from './state.js';
import { chainCodeCommitment, dkgTranscriptHash, jointChainCode } from './transcript.js';
import type { DkgPublicData } from './complaints.js';

export interface DkgRound2Inbound {
  /** Every other party's round-2 broadcast (this party's own may be included; ignored). */
  readonly broadcasts: readonly DkgRound2Broadcast[];
  /** Every other party's direct message to this party. */
  readonly direct: readonly DkgRound2Direct[];
}

export interface DkgOutput {
  readonly keyShare: KeyShare;
  /** The BIP32 chain code agreed by all parties (32 bytes). */
  readonly chainCode: Uint8Array;
  /** Hash of the whole public transcript; equal for every honest party. */
  readonly transcriptHash: Uint8Array;
}

export type DkgFinalizeResult =
  | { readonly kind: 'key'; readonly output: DkgOutput }
  | {
      readonly kind: 'complaints';
      /** Broadcast these; anyone resolves them with `resolveComplaint(publicData, c)`. */
      readonly outbound: readonly DkgComplaint[];
      readonly publicData: DkgPublicData;
    };

export function dkgFinalize(state: DkgRound2Secret, inbound: DkgRound2Inbound): DkgFinalizeResult {
  const { ctx, ownShare, chainCode, round1, echoes } = state.take();
  const { group, structure, party } = ctx;
  if (typeof inbound !== 'object' || inbound === null) {
    throw new CryptoError('INVALID_ARGUMENT', 'inbound must be { broadcasts, direct }');
  }
  const broadcasts = fromEveryOtherParty(
    ctx,
    inbound.broadcasts,
    readRound2Broadcast,
    'round-2 broadcast',
  );
  // 1. Echo check (Deviation from Komlo–Goldberg Fig. 1, which assumes a reliable broadcast
  // channel: we build it from point-to-point links by comparing hashes of what each party
  // received, after Goldwasser–Lindell's "broadcast with abort").
  const equivocators = structure.parties.filter((_, i) =>
    [...broadcasts.values()].some((b) => !equalBytes(b.echoes[i]!, echoes[i]!)),
  );
  if (equivocators.length > 0) {
    throw new CryptoError(
      'INCONSISTENT_BROADCAST',
      `parties received different round-1 broadcasts from ${equivocators.join(', ')}`,
      equivocators,
    );
  }
  // 2. Chain-code openings against the round-1 hash commitments.
  const contributions = structure.parties.map((p) => {
    if (p === party) return chainCode;
    const opening = broadcasts.get(p)!.chainCode;
    if (!equalBytes(chainCodeCommitment(ctx, p, opening), round1.get(p)!.chainCodeCommitment)) {
      throw new CryptoError(
        'INVALID_COMMITMENT',
        `chain-code opening from ${p} does not match its round-1 commitment`,
        [p],
      );
    }
    return opening;
  });
  const direct = fromEveryOtherParty(ctx, inbound.direct, readRound2Direct, 'round-2 direct');
  const shares = new Map<PartyId, bigint>([[party, ownShare]]);
  for (const [dealer, d] of direct) shares.set(dealer, d.share);
  // Round 2 step 3: s_i = Σ_ℓ f_ℓ(i); joint commitments are the node-wise sums.
  let secretShare = 0n;
  for (const s of shares.values()) secretShare = group.mod(secretShare + s);
  const joint = sumTreeCommitments(
    structure,
    structure.parties.map((p) => round1.get(p)!.commitments),
  );
  const verificationShares = new Map<PartyId, GroupPoint>();
  for (const p of structure.parties) {
    verificationShares.set(p, verificationShare(group, structure, joint, p));
  }
  // 3. Round 2 step 2, batched. Deviation from Komlo–Goldberg Fig. 1, which checks every
  // share: we check the sum against the joint commitment with one constant-time base
  // multiplication and look at individual shares only when the sum fails. Errors that cancel
  // in the sum leave a share that matches the joint commitment, which is all the key needs.
  if (!group.baseMul(secretShare).equals(verificationShares.get(party)!)) {
    const accused = structure.parties.filter(
      (d) =>
        d !== party &&
        !verifyShare(group, structure, round1.get(d)!.commitments, party, shares.get(d)!),
    );
    if (accused.length === 0) {
      throw new CryptoError('INVALID_SHARE', 'own dealt share does not match own commitments');
    }
    return {
      kind: 'complaints',
      outbound: accused.map((dealer) => ({
        ...dkgHeader(ctx),
        kind: 'complaint',
        accused: dealer,
        share: scalarHex(ctx, shares.get(dealer)!),
      })),
      publicData: {
        group,
        structure,
        sessionId: ctx.sessionId,
        round1: structure.parties.map((p) => round1.get(p)!.message),
      },
    };
  }
  // Round 2 step 4: the group public key Y = Σ_ℓ A_ℓ0.
  const publicKey = committedPublicKey(joint);
  if (publicKey.is0()) throw new CryptoError('INVALID_COMMITMENT', 'the group key is the identity');
  const jointCode = jointChainCode(ctx, contributions);
  return {
    kind: 'key',
    output: {
      keyShare: { group, structure, party, secretShare, publicKey, verificationShares },
      chainCode: jointCode,
      transcriptHash: dkgTranscriptHash(ctx, echoes, group.encodePoint(publicKey), jointCode),
    },
  };
}
