/**
 * Serialised forms of DKLs23 data (CRYPTO.md invariant 6; CONVENTIONS.md habit 6): the key
 * share (stored encrypted by its holder), the signing messages (carried by the relay inside
 * signed envelopes) and the secret state between rounds (persisted by the node). JSON with
 * `version` and a `kind`, hex for scalars and points, base64 for the OT layer's binary
 * encodings; decoders reject unknown or missing fields and validate every value, naming the
 * sender of a bad message.
 */
import { base64 } from '@scure/base';
import { bytesToHex, hexToBytes } from '../../bytes.js';
import type { GroupPoint } from '../../curves/group.js';
import { secp256k1Group as G } from '../../curves/secp256k1.js';
import { CryptoError } from '../../errors.js';
import { decodeKeyShare, encodeKeyShare, type KeyShareJson } from '../../keys/key-share.js';
import {
  decodeOtExtensionReceiverSetup,
  decodeOtExtensionSenderSetup,
  decodeRvoleReceiverMessage,
  decodeRvoleReceiverState,
  decodeRvoleSenderMessage,
  encodeOtExtensionReceiverSetup,
  encodeOtExtensionSenderSetup,
  encodeRvoleReceiverMessage,
  encodeRvoleReceiverState,
  encodeRvoleSenderMessage,
} from '../../ot/index.js';
import type { PartyId } from '../../sharing/access-structure.js';
import type { Dkls23KeyShare, Dkls23PairState } from './key-share.js';
import { SIGN_PROTOCOL, SIGN_VERSION } from './session.js';
import type {
  EcdsaSignRound1Direct,
  EcdsaSignRound1Secret,
  EcdsaSignRound2Direct,
  EcdsaSignRound2Secret,
  EcdsaSignRound3Broadcast,
  EcdsaSignSession,
  Presignature,
} from './sign-types.js';

export const DKLS23_FORMAT_VERSION = 1;

type Json = Record<string, unknown>;

/** A reader over one JSON object that names `culprit` in every error. */
class Fields {
  constructor(
    private readonly value: Json,
    private readonly what: string,
    private readonly culprits: readonly PartyId[],
  ) {}

  static of(value: unknown, what: string, allowed: readonly string[], culprit?: PartyId): Fields {
    const culprits = culprit === undefined ? [] : [culprit];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new CryptoError('INVALID_MESSAGE', `${what} must be a JSON object`, culprits);
    }
    const keys = Object.keys(value);
    const extra = keys.filter((k) => !allowed.includes(k));
    const missing = allowed.filter((k) => !keys.includes(k));
    if (extra.length > 0 || missing.length > 0) {
      const detail = [...extra.map((k) => `unknown ${k}`), ...missing.map((k) => `missing ${k}`)];
      throw new CryptoError('INVALID_MESSAGE', `${what}: ${detail.join(', ')}`, culprits);
    }
    return new Fields(value as Json, what, culprits);
  }

  fail(message: string): never {
    throw new CryptoError('INVALID_MESSAGE', `${this.what}: ${message}`, this.culprits);
  }
  raw(key: string): unknown {
    return this.value[key];
  }
  string(key: string): string {
    const v = this.value[key];
    return typeof v === 'string' ? v : this.fail(`${key} must be a string`);
  }
  integer(key: string): number {
    const v = this.value[key];
    return typeof v === 'number' && Number.isSafeInteger(v)
      ? v
      : this.fail(`${key} must be an integer`);
  }
  hex(key: string, length?: number): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = hexToBytes(this.string(key), key);
    } catch {
      return this.fail(`${key} must be hex`);
    }
    if (length !== undefined && bytes.length !== length)
      this.fail(`${key} must be ${length} bytes`);
    return bytes;
  }
  base64(key: string): Uint8Array {
    try {
      return base64.decode(this.string(key));
    } catch {
      return this.fail(`${key} must be base64`);
    }
  }
  scalar(key: string): bigint {
    try {
      return G.decodeScalar(this.hex(key, 32));
    } catch (e) {
      if (e instanceof CryptoError && e.code === 'INVALID_MESSAGE') throw e;
      return this.fail(`${key} is not a scalar mod q`);
    }
  }
  point(key: string): GroupPoint {
    const bytes = this.hex(key, 33);
    try {
      return G.decodePoint(bytes);
    } catch {
      throw new CryptoError(
        'INVALID_POINT',
        `${this.what}: ${key} is not a valid point`,
        this.culprits,
      );
    }
  }
  object(key: string, allowed: readonly string[]): Fields {
    return Fields.of(this.value[key], `${this.what}.${key}`, allowed, this.culprits[0]);
  }
  entries(key: string): [string, unknown][] {
    const v = this.value[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(`${key} must be an object`);
    return Object.entries(v as Json);
  }
}

