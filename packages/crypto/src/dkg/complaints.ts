/**
 * Resolving a DKG complaint (Komlo–Goldberg 2020, FROST, Fig. 1, round 2 step 2: "if the
 * check fails, P_i complains"; the complaint phase of Pedersen's DKG as described by
 * Gennaro, Jarecki, Krawczyk and Rabin, J. Cryptology 2007). A complaint reveals the share the accused dealer sent to the accuser.
 * Anyone holding the public round-1 broadcasts decides: if the revealed share fails the
 * check against the dealer's commitments, the dealer cheated; if it passes, the accuser made
 * a false accusation.
 *
 * Deviation from Gennaro et al.: the accused does not answer by broadcasting the share
 * itself. Attribution instead rests on the node layer, which signs every direct message:
 * the accuser must attach the dealer's signed round-2 direct message, and the node layer
 * checks that the signed share equals `complaint.share` before calling this function.
 * Without that signature check a complaint cannot distinguish a lying accuser from a
 * cheating dealer who sent a different share.
 */
import type { Group } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { AccessStructure, PartyId } from '../sharing/access-structure.js';
import { verifyShare } from '../sharing/feldman.js';
import { readComplaint, readRound1, type DkgContext } from './inbound.js';
import type { DkgComplaint, DkgRound1Broadcast } from './messages.js';
import { dkgContext } from './round1.js';

/** Everything public that a complaint is judged against. */
export interface DkgPublicData {
  readonly group: Group;
  readonly structure: AccessStructure;
  readonly sessionId: string;
  /** The round-1 broadcasts (all parties agreed on them through the echo check). */
  readonly round1: readonly DkgRound1Broadcast[];
}

export interface ComplaintVerdict {
  readonly culprit: PartyId;
  readonly reason: 'INVALID_SHARE' | 'FALSE_COMPLAINT';
}

/** Decides who is at fault for `complaint` (see the module comment). */
export function resolveComplaint(
  publicData: DkgPublicData,
  complaint: DkgComplaint,
): ComplaintVerdict {
  const { group, structure, sessionId } = publicData;
  const judge: DkgContext = dkgContext({
    group,
    structure,
    sessionId,
    party: structure.parties[0]!,
  });
  const { message, share } = readComplaint(judge, complaint);
  const accuser = message.sender;
  const dealer = message.accused;
  const matching = (Array.isArray(publicData.round1) ? publicData.round1 : []).filter(
    (m) => typeof m === 'object' && m !== null && (m as { sender?: unknown }).sender === dealer,
  );
  if (matching.length !== 1) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `public data must hold exactly one round-1 broadcast from ${dealer}`,
    );
  }
  const round1 = readRound1(judge, matching[0]);
  const valid = verifyShare(group, structure, round1.commitments, accuser, share);
  return valid
    ? { culprit: accuser, reason: 'FALSE_COMPLAINT' }
    : { culprit: dealer, reason: 'INVALID_SHARE' };
}
