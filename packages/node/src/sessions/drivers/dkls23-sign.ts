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
  ecdsaSignOnline,
  ecdsaSignRound1,
  encodeEcdsaSignMessage,
  encodeEcdsaSignRound1Secret,
  encodePresignature,
  hexToBytes,
  CryptoError,
  type EcdsaSignOptions,
} from '@coffer/crypto';
import {
  combineOnline,
  loadDkls23Share,
  presigningDirects,
  presigningRound2,
  presigningRound3,
  type Dkls23SignOutput,
} from './dkls23-presigning.js';
import type { ProtocolDriver, StepOutput } from '../types.js';
import { decodeState, encodeState, hexParam, paramsObject } from './driver-support.js';

export interface Dkls23SignParams {
  /** The DKLs23 key id (DKG transcript hash, hex). */
  readonly keyId: string;
  /** The 32-byte digest to sign, hex (what the approvals must cover). */
  readonly digest: string;
  /** Optional additive key tweak (BIP32 non-hardened derivation), 32-byte hex scalar. */
  readonly tweak?: string;
}

export type { Dkls23SignOutput } from './dkls23-presigning.js';

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
  keyIdOf: (_ctx, params) => Promise.resolve(params.keyId),

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
    const digest = hexToBytes(params.digest);
    switch (state.phase) {
      case 'round1': {
        const share = await loadDkls23Share(ctx, params.keyId);
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
        const share = await loadDkls23Share(ctx, params.keyId);
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
      case 'online':
        return { done: combineOnline(state, digest, inbound) };
      default:
        throw new CryptoError('INVALID_ARGUMENT', 'unknown dkls23-sign phase');
    }
  },
};