const hexScalar = (s: bigint): string => bytesToHex(G.encodeScalar(s));
const hexPoint = (p: GroupPoint): string => bytesToHex(G.encodePoint(p));

// ---------------------------------------------------------------------------------------------
// Key share

export interface Dkls23KeyShareJson {
  readonly version: typeof DKLS23_FORMAT_VERSION;
  readonly kind: 'dkls23-key-share';
  readonly key: KeyShareJson;
  readonly keyId: string;
  readonly chainCode: string;
  readonly pairs: Record<PartyId, { zeroSeed: string; sender: string; receiver: string }>;
}

export function encodeDkls23KeyShare(share: Dkls23KeyShare): Dkls23KeyShareJson {
  const pairs: Dkls23KeyShareJson['pairs'] = {};
  for (const [party, pair] of share.pairs) {
    pairs[party] = {
      zeroSeed: bytesToHex(pair.zeroSeed),
      sender: base64.encode(encodeOtExtensionSenderSetup(pair.sender)),
      receiver: base64.encode(encodeOtExtensionReceiverSetup(pair.receiver)),
    };
  }
  return {
    version: DKLS23_FORMAT_VERSION,
    kind: 'dkls23-key-share',
    key: encodeKeyShare(share.key),
    keyId: bytesToHex(share.keyId),
    chainCode: bytesToHex(share.chainCode),
    pairs,
  };
}

export function decodeDkls23KeyShare(value: unknown): Dkls23KeyShare {
  const f = Fields.of(value, 'DKLs23 key share', [
    'version',
    'kind',
    'key',
    'keyId',
    'chainCode',
    'pairs',
  ]);
  if (f.integer('version') !== DKLS23_FORMAT_VERSION || f.string('kind') !== 'dkls23-key-share') {
    f.fail('unsupported version or kind');
  }
  const key = decodeKeyShare(f.raw('key'));
  if (key.group !== G) f.fail('DKLs23 keys are secp256k1 keys');
  const others = key.structure.parties.filter((p) => p !== key.party);
  const pairs = new Map<PartyId, Dkls23PairState>();
  for (const [party, raw] of f.entries('pairs')) {
    if (!others.includes(party)) f.fail(`pairs names "${party}", not a counterparty`);
    const p = Fields.of(raw, `pairs.${party}`, ['zeroSeed', 'sender', 'receiver']);
    const sender = decodeOtExtensionSenderSetup(p.base64('sender'));
    const receiver = decodeOtExtensionReceiverSetup(p.base64('receiver'));
    for (const s of [sender, receiver]) {
      if (s.self !== key.party || s.counterparty !== party)
        f.fail(`pairs.${party} is for another pair`);
    }
    pairs.set(party, { zeroSeed: p.hex('zeroSeed', 32), sender, receiver });
  }
  if (pairs.size !== others.length) f.fail('pairwise state missing for some counterparty');
  return { key, keyId: f.hex('keyId', 32), chainCode: f.hex('chainCode', 32), pairs };
}

// ---------------------------------------------------------------------------------------------
// Signing messages

export type EcdsaSignMessage =
  EcdsaSignRound1Direct | EcdsaSignRound2Direct | EcdsaSignRound3Broadcast;

const HEADER = ['protocol', 'version', 'sessionId', 'sender', 'round'] as const;
const ROUND_FIELDS: Record<number, readonly string[]> = {
  1: [...HEADER, 'recipient', 'commitment', 'multiplication'],
  2: [
    ...HEADER,
    ...[
      'recipient',
      'multiplication',
      'gammaU',
      'gammaV',
      'psi',
      'publicShare',
      'noncePoint',
      'salt',
    ],
  ],
  3: [...HEADER, 'u', 'w'],
};

export function encodeEcdsaSignMessage(m: EcdsaSignMessage): string {
  const head = {
    protocol: m.protocol,
    version: m.version,
    sessionId: m.sessionId,
    sender: m.sender,
    round: m.round,
  };
  switch (m.round) {
    case 1:
      return JSON.stringify({
        ...head,
        recipient: m.recipient,
        commitment: bytesToHex(m.commitment),
        multiplication: base64.encode(encodeRvoleReceiverMessage(m.multiplication)),
      });
    case 2:
      return JSON.stringify({
        ...head,
        recipient: m.recipient,
        multiplication: base64.encode(encodeRvoleSenderMessage(m.multiplication)),
        gammaU: hexPoint(m.gammaU),
        gammaV: hexPoint(m.gammaV),
        psi: hexScalar(m.psi),
        publicShare: hexPoint(m.publicShare),
        noncePoint: hexPoint(m.noncePoint),
        salt: bytesToHex(m.salt),
      });
    case 3:
      return JSON.stringify({ ...head, u: hexScalar(m.u), w: hexScalar(m.w) });
  }
}

