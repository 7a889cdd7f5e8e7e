/**
 * The FROST signing driver (RFC 9591 §5; suites frost-ed25519, frost-secp256k1,
 * frost-taproot): round 1 broadcasts the nonce commitments (`commit`), round 2 broadcasts
 * the signature share (`signShare`), then every signer verifies all shares and aggregates
 * (§5.3/§5.4), so a bad share aborts naming its signer. The participants are the signers
 * and must be an authorised set of the key's structure.
 *
 * Nonce single use: the session's nonce id (`frostNonceLedgerId`) is consumed in the durable
 * ledger BEFORE the signature share is computed and released, and the persisted round-1
 * state is replaced by its consumed form before the share is sent (runner), so neither a
 * retry nor a restart from a stale copy can sign twice with the same nonces.
 */
import {
  CryptoError,
  FROST_SUITE_NAMES,
  aggregate,
  bytesToHex,
  commit,
  decodeFrostMessage,
  decodeKeyShare,
  encodeFrostMessage,
  frostVerifyingKey,
  hexToBytes,
  restoreSignRound1Secret,
  serializeSignRound1Secret,
  signShare,
  verifySignature,
  type FrostSignOptions,
  type FrostSuiteName,
  type KeyShare,
  type SignRound1Broadcast,
  type SignRound2Broadcast,
} from '@coffer/crypto';
import { keyShareRecord } from '../session-store.js';
import type { DriverContext, ProtocolDriver, StepOutput } from '../types.js';
import type { StoredKeyShare } from './dkg.js';
import {
  decodeInbound,
  decodeState,
  encodeState,
  hexParam,
  paramsObject,
  readJsonRecord,
} from './driver-support.js';

export interface FrostSignParams {
  readonly suite: FrostSuiteName;
  /** The DKG key id (transcript hash, hex). */
  readonly keyId: string;
  /** The message to sign, hex (the "digest" the approvals must cover). */
  readonly message: string;
  /** frost-taproot only: BIP341 script-tree merkle root, hex (32 bytes). */
  readonly merkleRoot?: string;
}

export interface FrostSignOutput {
  readonly suite: FrostSuiteName;
  readonly signature: string;
  /** The key the signature verifies under (x-only and tweaked for Taproot). */
  readonly verifyingKey: string;
}

interface FrostState {
  phase: 'commit' | 'share';
  params: FrostSignParams;
  /** The round-1 secret (nonces while unused; consumed form after round 2). */
  nonce: string;
  commitments: string[];
  ownShare?: string;
}

const DRIVER = 'frost-sign';

/** The durable-ledger id of this node's nonces in a FROST session. */
export function frostNonceLedgerId(sessionId: string, party: string): string {
  return `frost-nonce/${sessionId}/${party}`;
}

function parseFrostParams(value: unknown): FrostSignParams {
  const p = paramsObject(value, ['suite', 'keyId', 'message', 'merkleRoot']);
  if (!FROST_SUITE_NAMES.includes(p.suite as FrostSuiteName)) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `suite must be one of ${FROST_SUITE_NAMES.join(', ')}`,
    );
  }
  const params: FrostSignParams = {
    suite: p.suite as FrostSuiteName,
    keyId: hexParam(p.keyId, 'keyId', 8, 32),
    message: hexParam(p.message, 'message', 1, 1 << 16),
  };
  if (p.merkleRoot === undefined) return params;
  if (params.suite !== 'frost-taproot') {
    throw new CryptoError('INVALID_ARGUMENT', 'merkleRoot is for frost-taproot only');
  }
  return { ...params, merkleRoot: hexParam(p.merkleRoot, 'merkleRoot', 32, 32) };
}

function signOptions(params: FrostSignParams): FrostSignOptions {
  if (params.suite !== 'frost-taproot') return {};
  return {
    tweak: params.merkleRoot === undefined ? {} : { merkleRoot: hexToBytes(params.merkleRoot) },
  };
}

/** Loads the FROST key share named `keyId` from the keystore. */
export async function loadFrostKeyShare(ctx: DriverContext, keyId: string): Promise<KeyShare> {
  const record = (await readJsonRecord(
    ctx.keystore,
    keyShareRecord('frost-share', keyId),
  )) as StoredKeyShare;
  return decodeKeyShare(record.keyShare);
}

export const frostSignDriver: ProtocolDriver<FrostSignParams, FrostSignOutput> = {
  protocol: 'frost-sign',
  parseParams: parseFrostParams,
  digestOf: (params) => params.message,
  keyIdOf: (_ctx, params) => Promise.resolve(params.keyId),

  async start(ctx, params) {
    const key = await loadFrostKeyShare(ctx, params.keyId);
    key.structure.coefficients(key.group, ctx.parties); // UNAUTHORIZED_SET / UNKNOWN_PARTY
    const { state, outbound } = commit(key, { suite: params.suite, sessionId: ctx.sessionId });
    const own = encodeFrostMessage(outbound);
    const next: FrostState = {
      phase: 'commit',
      params,
      nonce: serializeSignRound1Secret(state),
      commitments: [own],
    };
    return {
      state: encodeState(DRIVER, next.phase, next),
      outbound: [{ to: '*', payload: own }],
      expect: 1,
    };
  },

  async step(ctx, text, inbound): Promise<StepOutput<FrostSignOutput>> {
    const state = decodeState<FrostState>(DRIVER, text);
    const { params } = state;
    const key = await loadFrostKeyShare(ctx, params.keyId);
    const message = hexToBytes(params.message);
    const options = signOptions(params);
    const received = decodeInbound(inbound, decodeFrostMessage);
    if (state.phase === 'commit') {
      const commitments = [
        ...state.commitments.map((c) => decodeFrostMessage(c) as SignRound1Broadcast),
        ...(received as SignRound1Broadcast[]),
      ];
      const nonce = restoreSignRound1Secret(state.nonce);
      // Single use, durably, before the share exists (RFC 9591 §5.2; CRYPTO.md invariant 2).
      ctx.ledger.consume(frostNonceLedgerId(ctx.sessionId, ctx.self));
      const signed = signShare(nonce, key, commitments, message, options);
      const ownShare = encodeFrostMessage(signed.outbound);
      const next: FrostState = {
        phase: 'share',
        params,
        nonce: serializeSignRound1Secret(signed.state),
        commitments: commitments.map((c) => encodeFrostMessage(c)),
        ownShare,
      };
      return {
        state: encodeState(DRIVER, next.phase, next),
        outbound: [{ to: '*', payload: ownShare }],
        expect: 1,
      };
    }
    const commitments = state.commitments.map((c) => decodeFrostMessage(c) as SignRound1Broadcast);
    const shares = [
      decodeFrostMessage(state.ownShare!) as SignRound2Broadcast,
      ...(received as SignRound2Broadcast[]),
    ];
    const session = { suite: params.suite, sessionId: ctx.sessionId };
    const signature = aggregate(key, session, commitments, shares, message, options);
    const verifyingKey = frostVerifyingKey(params.suite, key, options);
    if (!verifySignature(params.suite, signature, message, verifyingKey)) {
      throw new CryptoError('INVALID_SIGNATURE', 'the aggregated signature does not verify');
    }
    return {
      done: {
        suite: params.suite,
        signature: bytesToHex(signature),
        verifyingKey: bytesToHex(verifyingKey),
      },
    };
  },
};
