/**
 * A party's DKLs23 key share: the linear share of the sharing layer (any access structure),
 * the key id and chain code agreed in key generation, and per counterparty the state the
 * signing protocol's two-party multiplications need (DKLS23-NOTES §2.3): the pairwise
 * zero-sharing seed and both directions of OT-extension setup.
 */
import type { KeyShare } from '../../keys/key-share.js';
import type { OtExtensionReceiverSetup, OtExtensionSenderSetup } from '../../ot/index.js';
import type { PartyId } from '../../sharing/access-structure.js';

export interface Dkls23PairState {
  /** 32-byte seed shared with this counterparty for zero sharing (Functionality 3.4). */
  readonly zeroSeed: Uint8Array;
  /** This party as RVOLE sender (Alice) in instances self → counterparty. */
  readonly sender: OtExtensionSenderSetup;
  /** This party as RVOLE receiver (Bob) in instances counterparty → self. */
  readonly receiver: OtExtensionReceiverSetup;
}

export interface Dkls23KeyShare {
  /** secp256k1 key share from the DKG. */
  readonly key: KeyShare;
  /** Identifies the key in every signing transcript: the DKG transcript hash. */
  readonly keyId: Uint8Array;
  /** BIP32 chain code agreed in the DKG. */
  readonly chainCode: Uint8Array;
  readonly pairs: ReadonlyMap<PartyId, Dkls23PairState>;
}
