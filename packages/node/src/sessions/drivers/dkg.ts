/**
 * The DKG driver (Komlo–Goldberg 2020 Pedersen DKG, packages/crypto dkg/): round 1
 * broadcast → round 2 broadcast + one direct share per party → finalize. Works for
 * secp256k1 and Ed25519 and any access structure (threshold or tree); every party of the
 * structure must be a participant. The key share is stored in the keystore as
 * `frost-share.<keyId>` (keyId = the DKG transcript hash) before the output is returned.
 * Complaints end the session naming the accused (resolution in a follow-up session).
 *
 * With a vault genesis in the params (approvals/genesis.ts) the DKG runs under the
 * genesis-bound session id, so all parties must hold the same document; it is stored as
 * `key-genesis.<keyId>` before the share, and the output carries its hash.
 */
import {
  AccessStructure,
  CryptoError,
  DkgRound1Secret,
  DkgRound2Secret,
  bytesToHex,
  decodeDkgMessage,
  dkgFinalize,
  dkgRound1,
  dkgRound2,
  encodeDkgMessage,
  encodeKeyShare,
  encodePublicKeyPackage,
  groupByName,
  type DkgRound1Broadcast,
  type DkgRound2Broadcast,
  type DkgRound2Direct,
  type Group,
  type KeyShare,
  type PublicKeyPackageJson,
} from '@coffer/crypto';
import {
  genesisBoundSessionId,
  genesisHash,
  parseVaultGenesis,
  type VaultGenesis,
} from '../../approvals/genesis.js';
import { keyShareRecord, saveKeyGenesis } from '../session-store.js';
import type { DriverContext, ProtocolDriver, RoundOutput, StepOutput } from '../types.js';
import {
  decodeInbound,
  decodeState,
  encodeState,
  paramsObject,
  toJsonBytes,
} from './driver-support.js';

export interface DkgSessionParams {
  readonly group: 'secp256k1' | 'ed25519';
  /** Text (`2of3`, `2of(a,b,c)`) or JSON tree form of the access structure. */
  readonly structure: string;
  /** The vault genesis (approvals/genesis.ts) every participant must agree on. */
  readonly genesis?: VaultGenesis;
}

export interface DkgSessionOutput {
  /** Transcript hash, hex: names the key in keystore records and later sessions. */
  readonly keyId: string;
  readonly group: 'secp256k1' | 'ed25519';
  readonly publicKey: string;
  readonly publicKeyPackage: PublicKeyPackageJson;
  readonly chainCode: string;
  readonly transcriptHash: string;
  /** SHA-256 of the genesis document's canonical JSON, when the key has one. */
  readonly genesisHash?: string;
}

/** What the keystore record `frost-share.<keyId>` holds. */
export interface StoredKeyShare {
  readonly v: 1;
  readonly keyShare: ReturnType<typeof encodeKeyShare>;
  readonly chainCode: string;
  readonly transcriptHash: string;
}

interface DkgState {
  readonly phase: 'round1' | 'round2';
  readonly secret: unknown;
  readonly genesis?: VaultGenesis;
}

const DRIVER = 'dkg';

export function parseDkgParams(value: unknown, parties: readonly string[]): DkgSessionParams {
  const p = paramsObject(value, ['group', 'structure', 'genesis']);
  if (p.group !== 'secp256k1' && p.group !== 'ed25519') {
    throw new CryptoError('INVALID_ARGUMENT', 'group must be secp256k1 or ed25519');
  }
  if (typeof p.structure !== 'string') {
    throw new CryptoError('INVALID_ARGUMENT', 'structure must be text or JSON text');
  }
  const structure = AccessStructure.parse(p.structure);
  const same =
    structure.parties.length === parties.length && parties.every((x) => structure.hasParty(x));
  if (!same) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      'the participants must be exactly the structure parties',
    );
  }
  const params: DkgSessionParams = { group: p.group, structure: p.structure };
  return p.genesis === undefined ? params : { ...params, genesis: parseVaultGenesis(p.genesis) };
}

/** The `genesis` field of a state or params, for spreading (absent when there is none). */
export function genesisField(genesis: VaultGenesis | undefined): { genesis?: VaultGenesis } {
  return genesis === undefined ? {} : { genesis };
}

