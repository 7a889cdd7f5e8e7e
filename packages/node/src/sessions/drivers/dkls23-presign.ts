/**
 * The DKLs23 presigning driver (ePrint 2023/765 Protocol 3.6 rounds 1–3; SECURITY.md of
 * packages/crypto, "Threshold ECDSA", Tweaks and Single use): the three message-independent
 * rounds (`ecdsaSignRound1/2/3`, pairwise direct messages) for a minimal authorised signer
 * set, with the derivation tweak fixed at round 1 and bound into the signing session id. The
 * node's presignature is then sealed in the keystore as `presig.<sha256(sessionId)>` (with
 * the key id, tweak and signer set) BEFORE the public output `{ presignatureId, r,
 * publicKey }` is returned; nothing secret leaves the node. No approval evidence is needed:
 * nothing is signed yet. The presignature is spent by exactly one `dkls23-finish` session
 * (drivers/dkls23-finish.ts), whose online round consumes its ledger id (derived from φ_i)
 * in the durable ledger before w_i exists.
 */
import {
  bigintToBytesBE,
  bytesToHex,
  decodePresignature,
  ecdsaSignRound1,
  encodeEcdsaSignRound1Secret,
  encodePresignature,
  hexToBytes,
  secp256k1Group,
  CryptoError,
  type EcdsaSignOptions,
  type PartyId,
  type Presignature,
} from '@coffer/crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { isNodeError } from '../../errors.js';
import type { Keystore } from '../../keystore/index.js';
import { SessionAborted } from '../errors.js';
import {
  loadDkls23Share,
  presigningDirects,
  presigningRound2,
  presigningRound3,
} from './dkls23-presigning.js';
import type { ProtocolDriver, StepOutput } from '../types.js';
import { decodeState, encodeState, hexParam, paramsObject, toJsonBytes } from './driver-support.js';

export interface Dkls23PresignParams {
  /** The DKLs23 key id (DKG transcript hash, hex). */
  readonly keyId: string;
  /** Optional additive key tweak (BIP32 non-hardened derivation), 32-byte hex scalar. */
  readonly tweak?: string;
}

/** Public output: the same on every signer. */
export interface Dkls23PresignOutput {
  /** The presign session id; `dkls23-finish` names the presignature by it. */
  readonly presignatureId: string;
  /** x(R) mod q, 32-byte hex: the r of the signature this presignature will produce. */
  readonly r: string;
  /** The (tweaked) public key the signature will verify under, compressed SEC1 hex. */
  readonly publicKey: string;
}

/** The sealed keystore record of one node's presignature (secret: φ_i, u_i, v_i). */
export interface StoredPresignature {
  readonly v: 1;
  readonly kind: 'dkls23-presignature-record';
  /** The presign session id (= presignatureId). */
  readonly sessionId: string;
  readonly keyId: string;
  readonly tweak: string | null;
  /** The presign session's participants (the signer set a finish must use). */
  readonly signers: readonly PartyId[];
  /** `encodePresignature` JSON. */
  readonly presignature: string;
}

type PresignState =
  | { phase: 'round1'; params: Dkls23PresignParams; secret: string }
  | { phase: 'round2'; params: Dkls23PresignParams; secret: string };

const DRIVER = 'dkls23-presign';
const SESSION_ID = /^(?:[0-9a-f]{2}){16,64}$/;

/**
 * Keystore record name of the presignature made by session `sessionId` (record names are at
 * most 128 characters and session ids may be 128 hex, hence the hash).
 */
export function presignatureRecordName(sessionId: string): string {
  if (!SESSION_ID.test(sessionId)) {
    throw new CryptoError('INVALID_ARGUMENT', 'presignature ids are 16..64 bytes of hex');
  }
  return `presig.${bytesToHex(sha256(utf8ToBytes(sessionId)))}`;
}

/** Seals `presignature` of session `sessionId` in the keystore. */
export async function savePresignature(
  keystore: Keystore,
  record: Omit<StoredPresignature, 'v' | 'kind' | 'presignature'> & {
    readonly presignature: Presignature;
  },
): Promise<void> {
  const stored: StoredPresignature = {
    v: 1,
    kind: 'dkls23-presignature-record',
    sessionId: record.sessionId,
    keyId: record.keyId,
    tweak: record.tweak,
    signers: [...record.signers],
    presignature: encodePresignature(record.presignature),
  };
  await keystore.put(presignatureRecordName(record.sessionId), toJsonBytes(stored));
}

