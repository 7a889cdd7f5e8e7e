/**
 * The secret state a party keeps between DKG rounds (ZcashFoundation/frost's
 * `round1::SecretPackage` / `round2::SecretPackage` shape). Each object is single use
 * (CRYPTO.md invariants 2 and 6): the next round function takes its data exactly once and a
 * second use throws STATE_CONSUMED. States serialise to versioned JSON (`toJSON`) for a node
 * to persist between rounds and are restored with `fromJSON`, which re-validates everything.
 *
 * The JSON holds secret shares: encrypt it at rest, never log it, and delete it once the
 * next round has run (a restored copy is a new object this module cannot track).
 */
import { bytesToHex, hexToBytes } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { groupByName } from '../keys/key-share.js';
import type { GroupName } from '../curves/group.js';
import { AccessStructure, type PartyId, type ThresholdTree } from '../sharing/access-structure.js';
import { blame, readRound1, type DkgContext, type ReceivedRound1 } from './inbound.js';
import { SESSION_ID_PATTERN, type DkgRound1Broadcast } from './messages.js';
import { echoHash } from './transcript.js';

export interface DkgRound1Data {
  readonly ctx: DkgContext;
  /** The shares this party dealt, one per party (its own included). Secret. */
  readonly shares: ReadonlyMap<PartyId, bigint>;
  /** This party's 32-byte chain-code contribution (secret until round 2). */
  readonly chainCode: Uint8Array;
  /** This party's own round-1 broadcast, decoded. */
  readonly own: ReceivedRound1;
}

export interface DkgRound2Data {
  readonly ctx: DkgContext;
  /** The share this party dealt to itself. Secret. */
  readonly ownShare: bigint;
  readonly chainCode: Uint8Array;
  /** Every party's verified round-1 broadcast (this party's own included). */
  readonly round1: ReadonlyMap<PartyId, ReceivedRound1>;
  /** Echo hash of each round-1 broadcast, canonical party order. */
  readonly echoes: readonly Uint8Array[];
}

interface StateJsonBase {
  readonly protocol: 'dkg';
  readonly version: 1;
  readonly group: GroupName;
  readonly structure: ThresholdTree;
  readonly party: PartyId;
  readonly sessionId: string;
  readonly chainCode: string;
}

export interface DkgRound1SecretJson extends StateJsonBase {
  readonly kind: 'round1-secret';
  /** Dealt shares in canonical party order. */
  readonly shares: readonly string[];
  readonly broadcast: DkgRound1Broadcast;
}

export interface DkgRound2SecretJson extends StateJsonBase {
  readonly kind: 'round2-secret';
  readonly ownShare: string;
  /** Every party's round-1 broadcast in canonical party order. */
  readonly round1: readonly DkgRound1Broadcast[];
}

const BASE_FIELDS = ['protocol', 'version', 'kind', 'group', 'structure', 'party', 'sessionId'];
const invalid = (message: string): CryptoError =>
  new CryptoError('INVALID_ARGUMENT', `DKG state: ${message}`);

/** Checks the fields shared by both state forms and rebuilds the party's context. */
function readBase(value: unknown, kind: string, fields: readonly string[]) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  const allowed = [...BASE_FIELDS, 'chainCode', ...fields];
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw invalid(`unknown field(s): ${extra.join(', ')}`);
  const missing = allowed.filter((k) => !Object.hasOwn(v, k));
  if (missing.length > 0) throw invalid(`missing field(s): ${missing.join(', ')}`);
  if (v.protocol !== 'dkg' || v.version !== 1 || v.kind !== kind) {
    throw invalid(`expected a version-1 DKG ${kind}`);
  }
  const group = groupByName(String(v.group));
  const structure = AccessStructure.fromJSON(v.structure);
  if (typeof v.party !== 'string' || !structure.hasParty(v.party)) {
    throw invalid('party is not in the structure');
  }
  if (typeof v.sessionId !== 'string' || !SESSION_ID_PATTERN.test(v.sessionId)) {
    throw invalid('bad sessionId');
  }
  const ctx: DkgContext = { group, structure, sessionId: v.sessionId, party: v.party };
  const chainCode = hexToBytes(String(v.chainCode), 'chainCode');
  if (chainCode.length !== 32) throw invalid('chainCode must be 32 bytes');
  return { v, ctx, chainCode };
}

function baseJson(ctx: DkgContext, chainCode: Uint8Array) {
  return {
    protocol: 'dkg' as const,
    version: 1 as const,
    group: ctx.group.name,
    structure: ctx.structure.toJSON(),
    party: ctx.party,
    sessionId: ctx.sessionId,
    chainCode: bytesToHex(chainCode),
  };
}

