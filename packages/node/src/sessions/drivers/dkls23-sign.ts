/**
 * The DKLs23 signing driver (ePrint 2023/765 Protocol 3.6): three presigning rounds
 * (`ecdsaSignRound1/2/3`, pairwise direct messages), then the online round broadcasting
 * (u_i, w_i) (`ecdsaSignOnline`) and the combination into a low-s ECDSA signature with its
 * recovery id, verified against the (tweaked) key before it is returned. The participants
 * must be a minimal authorised signer set. The presignature's ledger id is consumed in the
 * durable ledger by `ecdsaSignOnline` BEFORE (u_i, w_i) exists, and the persisted state
 * then holds only the consumed presignature, so a restart can never sign a second digest.
 */
import {
  bytesToHex,
  decodeEcdsaSignMessage,
  decodePresignature,
  ecdsaCombineSignature,
  ecdsaSignOnline,
  ecdsaSignRound1,
  encodeEcdsaSignMessage,
  encodeEcdsaSignRound1Secret,
  encodePresignature,
  hexToBytes,
  secp256k1Group,
  bigintToBytesBE,
  CryptoError,
  type EcdsaSignOptions,
  type EcdsaSignRound3Broadcast,
} from '@coffer/crypto';
import {
  loadDkls23Share,
  presigningDirects,
  presigningRound2,
  presigningRound3,
} from './dkls23-presigning.js';
import type { ProtocolDriver, StepOutput } from '../types.js';
import {
  decodeInbound,
  decodeState,
  encodeState,
  hexParam,
  paramsObject,
} from './driver-support.js';

export interface Dkls23SignParams {
  /** The DKLs23 key id (DKG transcript hash, hex). */
  readonly keyId: string;
  /** The 32-byte digest to sign, hex (what the approvals must cover). */
  readonly digest: string;
  /** Optional additive key tweak (BIP32 non-hardened derivation), 32-byte hex scalar. */
  readonly tweak?: string;
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

type SignState =
  | { phase: 'round1'; params: Dkls23SignParams; secret: string }
  | { phase: 'round2'; params: Dkls23SignParams; secret: string }
  | { phase: 'online'; params: Dkls23SignParams; presignature: string; own: string };

const DRIVER = 'dkls23-sign';

function parseSignParams(value: unknown): Dkls23SignParams {
  const p = paramsObject(value, ['keyId', 'digest', 'tweak']);
  const params = {
    keyId: hexParam(p.keyId, 'keyId', 8, 32),
    digest: hexParam(p.digest, 'digest', 32, 32),
  };
  return p.tweak === undefined ? params : { ...params, tweak: hexParam(p.tweak, 'tweak', 32, 32) };
}

export const dkls23SignDriver: ProtocolDriver<Dkls23SignParams, Dkls23SignOutput> = {
  protocol: 'dkls23-sign',
  parseParams: parseSignParams,
  digestOf: (params) => params.digest,

  async start(ctx, params) {
    const share = await loadDkls23Share(ctx, params.keyId);
    const options: EcdsaSignOptions = {
      sessionId: hexToBytes(ctx.sessionId),
      ...(params.tweak === undefined ? {} : { tweak: BigInt(`0x${params.tweak}`) }),
    };
    const { state, outbound } = ecdsaSignRound1(share, ctx.parties, options);
    const next: SignState = { phase: 'round1', params, secret: encodeEcdsaSignRound1Secret(state) };
    return {
      state: encodeState(DRIVER, next.phase, next),
      outbound: presigningDirects(outbound),
      expect: 1,
    };
  },

  async step(ctx, text, inbound): Promise<StepOutput<Dkls23SignOutput>> {
    const state = decodeState<SignState>(DRIVER, text);
    const { params } = state;
    const share = await loadDkls23Share(ctx, params.keyId);
    const messages = decodeInbound(inbound, decodeEcdsaSignMessage);
    const digest = hexToBytes(params.digest);
    switch (state.phase) {
      case 'round1': {
        const r2 = presigningRound2(share, state.secret, inbound);
        const next: SignState = {
          phase: 'round2',
          params,
          secret: r2.secret,
        };
        return {
          state: encodeState(DRIVER, next.phase, next),
          outbound: r2.outbound,
          expect: 1,
        };
      }
      case 'round2': {
        const presignature = presigningRound3(share, state.secret, inbound);
        // Consumes the presignature in the durable ledger before (u_i, w_i) exists.
        const own = encodeEcdsaSignMessage(ecdsaSignOnline(presignature, digest, ctx.ledger));
        const next: SignState = {
          phase: 'online',
          params,
          presignature: encodePresignature(presignature),
          own,
        };
        return {
          state: encodeState(DRIVER, next.phase, next),
          outbound: [{ to: '*', payload: own }],
          expect: 1,
        };
      }
      case 'online': {
        const presignature = decodePresignature(state.presignature);
        const own = decodeEcdsaSignMessage(state.own) as EcdsaSignRound3Broadcast;
        const sig = ecdsaCombineSignature(
          presignature,
          digest,
          own,
          messages as EcdsaSignRound3Broadcast[],
        );
        const r = bigintToBytesBE(sig.r, 32);
        const s = bigintToBytesBE(sig.s, 32);
        return {
          done: {
            signature: bytesToHex(r) + bytesToHex(s),
            r: bytesToHex(r),
            s: bytesToHex(s),
            recovery: sig.recovery,
            publicKey: bytesToHex(secp256k1Group.encodePoint(presignature.publicKey)),
          },
        };
      }
      default:
        throw new CryptoError('INVALID_ARGUMENT', 'unknown dkls23-sign phase');
    }
  },
};
