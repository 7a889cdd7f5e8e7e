/**
 * Session identifiers and domain separation for DKLs23 signing (DKLS23-NOTES §6; ToB-10/11):
 * the signing session id `ssid` binds the key id, the access-structure hash, the ordered
 * signer set with participant ids, the caller's unique session id, and the derivation tweak;
 * every multiplication instance gets its own `iid` per ordered pair, and the zero-sharing
 * PRF (Functionality 3.4) is keyed per pair and bound to ssid.
 */
import { bigintToBytesBE } from '../../curves/group.js';
import { secp256k1Group as G } from '../../curves/secp256k1.js';
import { bytesToHex, encodeTranscript, transcriptHash } from '../../bytes.js';
import type { PartyId } from '../../sharing/access-structure.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { CryptoError } from '../../errors.js';

export const SIGN_PROTOCOL = 'dkls23-sign';
export const SIGN_VERSION = 1;

export interface SigningContext {
  /** Identifies the key: the DKG transcript hash. */
  readonly keyId: Uint8Array;
  readonly structureHash: Uint8Array;
  /** The signers in canonical order with their participant ids. */
  readonly signers: readonly { party: PartyId; participantId: number }[];
  /** Unique per signing session; never reused (ToB-9). */
  readonly sessionId: Uint8Array;
  /** Additive key tweak (BIP32 derivation), 0 for the root key. */
  readonly tweak: bigint;
}

export function signingSessionId(ctx: SigningContext): Uint8Array {
  return transcriptHash(
    `${SIGN_PROTOCOL}/v${SIGN_VERSION}/ssid`,
    ctx.keyId,
    ctx.structureHash,
    ctx.signers.length,
    ...ctx.signers.flatMap((s) => [s.party, s.participantId]),
    ctx.sessionId,
    bigintToBytesBE(ctx.tweak, 32),
  );
}

/** Instance id of the multiplication with `sender` as Alice and `receiver` as Bob. */
export function multiplicationId(ssid: Uint8Array, sender: PartyId, receiver: PartyId): Uint8Array {
  return transcriptHash(`${SIGN_PROTOCOL}/v${SIGN_VERSION}/mul`, ssid, sender, receiver);
}

/** Hash commitment to the instance point R_i, bound to ssid, sender and receiver (pitfall 7). */
export function nonceCommitment(
  ssid: Uint8Array,
  sender: PartyId,
  receiver: PartyId,
  encodedR: Uint8Array,
  salt: Uint8Array,
): Uint8Array {
  return transcriptHash(
    `${SIGN_PROTOCOL}/v${SIGN_VERSION}/com`,
    ssid,
    sender,
    receiver,
    encodedR,
    salt,
  );
}

/**
 * zeta_i = Σ_{j≠i} ±PRF(seed_ij, ssid), + when i sorts before j: the parties' values sum to
 * zero, so adding zeta_i re-randomises the additive shares per session (Functionality 3.4).
 */
export function zeroShare(
  self: PartyId,
  ssid: Uint8Array,
  seeds: ReadonlyMap<PartyId, Uint8Array>,
  signers: readonly PartyId[],
): bigint {
  let zeta = 0n;
  for (const other of signers) {
    if (other === self) continue;
    const seed = seeds.get(other);
    if (!seed) throw new CryptoError('INVALID_ARGUMENT', `no zero-sharing seed for ${other}`);
    const value = G.scalarFromWide(
      sha512(encodeTranscript(`${SIGN_PROTOCOL}/v${SIGN_VERSION}/zero`, [seed, ssid])),
    );
    zeta = G.mod(self < other ? zeta + value : zeta - value);
  }
  return zeta;
}

/**
 * The usage-ledger id of a presignature: a hash of the session, the signer and its inversion
 * mask φ_i (hashed, so the id reveals nothing). φ_i is fixed in round 1 and no peer can
 * influence it, so every presignature that could come out of one round-1 state — a restored
 * copy, an edited copy, or a re-run of round 3 against different peer messages (which would
 * change v_i) — has the same id, and the ledger lets only one of them release a w_i.
 */
export function presignatureId(ssid: Uint8Array, self: PartyId, inversionMask: bigint): string {
  return bytesToHex(
    transcriptHash(
      `${SIGN_PROTOCOL}/v${SIGN_VERSION}/presignature`,
      ssid,
      self,
      G.encodeScalar(inversionMask),
    ),
  );
}
