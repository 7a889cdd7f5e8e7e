/**
 * The DKLs23 key-generation driver (ePrint 2023/765 §3 setup on top of the Pedersen DKG):
 * the DKG rounds on secp256k1 (shared with the `dkg` driver), then the five pairwise rounds
 * of base OT and zero-sharing seeds (`setupStart` / `setupContinue`). Every setup round is
 * consumed in the durable ledger by `setupContinue` itself, so a restored base-OT state can
 * never answer twice. The finished share is stored as `dkls23-share.<keyId>` (keyId = DKG
 * transcript hash) before the output is returned. A vault genesis in the params binds the
 * DKG as in the `dkg` driver and is stored as `key-genesis.<keyId>` before the share.
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
import type { VaultGenesis } from '../../approvals/genesis.js';
import { keyShareRecord, saveKeyGenesis } from '../session-store.js';
import type { ProtocolDriver, StepOutput } from '../types.js';
import {
  dkgAdvance,
  dkgOutputOf,
  dkgStart,
  genesisField,
  parseDkgParams,
  type DkgSessionOutput,
} from './dkg.js';
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
  /** The vault genesis every participant must agree on (approvals/genesis.ts). */
  readonly genesis?: VaultGenesis;
}

type KeygenState =
  | { phase: 'round1' | 'round2'; secret: unknown; genesis?: VaultGenesis }
  | {
      phase: 'setup';
      genesis?: VaultGenesis;
      keyShare: ReturnType<typeof encodeKeyShare>;
      chainCode: string;
      transcriptHash: string;
      setup: string;
    };

const DRIVER = 'dkls23-keygen';

function parseKeygenParams(value: unknown, parties: readonly string[]): Dkls23KeygenParams {
  const p = paramsObject(value, ['structure', 'genesis']);
  const dkg = parseDkgParams(
    { group: 'secp256k1', structure: p.structure, ...genesisField(p.genesis as VaultGenesis) },
    parties,
  );
  return { structure: dkg.structure, ...genesisField(dkg.genesis) };
}

export const dkls23KeygenDriver: ProtocolDriver<Dkls23KeygenParams, DkgSessionOutput> = {
  protocol: 'dkls23-keygen',
  parseParams: parseKeygenParams,
  digestOf: () => undefined,

  start(ctx, params) {
    const first = dkgStart(ctx, { group: 'secp256k1', ...params });
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
      return startSetup(result, ctx.self);
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
    const { output } = dkgOutputOf(key, chainCode, keyId, state.genesis);
    if (state.genesis) await saveKeyGenesis(ctx.keystore, output.keyId, state.genesis);
    await ctx.keystore.put(keyShareRecord('dkls23-share', output.keyId), toJsonBytes(share));
    return { done: output };
  },
};

function startSetup(
  dkg: {
    keyShare: KeyShare;
    chainCode: Uint8Array;
    transcriptHash: Uint8Array;
    genesis?: VaultGenesis;
  },
  self: string,
) {
  const { keyShare: key, chainCode, transcriptHash } = dkg;
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
    ...genesisField(dkg.genesis),
  };
  return {
    state: encodeState(DRIVER, next.phase, next),
    outbound: outbound.map((m) => ({ to: m.recipient, payload: encodeSetupMessage(m) })),
    expect: 1,
  };
}
