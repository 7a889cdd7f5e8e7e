/**
 * Wire messages of the verified simplest OT (DKLs19, ePrint 2019/523, Protocol 7 "VSOT"),
 * batched over lambda_c OTs, with compact versioned binary encodings. Points travel as 33-byte
 * compressed SEC1 bytes and are validated (on curve, not identity) by the round function that
 * receives them, which knows whom to blame. Sizes (lambda_c = 128): 100 B, 4.2 KB, 4.1 KB,
 * 4.1 KB and 8.2 KB.
 */
import type { PartyId } from '../sharing/access-structure.js';
import { KIND, Reader, Writer, expectBytes, expectVersion } from './codec.js';
import { LAMBDA_C, OT_FORMAT_VERSION } from './params.js';

const POINT = 33;
const HASH = 32;

/** Sender -> receiver: B = b*G and a Schnorr proof of knowledge of b (R, z). */
export interface BaseOtSenderRound1Message {
  readonly version: typeof OT_FORMAT_VERSION;
  readonly publicKey: Uint8Array;
  readonly proofCommitment: Uint8Array;
  readonly proofResponse: Uint8Array;
}
/** Receiver -> sender: A_i = a_i*G + omega_i*B for every OT i (lambda_c * 33 bytes). */
export interface BaseOtReceiverRound1Message {
  readonly version: typeof OT_FORMAT_VERSION;
  readonly points: Uint8Array;
}
/** Sender -> receiver: challenges xi_i = H(H(rho_i^0)) xor H(H(rho_i^1)). */
export interface BaseOtSenderRound2Message {
  readonly version: typeof OT_FORMAT_VERSION;
  readonly challenges: Uint8Array;
}
/** Receiver -> sender: responses H(H(rho_i^omega)) xor omega_i * xi_i. */
export interface BaseOtReceiverRound2Message {
  readonly version: typeof OT_FORMAT_VERSION;
  readonly responses: Uint8Array;
}
/** Sender -> receiver: openings H(rho_i^0) || H(rho_i^1). */
export interface BaseOtSenderRound3Message {
  readonly version: typeof OT_FORMAT_VERSION;
  readonly openings: Uint8Array;
}

export const BASE_OT_SIZES = {
  points: LAMBDA_C * POINT,
  challenges: LAMBDA_C * HASH,
  responses: LAMBDA_C * HASH,
  openings: LAMBDA_C * 2 * HASH,
} as const;

export function checkSenderRound1(m: BaseOtSenderRound1Message, from: PartyId): void {
  const c = [from];
  expectVersion(m?.version, 'base-OT sender round-1 message', c);
  expectBytes(m.publicKey, POINT, 'base-OT public key', c);
  expectBytes(m.proofCommitment, POINT, 'base-OT proof commitment', c);
  expectBytes(m.proofResponse, 32, 'base-OT proof response', c);
}
export function checkReceiverRound1(m: BaseOtReceiverRound1Message, from: PartyId): void {
  expectVersion(m?.version, 'base-OT receiver round-1 message', [from]);
  expectBytes(m.points, BASE_OT_SIZES.points, 'base-OT receiver points', [from]);
}
export function checkSenderRound2(m: BaseOtSenderRound2Message, from: PartyId): void {
  expectVersion(m?.version, 'base-OT sender round-2 message', [from]);
  expectBytes(m.challenges, BASE_OT_SIZES.challenges, 'base-OT challenges', [from]);
}
export function checkReceiverRound2(m: BaseOtReceiverRound2Message, from: PartyId): void {
  expectVersion(m?.version, 'base-OT receiver round-2 message', [from]);
  expectBytes(m.responses, BASE_OT_SIZES.responses, 'base-OT responses', [from]);
}
export function checkSenderRound3(m: BaseOtSenderRound3Message, from: PartyId): void {
  expectVersion(m?.version, 'base-OT sender round-3 message', [from]);
  expectBytes(m.openings, BASE_OT_SIZES.openings, 'base-OT openings', [from]);
}

export function encodeBaseOtSenderRound1(m: BaseOtSenderRound1Message): Uint8Array {
  return new Writer(KIND.baseOtSender1)
    .bytes(m.publicKey)
    .bytes(m.proofCommitment)
    .bytes(m.proofResponse)
    .finish();
}
export function decodeBaseOtSenderRound1(b: Uint8Array, from: PartyId): BaseOtSenderRound1Message {
  const r = new Reader(b, 'base-OT sender round-1 message', [from], KIND.baseOtSender1);
  const m: BaseOtSenderRound1Message = {
    version: OT_FORMAT_VERSION,
    publicKey: r.bytes(POINT),
    proofCommitment: r.bytes(POINT),
    proofResponse: r.bytes(32),
  };
  r.end();
  return m;
}

export function encodeBaseOtReceiverRound1(m: BaseOtReceiverRound1Message): Uint8Array {
  return new Writer(KIND.baseOtReceiver1).bytes(m.points).finish();
}
export function decodeBaseOtReceiverRound1(
  b: Uint8Array,
  from: PartyId,
): BaseOtReceiverRound1Message {
  const r = new Reader(b, 'base-OT receiver round-1 message', [from], KIND.baseOtReceiver1);
  const m: BaseOtReceiverRound1Message = {
    version: OT_FORMAT_VERSION,
    points: r.bytes(BASE_OT_SIZES.points),
  };
  r.end();
  return m;
}

export function encodeBaseOtSenderRound2(m: BaseOtSenderRound2Message): Uint8Array {
  return new Writer(KIND.baseOtSender2).bytes(m.challenges).finish();
}
export function decodeBaseOtSenderRound2(b: Uint8Array, from: PartyId): BaseOtSenderRound2Message {
  const r = new Reader(b, 'base-OT sender round-2 message', [from], KIND.baseOtSender2);
  const m: BaseOtSenderRound2Message = {
    version: OT_FORMAT_VERSION,
    challenges: r.bytes(BASE_OT_SIZES.challenges),
  };
  r.end();
  return m;
}

export function encodeBaseOtReceiverRound2(m: BaseOtReceiverRound2Message): Uint8Array {
  return new Writer(KIND.baseOtReceiver2).bytes(m.responses).finish();
}
export function decodeBaseOtReceiverRound2(
  b: Uint8Array,
  from: PartyId,
): BaseOtReceiverRound2Message {
  const r = new Reader(b, 'base-OT receiver round-2 message', [from], KIND.baseOtReceiver2);
  const m: BaseOtReceiverRound2Message = {
    version: OT_FORMAT_VERSION,
    responses: r.bytes(BASE_OT_SIZES.responses),
  };
  r.end();
  return m;
}

export function encodeBaseOtSenderRound3(m: BaseOtSenderRound3Message): Uint8Array {
  return new Writer(KIND.baseOtSender3).bytes(m.openings).finish();
}
export function decodeBaseOtSenderRound3(b: Uint8Array, from: PartyId): BaseOtSenderRound3Message {
  const r = new Reader(b, 'base-OT sender round-3 message', [from], KIND.baseOtSender3);
  const m: BaseOtSenderRound3Message = {
    version: OT_FORMAT_VERSION,
    openings: r.bytes(BASE_OT_SIZES.openings),
  };
  r.end();
  return m;
}
