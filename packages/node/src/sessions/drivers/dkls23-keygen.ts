/**
 * The DKLs23 key-generation driver (ePrint 2023/765 §3 setup on top of the Pedersen DKG):
 * the DKG rounds on secp256k1 (shared with the `dkg` driver), then the five pairwise rounds
 * of base OT and zero-sharing seeds (`setupStart` / `setupContinue`). Every setup round is
 * consumed in the durable ledger by `setupContinue` itself, so a restored base-OT state can
 * never answer twice. The finished share is stored as `dkls23-share.<keyId>` (keyId = DKG
 * transcript hash) before the output is returned.
 */
import type { encodeKeyShare } from '@coffer/crypto';
import {
  AccessStructure,
  decodeSetupMessage,
  decodeSetupState,
  encodeDkls23KeyShare,
  encodeSetupMessage,
  encodeSetupState,
  decodeKeyShare,
  hexToBytes,
  setupContinue,
  setupStart,
  CryptoError,
  type KeyShare,
} from '@coffer/crypto';
import { keyShareRecord } from '../session-store.js';
import type { ProtocolDriver, StepOutput } from '../types.js';
import { dkgAdvance, dkgOutputOf, dkgStart, parseDkgParams, type DkgSessionOutput } from './dkg.js';
import {
  decodeInbound,
  decodeState,
  encodeState,
  paramsObject,
  toJsonBytes,
} from './driver-support.js';

export interface Dkls23KeygenParams {
  /** Text (`2of3`, `2of(a,b,c)`) or JSON tree form of the access structure. */
  readonly structure: string;
}

type KeygenState =
  | { phase: 'round1' | 'round2'; secret: unknown }
  | {
      phase: 'setup';
      keyShare: ReturnType<typeof encodeKeyShare>;
      chainCode: string;
      transcriptHash: string;
      setup: string;
    };

const DRIVER = 'dkls23-keygen';

function parseKeygenParams(value: unknown, parties: readonly string[]): Dkls23KeygenParams {
  const p = paramsObject(value, ['structure']);
  parseDkgParams({ group: 'secp256k1', structure: p.structure }, parties);
  return { structure: p.structure as string };
}

export const dkls23KeygenDriver: ProtocolDriver<Dkls23KeygenParams, DkgSessionOutput> = {
  protocol: 'dkls23-keygen',
  parseParams: parseKeygenParams,
  digestOf: () => undefined,

  start(ctx, params) {
    const first = dkgStart(ctx, { group: 'secp256k1', structure: params.structure });
    return Promise.resolve({
      ...first,
      state: encodeState(DRIVER, first.phaseState.phase, first.phaseState),
    });
  },

  async step(ctx, text, inbound): Promise<StepOutput<DkgSessionOutput>> {
    const state = decodeState<KeygenState>(DRIVER, text);
    if (state.phase !== 'setup') {
      const result = dkgAdvance(state, inbound);
      if ('next' in result) {
        return {
          state: encodeState(DRIVER, result.next.phase, result.next),
          outbound: result.outbound,
          expect: result.expect,
        };
      }
      return startSetup(result.keyShare, result.chainCode, result.transcriptHash, ctx.self);
    }
    const messages = decodeInbound(inbound, decodeSetupMessage);
    const step = setupContinue(decodeSetupState(state.setup), messages, ctx.ledger);
    if (!step.done) {
      const next: KeygenState = { ...state, setup: encodeSetupState(step.state) };
      return {
        state: encodeState(DRIVER, next.phase, next),
        outbound: step.outbound.map((m) => ({ to: m.recipient, payload: encodeSetupMessage(m) })),
        expect: 1,
      };
    }
    const key = decodeKeyShare(state.keyShare);
    const keyId = hexToBytes(state.transcriptHash);
    const chainCode = hexToBytes(state.chainCode);
    const share = encodeDkls23KeyShare({ key, keyId, chainCode, pairs: step.pairs });
    const { output } = dkgOutputOf(key, chainCode, keyId);
    await ctx.keystore.put(keyShareRecord('dkls23-share', output.keyId), toJsonBytes(share));
    return { done: output };
  },
};

function startSetup(
  key: KeyShare,
  chainCode: Uint8Array,
  transcriptHash: Uint8Array,
  self: string,
) {
  if (!(key.structure instanceof AccessStructure))
    throw new CryptoError('INVALID_ARGUMENT', 'bad structure');
  const { state, outbound } = setupStart(transcriptHash, self, key.structure.parties);
  const { record } = dkgOutputOf(key, chainCode, transcriptHash);
  const next: KeygenState = {
    phase: 'setup',
    keyShare: record.keyShare,
    chainCode: record.chainCode,
    transcriptHash: record.transcriptHash,
    setup: encodeSetupState(state),
  };
  return {
    state: encodeState(DRIVER, next.phase, next),
    outbound: outbound.map((m) => ({ to: m.recipient, payload: encodeSetupMessage(m) })),
    expect: 1,
  };
}
