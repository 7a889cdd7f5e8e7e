/**
 * Every hash of the distributed key generation, each under its own domain tag and bound to
 * the group, the session id and the access-structure hash (CRYPTO.md invariant 3). Built on
 * `transcriptHash` (length-prefixed SHA-256), so no two distinct inputs collide by framing.
 * The challenge of the proof of knowledge follows Komlo–Goldberg 2020 (FROST), Fig. 1,
 * round 1 step 2: c_i = H(i, Φ, g^{a_i0}, R_i), with Φ = (group, session, structure).
 */
import { concatBytes, hexToBytes, transcriptHash, type TranscriptPart } from '../bytes.js';
import type { Group } from '../curves/group.js';
import type { AccessStructure, PartyId } from '../sharing/access-structure.js';
import { encodeDkgMessage, type DkgRound1Broadcast } from './messages.js';

const TAG = 'coffer/dkg/v1';

/** The session context Φ every DKG hash is bound to. */
export interface DkgSessionContext {
  readonly group: Group;
  readonly structure: AccessStructure;
  readonly sessionId: string;
}

function contextParts(ctx: DkgSessionContext): TranscriptPart[] {
  return [ctx.group.name, hexToBytes(ctx.sessionId, 'sessionId'), ctx.structure.hash()];
}

/**
 * Hash to a scalar without modular bias: a 32-byte transcript digest expanded to 64 bytes
 * (two further domain-separated hashes) and reduced mod q.
 */
function hashToScalar(group: Group, tag: string, parts: readonly TranscriptPart[]): bigint {
  const digest = transcriptHash(tag, ...parts);
  const wide = concatBytes(
    transcriptHash(`${tag}/expand`, digest, 0),
    transcriptHash(`${tag}/expand`, digest, 1),
  );
  return group.scalarFromWide(wide);
}

/**
 * Komlo–Goldberg Fig. 1, round 1 step 2: the Schnorr challenge c = H(dealer, Φ, commitments,
 * R). Deviation from Komlo–Goldberg: we bind every node commitment of the dealer's tree, not
 * only g^{a_i0}, so the proof also fixes the rest of the broadcast it came with.
 */
export function proofChallenge(
  ctx: DkgSessionContext,
  dealer: PartyId,
  commitments: readonly (readonly Uint8Array[])[],
  nonceCommitment: Uint8Array,
): bigint {
  const parts: TranscriptPart[] = [...contextParts(ctx), dealer, commitments.length];
  for (const node of commitments) parts.push(node.length, ...node);
  parts.push(nonceCommitment);
  return hashToScalar(ctx.group, `${TAG}/pok-challenge`, parts);
}

/** Hash commitment to a dealer's 32-byte chain-code contribution (round 1). */
export function chainCodeCommitment(
  ctx: DkgSessionContext,
  dealer: PartyId,
  contribution: Uint8Array,
): Uint8Array {
  return transcriptHash(`${TAG}/chain-code-commitment`, ...contextParts(ctx), dealer, contribution);
}

/** The joint chain code: a hash of every contribution in canonical party order. */
export function jointChainCode(
  ctx: DkgSessionContext,
  contributions: readonly Uint8Array[],
): Uint8Array {
  return transcriptHash(`${TAG}/chain-code`, ...contextParts(ctx), ...contributions);
}

/** The echo of a round-1 broadcast: a hash of its canonical encoding as received. */
export function echoHash(ctx: DkgSessionContext, broadcast: DkgRound1Broadcast): Uint8Array {
  return transcriptHash(`${TAG}/echo`, ...contextParts(ctx), encodeDkgMessage(broadcast));
}

/**
 * The transcript hash every honest party computes alike: the context, the echo of every
 * dealer's round-1 broadcast (canonical party order), the group key and the chain code.
 */
export function dkgTranscriptHash(
  ctx: DkgSessionContext,
  echoes: readonly Uint8Array[],
  publicKey: Uint8Array,
  chainCode: Uint8Array,
): Uint8Array {
  return transcriptHash(`${TAG}/transcript`, ...contextParts(ctx), ...echoes, publicKey, chainCode);
}