/** DKG round 1 for `self` (the shared first phase of `dkg` and `dkls23-keygen`). */
export function dkgStart(
  ctx: DriverContext,
  params: DkgSessionParams,
): RoundOutput & { phaseState: DkgState } {
  const group: Group = groupByName(params.group);
  const structure = AccessStructure.parse(params.structure);
  const { state, outbound } = dkgRound1({
    group,
    structure,
    party: ctx.self,
    sessionId:
      params.genesis === undefined
        ? ctx.sessionId
        : genesisBoundSessionId(ctx.sessionId, genesisHash(params.genesis)),
  });
  const phaseState: DkgState = {
    phase: 'round1',
    secret: state.toJSON(),
    ...genesisField(params.genesis),
  };
  return {
    phaseState,
    state: '',
    outbound: [{ to: '*', payload: encodeDkgMessage(outbound) }],
    expect: 1,
  };
}

/** One DKG step; returns the next round, or the finished key share. */
export function dkgAdvance(
  state: DkgState,
  inbound: Parameters<ProtocolDriver['step']>[2],
):
  | { next: DkgState; outbound: RoundOutput['outbound']; expect: number }
  | {
      keyShare: KeyShare;
      chainCode: Uint8Array;
      transcriptHash: Uint8Array;
      genesis?: VaultGenesis;
    } {
  const messages = decodeInbound(inbound, decodeDkgMessage);
  if (state.phase === 'round1') {
    const secret = DkgRound1Secret.fromJSON(state.secret);
    const r2 = dkgRound2(secret, messages as DkgRound1Broadcast[]);
    return {
      next: { phase: 'round2', secret: r2.state.toJSON(), ...genesisField(state.genesis) },
      outbound: [
        { to: '*', payload: encodeDkgMessage(r2.outbound.broadcast) },
        ...r2.outbound.direct.map((d) => ({ to: d.recipient, payload: encodeDkgMessage(d) })),
      ],
      expect: 2,
    };
  }
  const secret = DkgRound2Secret.fromJSON(state.secret);
  const broadcasts = messages.filter((m): m is DkgRound2Broadcast => m.kind === 'round2-broadcast');
  const direct = messages.filter((m): m is DkgRound2Direct => m.kind === 'round2-direct');
  const stray = messages.find((m) => m.kind !== 'round2-broadcast' && m.kind !== 'round2-direct');
  if (stray) throw new CryptoError('INVALID_MESSAGE', 'unexpected DKG message', [stray.sender]);
  const result = dkgFinalize(secret, { broadcasts, direct });
  if (result.kind !== 'key') {
    const accused = [...new Set(result.outbound.map((c) => c.accused))];
    throw new CryptoError('INVALID_SHARE', 'round-2 share(s) fail the Feldman check', accused);
  }
  return { ...result.output, ...genesisField(state.genesis) };
}

export function dkgOutputOf(
  keyShare: KeyShare,
  chainCode: Uint8Array,
  transcriptHash: Uint8Array,
  genesis?: VaultGenesis,
): { output: DkgSessionOutput; record: StoredKeyShare } {
  const pkg = encodePublicKeyPackage(keyShare);
  return {
    output: {
      keyId: bytesToHex(transcriptHash),
      group: keyShare.group.name,
      publicKey: pkg.publicKey,
      publicKeyPackage: pkg,
      chainCode: bytesToHex(chainCode),
      transcriptHash: bytesToHex(transcriptHash),
      ...(genesis === undefined ? {} : { genesisHash: genesisHash(genesis) }),
    },
    record: {
      v: 1,
      keyShare: encodeKeyShare(keyShare),
      chainCode: bytesToHex(chainCode),
      transcriptHash: bytesToHex(transcriptHash),
    },
  };
}

export const dkgDriver: ProtocolDriver<DkgSessionParams, DkgSessionOutput> = {
  protocol: 'dkg',
  parseParams: parseDkgParams,
  digestOf: () => undefined,
  start(ctx, params) {
    const first = dkgStart(ctx, params);
    return Promise.resolve({
      ...first,
      state: encodeState(DRIVER, first.phaseState.phase, first.phaseState),
    });
  },
  async step(ctx, text, inbound): Promise<StepOutput<DkgSessionOutput>> {
    const state = decodeState<DkgState>(DRIVER, text);
    const result = dkgAdvance(state, inbound);
    if ('next' in result) {
      return {
        state: encodeState(DRIVER, result.next.phase, result.next),
        outbound: result.outbound,
        expect: result.expect,
      };
    }
    const { output, record } = dkgOutputOf(
      result.keyShare,
      result.chainCode,
      result.transcriptHash,
      result.genesis,
    );
    if (result.genesis) await saveKeyGenesis(ctx.keystore, output.keyId, result.genesis);
    await ctx.keystore.put(keyShareRecord('frost-share', output.keyId), toJsonBytes(record));
    return { done: output };
  },
};