/** Reads an own round-1 broadcast from a state file: it must be this party's. */
function readOwnRound1(ctx: DkgContext, value: unknown, sender: PartyId): ReceivedRound1 {
  const received = readRound1(ctx, value);
  if (received.message.sender !== sender) throw invalid(`round-1 broadcast is not ${sender}'s`);
  return received;
}

/**
 * What the DKG's secret round states share: the party and session they belong to, and single
 * use — `take` hands the data to the next round once; a used state can neither be taken again
 * nor persisted (CRYPTO.md invariants 2 and 6).
 */
abstract class SingleUseDkgState<D extends { readonly ctx: DkgContext }> {
  readonly #data: D;
  readonly #round: string;
  #consumed = false;

  constructor(data: D, round: string) {
    this.#data = data;
    this.#round = round;
  }

  get party(): PartyId {
    return this.#data.ctx.party;
  }

  get sessionId(): string {
    return this.#data.ctx.sessionId;
  }

  get consumed(): boolean {
    return this.#consumed;
  }

  /** Internal: hands the data to the next round, once. */
  take(): D {
    if (this.#consumed) {
      throw new CryptoError(
        'STATE_CONSUMED',
        `this DKG ${this.#round} state has already been used`,
      );
    }
    this.#consumed = true;
    return this.#data;
  }

  /** The data, for persisting an unused state. */
  protected persistable(): D {
    if (this.#consumed) {
      throw new CryptoError('STATE_CONSUMED', 'a used DKG state must not be persisted');
    }
    return this.#data;
  }
}

/** A party's secret state after DKG round 1. Single use. */
export class DkgRound1Secret extends SingleUseDkgState<DkgRound1Data> {
  /** Internal: made by `dkgRound1` or `fromJSON`. */
  constructor(data: DkgRound1Data) {
    super(data, 'round-1');
  }

  toJSON(): DkgRound1SecretJson {
    const { ctx, shares, chainCode, own } = this.persistable();
    return {
      ...baseJson(ctx, chainCode),
      kind: 'round1-secret',
      shares: ctx.structure.parties.map((p) => bytesToHex(ctx.group.encodeScalar(shares.get(p)!))),
      broadcast: own.message,
    };
  }

  static fromJSON(value: unknown): DkgRound1Secret {
    const { v, ctx, chainCode } = readBase(value, 'round1-secret', ['shares', 'broadcast']);
    const parties = ctx.structure.parties;
    if (!Array.isArray(v.shares) || v.shares.length !== parties.length) {
      throw invalid('one share per party expected');
    }
    const shares = new Map<PartyId, bigint>();
    v.shares.forEach((hex: unknown, i) => {
      shares.set(parties[i]!, ctx.group.decodeScalar(hexToBytes(String(hex), 'share')));
    });
    const own = readOwnRound1(ctx, v.broadcast, ctx.party);
    return new DkgRound1Secret({ ctx, shares, chainCode, own });
  }
}

/** A party's secret state after DKG round 2. Single use. */
export class DkgRound2Secret extends SingleUseDkgState<DkgRound2Data> {
  /** Internal: made by `dkgRound2` or `fromJSON`. */
  constructor(data: DkgRound2Data) {
    super(data, 'round-2');
  }

  toJSON(): DkgRound2SecretJson {
    const { ctx, ownShare, chainCode, round1 } = this.persistable();
    return {
      ...baseJson(ctx, chainCode),
      kind: 'round2-secret',
      ownShare: bytesToHex(ctx.group.encodeScalar(ownShare)),
      round1: ctx.structure.parties.map((p) => round1.get(p)!.message),
    };
  }

  /**
   * Restores a round-2 state. The stored round-1 broadcasts were verified before it was
   * written; here they are decoded again (points validated) but proofs are not re-checked.
   */
  static fromJSON(value: unknown): DkgRound2Secret {
    const { v, ctx, chainCode } = readBase(value, 'round2-secret', ['ownShare', 'round1']);
    const parties = ctx.structure.parties;
    if (!Array.isArray(v.round1) || v.round1.length !== parties.length) {
      throw invalid('one round-1 broadcast per party expected');
    }
    const round1 = new Map<PartyId, ReceivedRound1>();
    v.round1.forEach((m: unknown, i) => {
      const party = parties[i]!;
      round1.set(
        party,
        blame(party, () => readOwnRound1(ctx, m, party)),
      );
    });
    const ownShare = ctx.group.decodeScalar(hexToBytes(String(v.ownShare), 'ownShare'));
    const echoes = parties.map((p) => echoHash(ctx, round1.get(p)!.message));
    return new DkgRound2Secret({ ctx, ownShare, chainCode, round1, echoes });
  }
}
