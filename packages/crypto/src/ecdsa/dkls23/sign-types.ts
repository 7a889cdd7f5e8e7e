/**
 * Message and state types of DKLs23 signing (Protocol 3.6 of ePrint 2023/765 as laid out in
 * DKLS23-NOTES §4). Rounds 1 and 2 are point-to-point; round 3 is one broadcast. Secret
 * state types never leave the process except through the node's encrypted persistence.
 */
import type { GroupPoint } from '../../curves/group.js';
import type {
  RvoleReceiverMessage,
  RvoleReceiverState,
  RvoleSenderMessage,
} from '../../ot/index.js';
import type { PartyId } from '../../sharing/access-structure.js';
import type { SIGN_PROTOCOL, SIGN_VERSION } from './session.js';

export interface EcdsaSignHeader {
  readonly protocol: typeof SIGN_PROTOCOL;
  readonly version: typeof SIGN_VERSION;
  /** The signing session id ssid, hex. */
  readonly sessionId: string;
  readonly sender: PartyId;
}

/** Round 1, to one counterparty: commitment to R_i and Bob's first RVOLE message. */
export interface EcdsaSignRound1Direct extends EcdsaSignHeader {
  readonly round: 1;
  readonly recipient: PartyId;
  readonly commitment: Uint8Array;
  readonly multiplication: RvoleReceiverMessage;
}

/** Round 2, to one counterparty: Alice's RVOLE message, the Γ points, ψ, pk_i and the opening. */
export interface EcdsaSignRound2Direct extends EcdsaSignHeader {
  readonly round: 2;
  readonly recipient: PartyId;
  readonly multiplication: RvoleSenderMessage;
  readonly gammaU: GroupPoint;
  readonly gammaV: GroupPoint;
  readonly psi: bigint;
  readonly publicShare: GroupPoint;
  readonly noncePoint: GroupPoint;
  readonly salt: Uint8Array;
}

/** Round 3 (online), to all signers: the shares u_i and w_i of the signature fraction. */
export interface EcdsaSignRound3Broadcast extends EcdsaSignHeader {
  readonly round: 3;
  readonly u: bigint;
  readonly w: bigint;
}

/** The signer set and session, fixed in round 1. */
export interface EcdsaSignSession {
  readonly self: PartyId;
  readonly signers: readonly PartyId[];
  readonly ssid: Uint8Array;
  readonly tweak: bigint;
}

export interface EcdsaSignRound1Secret {
  readonly session: EcdsaSignSession;
  readonly instanceKey: bigint;
  /** R_i = r_i·G (public once opened in round 2). */
  readonly noncePoint: GroupPoint;
  readonly inversionMask: bigint;
  readonly salt: Uint8Array;
  /** Per counterparty j: Bob's state for instance (j → self) and its random χ. */
  readonly receivers: ReadonlyMap<PartyId, { state: RvoleReceiverState; chi: bigint }>;
  consumed: boolean;
}

export interface EcdsaSignRound2Secret {
  readonly session: EcdsaSignSession;
  readonly instanceKey: bigint;
  readonly noncePoint: GroupPoint;
  readonly inversionMask: bigint;
  readonly additiveShare: bigint;
  /** pk_i = sk_i·G. */
  readonly publicShare: GroupPoint;
  readonly receivers: ReadonlyMap<PartyId, { state: RvoleReceiverState; chi: bigint }>;
  readonly commitments: ReadonlyMap<PartyId, Uint8Array>;
  /** Alice's outputs c^u, c^v for each instance (self → j). */
  readonly senderOutputs: ReadonlyMap<PartyId, readonly [bigint, bigint]>;
  consumed: boolean;
}

/**
 * A presignature: everything of a signature except the message (DKLS23-NOTES §4,
 * "Presignatures"). SINGLE USE: two messages on one presignature reveal the key.
 */
export interface Presignature {
  /** Usage-ledger id, derived from the session and the secrets (`presignatureId`). */
  readonly id: string;
  readonly session: EcdsaSignSession;
  readonly noncePoint: GroupPoint;
  readonly r: bigint;
  readonly u: bigint;
  readonly v: bigint;
  readonly inversionMask: bigint;
  /** The (tweaked) public key the signature must verify under. */
  readonly publicKey: GroupPoint;
}
