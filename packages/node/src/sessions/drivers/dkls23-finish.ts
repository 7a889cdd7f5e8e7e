/**
 * The DKLs23 finishing driver: the online round of Protocol 3.6 on a presignature that a
 * `dkls23-presign` session stored (drivers/dkls23-presign.ts). A signing protocol: the
 * runner's approval gate verifies that the evidence covers `params.digest` before `start`
 * runs. Each signer loads its sealed presignature, checks that this session's signer set and
 * its own party are exactly the presign session's, then `ecdsaSignOnline` consumes the
 * presignature's ledger id (derived from φ_i) in the DURABLE ledger before (u_i, w_i) exists;
 * the record, dead from that moment, is deleted before anything is sent. The (u_i, w_i) are
 * broadcast, combined into a low-s signature verified against the (tweaked) key, and
 * returned. Fail closed: a second finish on the same presignature — any digest, a restored
 * record, a restart — is refused (STATE_CONSUMED from the ledger, or KEY_UNAVAILABLE when
 * the record is gone) and releases no w_i.
 */
import {
  ecdsaSignOnline,
  encodeEcdsaSignMessage,
  encodePresignature,
  hexToBytes,
  CryptoError,
  type EcdsaSignRound3Broadcast,
} from '@coffer/crypto';
import { SessionAborted } from '../errors.js';
import type { ProtocolDriver, StepOutput } from '../types.js';
import { decodeState, encodeState, hexParam, paramsObject } from './driver-support.js';
import { combineOnline, type Dkls23SignOutput } from './dkls23-presigning.js';
import { deletePresignature, loadPresignature } from './dkls23-presign.js';

export interface Dkls23FinishParams {
  /** The presign session id (`Dkls23PresignOutput.presignatureId`), hex. */
  readonly presignatureId: string;
  /** The 32-byte digest to sign, hex (what the approvals must cover). */
  readonly digest: string;
}

/** Same shape as `dkls23-sign`'s output. */
export type Dkls23FinishOutput = Dkls23SignOutput;

interface FinishState {
  readonly phase: 'online';
  readonly params: Dkls23FinishParams;
  /** The consumed presignature (`encodePresignature`), needed to combine. */
  readonly presignature: string;
  /** This signer's (u_i, w_i) message. */
  readonly own: string;
}

const DRIVER = 'dkls23-finish';

function parseFinishParams(value: unknown): Dkls23FinishParams {
  const p = paramsObject(value, ['presignatureId', 'digest']);
  return {
    presignatureId: hexParam(p.presignatureId, 'presignatureId', 16, 64),
    digest: hexParam(p.digest, 'digest', 32, 32),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === a.length && left.size === new Set(b).size && b.every((x) => left.has(x));
}

export const dkls23FinishDriver: ProtocolDriver<Dkls23FinishParams, Dkls23FinishOutput> = {
  protocol: 'dkls23-finish',
  parseParams: parseFinishParams,
  digestOf: (params) => params.digest,
  keyIdOf: async (ctx, params) =>
    (await loadPresignature(ctx.keystore, params.presignatureId))?.record.keyId,

  async start(ctx, params) {
    const loaded = await loadPresignature(ctx.keystore, params.presignatureId);
    if (!loaded) {
      throw new SessionAborted(
        'KEY_UNAVAILABLE',
        'no stored presignature by that id on this node (unknown, or already used)',
        { reason: 'PRESIGNATURE_NOT_FOUND' },
      );
    }
    const { session } = loaded.presignature;
    if (session.self !== ctx.self || !sameSet(ctx.parties, session.signers)) {
      // Checked before anything is consumed: a wrong request does not burn the presignature.
      throw new SessionAborted(
        'INVALID_REQUEST',
        `the signers must be the presign session's: {${session.signers.join(', ')}}`,
        { reason: 'SIGNER_SET_MISMATCH' },
      );
    }
    let own: EcdsaSignRound3Broadcast;
    try {
      // Consumes the presignature in the durable ledger BEFORE (u_i, w_i) exists.
      own = ecdsaSignOnline(loaded.presignature, hexToBytes(params.digest), ctx.ledger);
    } catch (error) {
      if (error instanceof CryptoError && error.code === 'STATE_CONSUMED') {
        // A restored or left-over copy of a spent presignature: it can never be used.
        await deletePresignature(ctx.keystore, params.presignatureId);
      }
      throw error;
    }
    await deletePresignature(ctx.keystore, params.presignatureId);
    const payload = encodeEcdsaSignMessage(own);
    const next: FinishState = {
      phase: 'online',
      params,
      presignature: encodePresignature(loaded.presignature),
      own: payload,
    };
    return {
      state: encodeState(DRIVER, next.phase, next),
      outbound: [{ to: '*', payload }],
      expect: 1,
    };
  },

  step(_ctx, text, inbound): Promise<StepOutput<Dkls23FinishOutput>> {
    const state = decodeState<FinishState>(DRIVER, text);
    if (state.phase !== 'online') {
      throw new CryptoError('INVALID_ARGUMENT', 'unknown dkls23-finish phase');
    }
    return Promise.resolve({
      done: combineOnline(state, hexToBytes(state.params.digest), inbound),
    });
  },
};
