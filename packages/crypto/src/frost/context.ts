/**
 * The signing package every signer and the aggregator derive identically from the round-1
 * commitments and the message: the encoded commitment list (RFC 9591 §4.3), binding factors
 * (§4.4), group commitment (§4.5, one multi-scalar multiplication), challenge (§4.6), the
 * per-signer commitment shares R_i = D_i + ρ_i·E_i used by share verification (§5.4, computed
 * on demand), λ per signer (§4.2, generalised to any access structure) and the suite's key
 * transform and nonce sign (BIP340).
 *
 * Transcripts use `structure.participantId(party)` as the RFC identifier; λ comes from
 * `structure.coefficients(group, signers)`. For plain t-of-n the identifier is also the Shamir
 * evaluation point, so λ equals RFC 9591's derive_interpolating_value.
 */
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from '../bytes.js';
import type { Group, GroupPoint } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import { assertSameSession, type SignRound1Broadcast } from './messages.js';
import { msmPublic } from './msm.js';
import type { SignRound1Secret } from './state.js';
import type { FrostSignOptions, FrostSuite, KeyTransform } from './suite.js';

/** What FROST needs of an access structure (AccessStructure satisfies it). */
export interface FrostSignerStructure {
  /** Global 1-based RFC 9591 identifier of the party; UNKNOWN_PARTY for a stranger. */
  participantId(party: PartyId): number;
  /** λ per signer with Σλ_i·s_i = secret; UNAUTHORIZED_SET for an unauthorised set. */
  coefficients(group: Group, set: Iterable<PartyId>): Map<PartyId, bigint>;
}

/** The public key material FROST verifies against (PublicKeyPackage satisfies it). */
export interface FrostPublicKey {
  readonly group: Group;
  readonly structure: FrostSignerStructure;
  readonly publicKey: GroupPoint;
  readonly verificationShares: ReadonlyMap<PartyId, GroupPoint>;
}

/** A signer's key (KeyShare satisfies it). */
export interface FrostKeyShare extends FrostPublicKey {
  readonly party: PartyId;
  /** s_i: secret. */
  readonly secretShare: bigint;
}

/** One signer's validated round-1 commitment. */
export interface CommitmentEntry {
  readonly party: PartyId;
  readonly id: number;
  readonly hiding: GroupPoint;
  readonly binding: GroupPoint;
  readonly hidingBytes: Uint8Array;
  readonly bindingBytes: Uint8Array;
}

export interface SigningContext {
  readonly suite: FrostSuite;
  /** Signers sorted by identifier (RFC 9591 §4.3). */
  readonly entries: readonly CommitmentEntry[];
  readonly lambda: ReadonlyMap<PartyId, bigint>;
  readonly bindingFactors: ReadonlyMap<PartyId, bigint>;
  /** R_i = D_i + ρ_i·E_i, before any BIP340 negation (computed on first use, then cached). */
  commitmentShare(party: PartyId): GroupPoint;
  /** The group commitment as signed: R, or −R when `negateNonces`. */
  readonly groupCommitment: GroupPoint;
  readonly negateNonces: boolean;
  readonly challenge: bigint;
  readonly transform: KeyTransform;
}

export function assertSuiteMatchesKey(suite: FrostSuite, key: FrostPublicKey): void {
  if (suite.group.name !== key.group.name) {
    throw new CryptoError('INVALID_ARGUMENT', `${suite.name} needs a ${suite.group.name} key`);
  }
}

/**
 * Validates round-1 broadcasts (session, sender known and unique, points valid and not the
 * identity) and returns them sorted by identifier. Every failure names the sender.
 *
 * `own` is the calling signer's round-1 state: when the entry listed for it is byte-identical
 * to the commitment in that state, the points it computed itself are used instead of decoding
 * and subgroup-checking its own bytes again. Any other entry for it is decoded like every
 * other one (and then refused by round 2 as not ours).
 */
export function decodeCommitments(
  suite: FrostSuite,
  key: FrostPublicKey,
  sessionId: string,
  inbound: readonly SignRound1Broadcast[],
  own?: Pick<SignRound1Secret, 'party' | 'hiding' | 'binding' | 'points'>,
): CommitmentEntry[] {
  const seen = new Set<PartyId>();
  const entries = inbound.map((msg) => {
    assertSameSession(msg, suite.name, sessionId);
    const sender = msg.sender;
    const blame = (code: CryptoError['code'], why: string): never => {
      throw new CryptoError(code, `round-1 commitment from ${sender}: ${why}`, [sender]);
    };
    if (msg.round !== 1) blame('INVALID_MESSAGE', 'not a round-1 message');
    if (seen.has(sender)) blame('INVALID_MESSAGE', 'sent twice');
    seen.add(sender);
    let id = 0;
    try {
      id = key.structure.participantId(sender);
    } catch {
      blame('UNKNOWN_PARTY', 'sender is not a party of the access structure');
    }
    const bytesOf = (hex: unknown): Uint8Array => {
      try {
        return hexToBytes(hex as string, 'commitment');
      } catch {
        return blame('INVALID_POINT', 'invalid or identity nonce commitment');
      }
    };
    const point = (bytes: Uint8Array): GroupPoint => {
      try {
        return suite.group.decodePoint(bytes);
      } catch {
        return blame('INVALID_POINT', 'invalid or identity nonce commitment');
      }
    };
    const hidingBytes = bytesOf(msg.hiding);
    const bindingBytes = bytesOf(msg.binding);
    if (
      own?.points &&
      sender === own.party &&
      equalBytes(hidingBytes, own.hiding) &&
      equalBytes(bindingBytes, own.binding)
    ) {
      const { hiding, binding } = own.points;
      return { party: sender, id, hiding, binding, hidingBytes, bindingBytes };
    }
    const hiding = point(hidingBytes);
    const binding = point(bindingBytes);
    return { party: sender, id, hiding, binding, hidingBytes, bindingBytes };
  });
  return entries.sort((a, b) => a.id - b.id);
}