/** Decodes and validates a signing message; errors name the claimed sender. */
export function decodeEcdsaSignMessage(json: string): EcdsaSignMessage {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new CryptoError('INVALID_MESSAGE', 'signing message is not JSON');
  }
  const sender =
    typeof (value as Json | null)?.sender === 'string' ? String((value as Json).sender) : undefined;
  const round = (value as Json | null)?.round;
  const fields = typeof round === 'number' ? ROUND_FIELDS[round] : undefined;
  if (!fields) {
    throw new CryptoError('INVALID_MESSAGE', 'unknown signing round', sender ? [sender] : []);
  }
  const f = Fields.of(value, `${SIGN_PROTOCOL} round ${String(round)}`, fields, sender);
  if (f.string('protocol') !== SIGN_PROTOCOL || f.integer('version') !== SIGN_VERSION) {
    f.fail('not a DKLs23 signing message of a supported version');
  }
  const head = {
    protocol: SIGN_PROTOCOL,
    version: SIGN_VERSION,
    sessionId: bytesToHex(f.hex('sessionId', 32)),
    sender: f.string('sender'),
  } as const;
  const from = head.sender;
  const opaque = <T>(decode: (b: Uint8Array, from: PartyId) => T): T =>
    decode(f.base64('multiplication'), from);
  if (round === 1) {
    return {
      ...head,
      round: 1,
      recipient: f.string('recipient'),
      commitment: f.hex('commitment', 32),
      multiplication: opaque(decodeRvoleReceiverMessage),
    };
  }
  if (round === 2) {
    return {
      ...head,
      round: 2,
      recipient: f.string('recipient'),
      multiplication: opaque(decodeRvoleSenderMessage),
      gammaU: f.point('gammaU'),
      gammaV: f.point('gammaV'),
      psi: f.scalar('psi'),
      publicShare: f.point('publicShare'),
      noncePoint: f.point('noncePoint'),
      salt: f.hex('salt', 32),
    };
  }
  return { ...head, round: 3, u: f.scalar('u'), w: f.scalar('w') };
}

// ---------------------------------------------------------------------------------------------
// Secret state between rounds and presignatures (persisted by the node, encrypted at rest)

const encodeSession = (s: EcdsaSignSession) => ({
  self: s.self,
  signers: s.signers,
  ssid: bytesToHex(s.ssid),
  tweak: hexScalar(s.tweak),
});

function decodeSession(f: Fields): EcdsaSignSession {
  const s = f.object('session', ['self', 'signers', 'ssid', 'tweak']);
  const signers = s.raw('signers');
  if (!Array.isArray(signers) || !signers.every((x) => typeof x === 'string')) {
    s.fail('signers must be a list of party names');
  }
  return {
    self: s.string('self'),
    signers: signers as string[],
    ssid: s.hex('ssid', 32),
    tweak: s.scalar('tweak'),
  };
}

function refuseConsumed(state: { consumed: boolean }): void {
  if (state.consumed) throw new CryptoError('STATE_CONSUMED', 'a consumed state cannot be saved');
}

const encodeReceivers = (receivers: EcdsaSignRound1Secret['receivers']) =>
  Object.fromEntries(
    [...receivers].map(([j, r]) => [
      j,
      { state: base64.encode(encodeRvoleReceiverState(r.state)), chi: hexScalar(r.chi) },
    ]),
  );

function decodeReceivers(f: Fields): EcdsaSignRound1Secret['receivers'] {
  return new Map(
    f.entries('receivers').map(([j, raw]) => {
      const r = Fields.of(raw, `receivers.${j}`, ['state', 'chi']);
      return [j, { state: decodeRvoleReceiverState(r.base64('state')), chi: r.scalar('chi') }];
    }),
  );
}

const ROUND1_FIELDS = [
  'version',
  'kind',
  'session',
  'instanceKey',
  'noncePoint',
  'inversionMask',
  'salt',
  'receivers',
];

export function encodeEcdsaSignRound1Secret(state: EcdsaSignRound1Secret): string {
  refuseConsumed(state);
  return JSON.stringify({
    version: DKLS23_FORMAT_VERSION,
    kind: 'dkls23-sign-round1-secret',
    session: encodeSession(state.session),
    instanceKey: hexScalar(state.instanceKey),
    noncePoint: hexPoint(state.noncePoint),
    inversionMask: hexScalar(state.inversionMask),
    salt: bytesToHex(state.salt),
    receivers: encodeReceivers(state.receivers),
  });
}

