/**
 * Serialised secret state of DKLs23 signing between rounds, and presignatures (CRYPTO.md
 * invariant 6): what a signing node persists, encrypted, between rounds. A consumed state
 * cannot be saved; a presignature's single use is enforced by the usage ledger.
 */
import { base64 } from '@scure/base';
import { bytesToHex } from '../../bytes.js';
import { CryptoError } from '../../errors.js';
import { decodeRvoleReceiverState, encodeRvoleReceiverState } from '../../ot/index.js';
import { presignatureId } from './session.js';
import {
  checkKind,
  DKLS23_FORMAT_VERSION,
  Fields,
  hexPoint,
  hexScalar,
  parseJson,
} from './json-fields.js';
import type {
  EcdsaSignRound1Secret,
  EcdsaSignRound2Secret,
  EcdsaSignSession,
  Presignature,
} from './sign-types.js';

const encodeSession = (s: EcdsaSignSession) => ({
  self: s.self,
  signers: s.signers,
  ssid: bytesToHex(s.ssid),
  tweak: hexScalar(s.tweak),
});

function decodeSession(f: Fields): EcdsaSignSession {
  const s = f.object('session', ['self', 'signers', 'ssid', 'tweak']);
  const signers = s.stringList('signers');
  return {
    self: s.string('self'),
    signers,
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
  ...['version', 'kind', 'id', 'session', 'noncePoint', 'r', 'u', 'v'],
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
    u: hexScalar(p.u),
    v: hexScalar(p.v),
    inversionMask: hexScalar(p.inversionMask),
    publicKey: hexPoint(p.publicKey),
  });
}

export function decodePresignature(json: string): Presignature {
  const f = Fields.of(parseJson(json), 'presignature', PRESIGNATURE_FIELDS);
  checkKind(f, 'dkls23-presignature');
  const session = decodeSession(f);
  const v = f.scalar('v');
  const inversionMask = f.scalar('inversionMask');
  const id = presignatureId(session.ssid, session.self, inversionMask);
  if (f.string('id') !== id) f.fail('id does not match the presignature it names');
  return {
    id,
    session,
    noncePoint: f.point('noncePoint'),
    r: f.scalar('r'),
    u: f.scalar('u'),
    v,
    inversionMask,
    publicKey: f.point('publicKey'),
  };
}