/**
 * The stored presignature `presignatureId` of this node, decoded (its ledger id re-derived
 * from φ_i), or undefined when there is none (never made here, or already spent).
 */
export async function loadPresignature(
  keystore: Keystore,
  presignatureId: string,
): Promise<{ record: StoredPresignature; presignature: Presignature } | undefined> {
  const name = presignatureRecordName(presignatureId);
  let bytes: Uint8Array;
  try {
    bytes = await keystore.get(name);
  } catch (error) {
    if (isNodeError(error, 'RECORD_NOT_FOUND')) return undefined;
    throw error;
  }
  const corrupt = (cause?: unknown) =>
    new SessionAborted('KEY_UNAVAILABLE', `presignature record ${name} is malformed`, {
      reason: 'RECORD_CORRUPT',
      cause,
    });
  let record: StoredPresignature;
  let presignature: Presignature;
  try {
    record = JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredPresignature;
    presignature = decodePresignature(record.presignature);
  } catch (error) {
    throw corrupt(error);
  }
  const ok =
    record.v === 1 &&
    record.kind === 'dkls23-presignature-record' &&
    record.sessionId === presignatureId &&
    typeof record.keyId === 'string' &&
    Array.isArray(record.signers) &&
    record.signers.every((s) => typeof s === 'string');
  if (!ok) throw corrupt();
  return { record, presignature };
}

/** Deletes the stored presignature (idempotent). */
export async function deletePresignature(
  keystore: Keystore,
  presignatureId: string,
): Promise<void> {
  await keystore.delete(presignatureRecordName(presignatureId));
}

function parsePresignParams(value: unknown): Dkls23PresignParams {
  const p = paramsObject(value, ['keyId', 'tweak']);
  const params = { keyId: hexParam(p.keyId, 'keyId', 8, 32) };
  return p.tweak === undefined ? params : { ...params, tweak: hexParam(p.tweak, 'tweak', 32, 32) };
}

export const dkls23PresignDriver: ProtocolDriver<Dkls23PresignParams, Dkls23PresignOutput> = {
  protocol: 'dkls23-presign',
  parseParams: parsePresignParams,
  // Nothing is signed: the approval gate applies to `dkls23-finish`.
  digestOf: () => undefined,

  async start(ctx, params) {
    const share = await loadDkls23Share(ctx, params.keyId);
    const options: EcdsaSignOptions = {
      sessionId: hexToBytes(ctx.sessionId),
      ...(params.tweak === undefined ? {} : { tweak: BigInt(`0x${params.tweak}`) }),
    };
    const { state, outbound } = ecdsaSignRound1(share, ctx.parties, options);
    const next: PresignState = {
      phase: 'round1',
      params,
      secret: encodeEcdsaSignRound1Secret(state),
    };
    return {
      state: encodeState(DRIVER, next.phase, next),
      outbound: presigningDirects(outbound),
      expect: 1,
    };
  },

  async step(ctx, text, inbound): Promise<StepOutput<Dkls23PresignOutput>> {
    const state = decodeState<PresignState>(DRIVER, text);
    const { params } = state;
    const share = await loadDkls23Share(ctx, params.keyId);
    switch (state.phase) {
      case 'round1': {
        const r2 = presigningRound2(share, state.secret, inbound);
        const next: PresignState = {
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
        // Sealed before the (public) output is returned; spent by one dkls23-finish.
        await savePresignature(ctx.keystore, {
          sessionId: ctx.sessionId,
          keyId: params.keyId,
          tweak: params.tweak ?? null,
          signers: presignature.session.signers,
          presignature,
        });
        return {
          done: {
            presignatureId: ctx.sessionId,
            r: bytesToHex(bigintToBytesBE(presignature.r, 32)),
            publicKey: bytesToHex(secp256k1Group.encodePoint(presignature.publicKey)),
          },
        };
      }
      default:
        throw new CryptoError('INVALID_ARGUMENT', 'unknown dkls23-presign phase');
    }
  },
};
