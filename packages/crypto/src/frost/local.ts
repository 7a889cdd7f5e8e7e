/**
 * All signers of a FROST signing (RFC 9591 §5) in one process: for the offline CLI and for
 * benchmarks. Runs round 1 for every signer, derives the signing package once (the signers
 * would each derive the same one, context.ts), produces every share, then verifies every
 * share and aggregates (aggregate.ts). The round-1 values never leave this function, so
 * they are not re-decoded; everything else is exactly the distributed protocol.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex } from '../bytes.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import { aggregateWithContext } from './aggregate.js';
import { signingContext, type CommitmentEntry, type FrostKeyShare } from './context.js';
import { commitWithRandomness } from './round1.js';
import { signShareWithContext } from './round2.js';
import type { SignRound1Secret } from './state.js';
import type { FrostSignOptions, FrostSuiteName } from './suite.js';
import { defaultSuiteFor, frostSuite } from './suites/index.js';

export interface LocalSignOptions extends FrostSignOptions {
  /** Default: 'frost-ed25519' for Ed25519 keys, 'frost-secp256k1' for secp256k1 keys. */
  readonly suite?: FrostSuiteName;
  /** Default: 32 random bytes. */
  readonly sessionId?: string;
}

export interface LocalSignature {
  readonly suite: FrostSuiteName;
  readonly signature: Uint8Array;
  /** The key the signature verifies under (x-only and tweaked for Taproot). */
  readonly verifyingKey: Uint8Array;
}

/** Signs `message` with the key shares of `signers` (an authorised set). */
export function signWithAllParties(
  keyShares: readonly FrostKeyShare[],
  signers: readonly PartyId[],
  message: Uint8Array,
  options: LocalSignOptions = {},
): LocalSignature {
  if (keyShares.length === 0) throw new CryptoError('INVALID_ARGUMENT', 'no key shares');
  const key = keyShares[0]!;
  const suite = options.suite ? frostSuite(options.suite) : defaultSuiteFor(key.group.name);
  const byParty = new Map<PartyId, FrostKeyShare>();
  for (const share of keyShares) {
    if (share.group !== key.group || !share.publicKey.equals(key.publicKey)) {
      throw new CryptoError('INVALID_ARGUMENT', 'key shares belong to different keys');
    }
    byParty.set(share.party, share);
  }
  if (new Set(signers).size !== signers.length) {
    throw new CryptoError('INVALID_ARGUMENT', 'signers must be distinct');
  }
  const session = {
    suite: suite.name,
    sessionId: options.sessionId ?? bytesToHex(randomBytes(32)),
  };
  const states = new Map<PartyId, SignRound1Secret>();
  const entries: CommitmentEntry[] = signers.map((party) => {
    const share = byParty.get(party);
    if (!share) throw new CryptoError('INVALID_ARGUMENT', `no key share for signer ${party}`);
    const id = key.structure.participantId(party);
    // Round 1 (RFC 9591 §5.1).
    const { state, points } = commitWithRandomness(
      share,
      session,
      randomBytes(32),
      randomBytes(32),
    );
    states.set(party, state);
    return { party, id, ...points, hidingBytes: state.hiding, bindingBytes: state.binding };
  });
  entries.sort((a, b) => a.id - b.id);
  const ctx = signingContext(suite, key, entries, message, options);
  // Round 2 (RFC 9591 §5.2), then §5.4 verification and §5.3 aggregation.
  const shares = new Map<PartyId, bigint>();
  for (const e of entries)
    shares.set(e.party, signShareWithContext(states.get(e.party)!, byParty.get(e.party)!, ctx));
  return {
    suite: suite.name,
    signature: aggregateWithContext(ctx, key, shares),
    verifyingKey: suite.encodePublicKey(ctx.transform.key),
  };
}