export function decodeEcdsaSignRound1Secret(json: string): EcdsaSignRound1Secret {
  const f = Fields.of(parseJson(json), 'round-1 state', ROUND1_FIELDS);
  checkKind(f, 'dkls23-sign-round1-secret');
  return {
    session: decodeSession(f),
    instanceKey: f.scalar('instanceKey'),
    noncePoint: f.point('noncePoint'),
    inversionMask: f.scalar('inversionMask'),
    salt: f.hex('salt', 32),
    receivers: decodeReceivers(f),
    consumed: false,
  };
}

const ROUND2_FIELDS = [
  ...['version', 'kind', 'session', 'instanceKey', 'noncePoint', 'inversionMask', 'additiveShare'],
  ...['publicShare', 'receivers', 'commitments', 'senderOutputs'],
];

export function encodeEcdsaSignRound2Secret(state: EcdsaSignRound2Secret): string {
  refuseConsumed(state);
  return JSON.stringify({
    version: DKLS23_FORMAT_VERSION,
    kind: 'dkls23-sign-round2-secret',
    session: encodeSession(state.session),
    instanceKey: hexScalar(state.instanceKey),
    noncePoint: hexPoint(state.noncePoint),
    inversionMask: hexScalar(state.inversionMask),
    additiveShare: hexScalar(state.additiveShare),
    publicShare: hexPoint(state.publicShare),
    receivers: encodeReceivers(state.receivers),
    commitments: Object.fromEntries([...state.commitments].map(([j, c]) => [j, bytesToHex(c)])),
    senderOutputs: Object.fromEntries(
      [...state.senderOutputs].map(([j, [cu, cv]]) => [j, [hexScalar(cu), hexScalar(cv)]]),
    ),
  });
}

export function decodeEcdsaSignRound2Secret(json: string): EcdsaSignRound2Secret {
  const f = Fields.of(parseJson(json), 'round-2 state', ROUND2_FIELDS);
  checkKind(f, 'dkls23-sign-round2-secret');
  const commitments = new Map(
    f
      .entries('commitments')
      .map(([j, c]) => [j, Fields.of({ c }, `commitments.${j}`, ['c']).hex('c', 32)]),
  );
  const senderOutputs = new Map(
    f.entries('senderOutputs').map(([j, pair]) => {
      const [u, v] = Array.isArray(pair) && pair.length === 2 ? (pair as unknown[]) : [];
      const p = Fields.of({ u, v }, `senderOutputs.${j}`, ['u', 'v']);
      return [j, [p.scalar('u'), p.scalar('v')] as const];
    }),
  );
  return {
    session: decodeSession(f),
    instanceKey: f.scalar('instanceKey'),
    noncePoint: f.point('noncePoint'),
    inversionMask: f.scalar('inversionMask'),
    additiveShare: f.scalar('additiveShare'),
    publicShare: f.point('publicShare'),
    receivers: decodeReceivers(f),
    commitments,
    senderOutputs,
    consumed: false,
  };
}

const PRESIGNATURE_FIELDS = [
  ...['version', 'kind', 'id', 'session', 'noncePoint', 'r', 'recovery', 'u', 'v'],
  ...['inversionMask', 'publicKey'],
];

/** Serialises a presignature. Its single use is enforced by the ledger, not by this form. */
export function encodePresignature(p: Presignature): string {
  return JSON.stringify({
    version: DKLS23_FORMAT_VERSION,
    kind: 'dkls23-presignature',
    id: p.id,
    session: encodeSession(p.session),
    noncePoint: hexPoint(p.noncePoint),
    r: hexScalar(p.r),
    recovery: p.recovery,
    u: hexScalar(p.u),
    v: hexScalar(p.v),
    inversionMask: hexScalar(p.inversionMask),
    publicKey: hexPoint(p.publicKey),
  });
}

export function decodePresignature(json: string): Presignature {
  const f = Fields.of(parseJson(json), 'presignature', PRESIGNATURE_FIELDS);
  checkKind(f, 'dkls23-presignature');
  const recovery = f.integer('recovery');
  if (recovery < 0 || recovery > 3) f.fail('recovery must be 0..3');
  return {
    id: f.string('id'),
    session: decodeSession(f),
    noncePoint: f.point('noncePoint'),
    r: f.scalar('r'),
    recovery: recovery as 0 | 1 | 2 | 3,
    u: f.scalar('u'),
    v: f.scalar('v'),
    inversionMask: f.scalar('inversionMask'),
    publicKey: f.point('publicKey'),
  };
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new CryptoError('INVALID_MESSAGE', 'state is not JSON');
  }
}

function checkKind(f: Fields, kind: string): void {
  if (f.integer('version') !== DKLS23_FORMAT_VERSION || f.string('kind') !== kind) {
    f.fail(`not a version-${DKLS23_FORMAT_VERSION} ${kind}`);
  }
}