/** RFC 9591 §4.3 encode_group_commitment_list over entries sorted by identifier. */
export function encodeCommitmentList(
  group: Group,
  entries: readonly CommitmentEntry[],
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(group.encodeScalar(BigInt(e.id)), e.hidingBytes, e.bindingBytes);
  }
  return concatBytes(...parts);
}

/**
 * RFC 9591 §4.4 compute_binding_factors: rho_input_prefix = SerializeElement(PK) ||
 * H4(msg) || H5(encode_group_commitment_list); each rho_input appends SerializeScalar(id).
 */
export function bindingFactorPrefix(
  suite: FrostSuite,
  groupKey: Uint8Array,
  entries: readonly CommitmentEntry[],
  message: Uint8Array,
): Uint8Array {
  return concatBytes(
    groupKey,
    suite.H4(message),
    suite.H5(encodeCommitmentList(suite.group, entries)),
  );
}

/**
 * Derives the signing package for `entries` (sorted, validated) and `message`. Throws
 * UNAUTHORIZED_SET when the signers do not satisfy the structure.
 */
export function signingContext(
  suite: FrostSuite,
  key: FrostPublicKey,
  entries: readonly CommitmentEntry[],
  message: Uint8Array,
  options: FrostSignOptions = {},
): SigningContext {
  if (!(message instanceof Uint8Array)) {
    throw new CryptoError('INVALID_ARGUMENT', 'message must be a Uint8Array');
  }
  assertSuiteMatchesKey(suite, key);
  const { group } = suite;
  const lambda = key.structure.coefficients(
    group,
    entries.map((e) => e.party),
  );
  // Σλ_i = 1 for every access structure (the all-ones sharing of 1); the key transform's
  // offset relies on it, so refuse a structure that breaks it.
  let sum = 0n;
  for (const l of lambda.values()) sum += l;
  if (group.mod(sum) !== 1n) {
    throw new CryptoError('INVALID_ACCESS_STRUCTURE', 'interpolation coefficients do not sum to 1');
  }
  const transform = suite.keyTransform(key.publicKey, options);
  // SerializeElement(PK) once: the binding factors and the challenge both hash it.
  const keyBytes = group.encodePoint(transform.key);
  const prefix = bindingFactorPrefix(suite, keyBytes, entries, message);
  const bindingFactors = new Map<PartyId, bigint>();
  let D = group.identity;
  for (const e of entries) {
    bindingFactors.set(e.party, suite.H1(concatBytes(prefix, group.encodeScalar(BigInt(e.id)))));
    D = D.add(e.hiding);
  }
  // RFC 9591 §4.5 compute_group_commitment: R = Σ D_i + ρ_i·E_i (public values), with the
  // ρ_i·E_i as one multi-scalar multiplication (one shared doubling chain).
  const R = D.add(
    msmPublic(
      group,
      entries.map((e) => e.binding),
      entries.map((e) => bindingFactors.get(e.party)!),
    ),
  );
  const commitmentShares = new Map<PartyId, GroupPoint>();
  const commitmentShare = (party: PartyId): GroupPoint => {
    let share = commitmentShares.get(party);
    if (!share) {
      const e = entries.find((x) => x.party === party);
      if (!e) throw new CryptoError('INVALID_ARGUMENT', `${party} is not among the signers`);
      share = e.hiding.add(group.mulPublic(e.binding, bindingFactors.get(party)!));
      commitmentShares.set(party, share);
    }
    return share;
  };
  if (R.is0()) throw new CryptoError('INVALID_COMMITMENT', 'group commitment is the identity');
  const negateNonces = suite.negatesNonces(R);
  const groupCommitment = negateNonces ? R.negate() : R;
  // RFC 9591 §4.6 compute_challenge
  const challenge = suite.challenge(group.encodePoint(groupCommitment), keyBytes, message);
  return {
    suite,
    entries,
    lambda,
    bindingFactors,
    commitmentShare,
    groupCommitment,
    negateNonces,
    challenge,
    transform,
  };
}

/** Hex of a point (for messages). */
export const pointHex = (group: Group, p: GroupPoint): string => bytesToHex(group.encodePoint(p));
