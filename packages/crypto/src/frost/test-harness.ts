/**
 * Test harness for FROST (RFC 9591 §5): deals key shares over any access structure with the
 * tree Feldman dealer (sharing/feldman.ts) and runs the distributed protocol — every message
 * through its JSON form — for a signer set. Used only by tests; not exported.
 */
import { bytesToHex } from '../bytes.js';
import type { Group } from '../curves/group.js';
import type { KeyShare } from '../keys/key-share.js';
import type { AccessStructure, PartyId } from '../sharing/access-structure.js';
import { committedPublicKey, shareSecret, verificationShare } from '../sharing/feldman.js';
import { aggregate } from './aggregate.js';
import {
  decodeFrostMessage,
  encodeFrostMessage,
  type SignRound1Broadcast,
  type SignRound2Broadcast,
} from './messages.js';
import { commit, type FrostSession } from './round1.js';
import { signShare } from './round2.js';
import type { FrostSignOptions, FrostSuiteName } from './suite.js';

/** Fresh key shares for every party of `structure`, dealt by `shareSecret`. */
export function dealKeyShares(group: Group, structure: AccessStructure): Map<PartyId, KeyShare> {
  const { shares, commitments } = shareSecret(group, structure, group.randomScalar());
  const publicKey = committedPublicKey(commitments);
  const verificationShares = new Map(
    structure.parties.map((p) => [p, verificationShare(group, structure, commitments, p)]),
  );
  return new Map(
    structure.parties.map((party) => [
      party,
      { group, structure, party, secretShare: shares.get(party)!, publicKey, verificationShares },
    ]),
  );
}

let counter = 0;
export function newSession(suite: FrostSuiteName): FrostSession {
  counter++;
  return { suite, sessionId: bytesToHex(new Uint8Array(16).fill(counter % 256)) };
}

const wire = <T extends SignRound1Broadcast | SignRound2Broadcast>(m: T): T =>
  decodeFrostMessage(encodeFrostMessage(m)) as T;

export interface Transcript {
  readonly session: FrostSession;
  readonly round1: SignRound1Broadcast[];
  readonly round2: SignRound2Broadcast[];
}

/**
 * Runs rounds 1 and 2 for `signers`; `tamper` may rewrite the round-1 list each signer sees
 * or the round-2 list the aggregator sees. Returns the signature and the transcript.
 */
export function runDistributed(
  keys: ReadonlyMap<PartyId, KeyShare>,
  signers: readonly PartyId[],
  suite: FrostSuiteName,
  message: Uint8Array,
  options: FrostSignOptions = {},
  tamper: {
    round1?: (msgs: SignRound1Broadcast[]) => SignRound1Broadcast[];
    round2?: (msgs: SignRound2Broadcast[]) => SignRound2Broadcast[];
  } = {},
): { signature: Uint8Array; transcript: Transcript } {
  const session = newSession(suite);
  const started = signers.map((p) => ({ party: p, ...commit(keys.get(p)!, session) }));
  const round1 = started.map((s) => wire(s.outbound));
  const seen = tamper.round1 ? tamper.round1(round1) : round1;
  const round2 = started.map((s) =>
    wire(signShare(s.state, keys.get(s.party)!, seen, message, options).outbound),
  );
  const shares = tamper.round2 ? tamper.round2(round2) : round2;
  const key = keys.get(signers[0]!)!;
  const signature = aggregate(key, session, seen, shares, message, options);
  return { signature, transcript: { session, round1: seen, round2: shares } };
}
