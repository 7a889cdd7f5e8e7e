/**
 * The DKLs23 steps shared by the `dkls23-sign`, `dkls23-presign` and `dkls23-finish` drivers
 * (ePrint 2023/765 Protocol 3.6): loading the node's DKLs23 key share, wrapping the pairwise
 * round messages, the round-2 and round-3 steps over serialised secret state (the runner
 * seals it in the keystore between rounds), and combining the online round's (u, w) into the
 * signature output.
 */
import {
  bigintToBytesBE,
  bytesToHex,
  decodeDkls23KeyShare,
  decodePresignature,
  ecdsaCombineSignature,
  secp256k1Group,
  type EcdsaSignRound3Broadcast,
  decodeEcdsaSignMessage,
  decodeEcdsaSignRound1Secret,
  decodeEcdsaSignRound2Secret,
  ecdsaSignRound2,
  ecdsaSignRound3,
  encodeEcdsaSignMessage,
  encodeEcdsaSignRound2Secret,
  type Dkls23KeyShare,
  type EcdsaSignRound1Direct,
  type EcdsaSignRound2Direct,
  type Presignature,
} from '@coffer/crypto';
import { keyShareRecord } from '../session-store.js';
import type { DriverContext, InboundMessage, WireMessage } from '../types.js';
import { decodeInbound, readJsonRecord } from './driver-support.js';

export async function loadDkls23Share(ctx: DriverContext, keyId: string): Promise<Dkls23KeyShare> {
  return decodeDkls23KeyShare(
    await readJsonRecord(ctx.keystore, keyShareRecord('dkls23-share', keyId)),
  );
}

/** Pairwise round messages as wire messages to their recipients. */
export function presigningDirects(
  messages: readonly (EcdsaSignRound1Direct | EcdsaSignRound2Direct)[],
): WireMessage[] {
  return messages.map((m) => ({ to: m.recipient, payload: encodeEcdsaSignMessage(m) }));
}

/** Round 2 from the serialised round-1 secret: the round-2 secret and messages. */
export function presigningRound2(
  share: Dkls23KeyShare,
  round1Secret: string,
  inbound: readonly InboundMessage[],
): { secret: string; outbound: WireMessage[] } {
  const messages = decodeInbound(inbound, decodeEcdsaSignMessage) as EcdsaSignRound1Direct[];
  const r2 = ecdsaSignRound2(share, decodeEcdsaSignRound1Secret(round1Secret), messages);
  return {
    secret: encodeEcdsaSignRound2Secret(r2.state),
    outbound: presigningDirects(r2.outbound),
  };
}

/** Round 3 from the serialised round-2 secret: this party's presignature. */
export function presigningRound3(
  share: Dkls23KeyShare,
  round2Secret: string,
  inbound: readonly InboundMessage[],
): Presignature {
  const messages = decodeInbound(inbound, decodeEcdsaSignMessage) as EcdsaSignRound2Direct[];
  return ecdsaSignRound3(share, decodeEcdsaSignRound2Secret(round2Secret), messages);
}

export interface Dkls23SignOutput {
  /** r ‖ s, 64 bytes hex, low s. */
  readonly signature: string;
  readonly r: string;
  readonly s: string;
  readonly recovery: 0 | 1 | 2 | 3;
  /** The (tweaked) public key it verifies under, compressed SEC1 hex. */
  readonly publicKey: string;
}

/**
 * The online round's end: this signer's serialised presignature and own (u_i, w_i) plus the
 * others' broadcasts, combined into a low-s signature verified against the (tweaked) key.
 */
export function combineOnline(
  saved: { readonly presignature: string; readonly own: string },
  digest: Uint8Array,
  inbound: readonly InboundMessage[],
): Dkls23SignOutput {
  const presignature = decodePresignature(saved.presignature);
  const own = decodeEcdsaSignMessage(saved.own) as EcdsaSignRound3Broadcast;
  const others = decodeInbound(inbound, decodeEcdsaSignMessage) as EcdsaSignRound3Broadcast[];
  const sig = ecdsaCombineSignature(presignature, digest, own, others);
  const r = bytesToHex(bigintToBytesBE(sig.r, 32));
  const s = bytesToHex(bigintToBytesBE(sig.s, 32));
  return {
    signature: r + s,
    r,
    s,
    recovery: sig.recovery,
    publicKey: bytesToHex(secp256k1Group.encodePoint(presignature.publicKey)),
  };
}
