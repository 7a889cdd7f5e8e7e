/**
 * Serialisation of the base-OT round states (DKLs19 Protocol 7 as run in base-ot.ts), so a
 * node can persist them between rounds of the DKG (CRYPTO.md invariant 6). The bytes are
 * secret (they hold b, the pads and Delta): store them only encrypted, and keep a "used" mark
 * beside them, since a restored state is a new object to the in-process single-use guard.
 */
import { secp256k1Group } from '../curves/secp256k1.js';
import type {
  BaseOtConfig,
  BaseOtReceiverState1,
  BaseOtReceiverState2,
  BaseOtSenderState1,
  BaseOtSenderState2,
} from './base-ot.js';
import { KIND, Reader, Writer } from './codec.js';
import { DELTA_BYTES, LAMBDA_C } from './params.js';
import { checkPairIds, SESSION_ID_MAX, SESSION_ID_MIN } from './setup.js';

const PADS = LAMBDA_C * 32;

function writeConfig(w: Writer, c: BaseOtConfig): Writer {
  checkPairIds(c.sessionId, c.sender, c.receiver);
  return w.shortBytes(c.sessionId).string(c.sender).string(c.receiver);
}

function readConfig(r: Reader): BaseOtConfig {
  const sessionId = r.shortBytes(SESSION_ID_MIN, SESSION_ID_MAX);
  const sender = r.string();
  const receiver = r.string();
  try {
    checkPairIds(sessionId, sender, receiver);
  } catch {
    r.fail('has invalid party ids');
  }
  return { sessionId, sender, receiver };
}

export function encodeBaseOtSenderState1(s: BaseOtSenderState1): Uint8Array {
  return writeConfig(new Writer(KIND.baseOtSenderState1), s.config)
    .bytes(secp256k1Group.encodeScalar(s.secret))
    .bytes(s.publicKey)
    .finish();
}

export function decodeBaseOtSenderState1(bytes: Uint8Array): BaseOtSenderState1 {
  const r = new Reader(bytes, 'base-OT sender state 1', [], KIND.baseOtSenderState1);
  const config = readConfig(r);
  const [secret] = r.scalars(1, secp256k1Group.order);
  const publicKey = r.bytes(33);
  r.end();
  if (secret === 0n) r.fail('has a zero secret');
  return { kind: 'base-ot/sender/1', config, secret: secret!, publicKey };
}

export function encodeBaseOtSenderState2(s: BaseOtSenderState2): Uint8Array {
  return writeConfig(new Writer(KIND.baseOtSenderState2), s.config)
    .bytes(s.pads0)
    .bytes(s.pads1)
    .finish();
}

export function decodeBaseOtSenderState2(bytes: Uint8Array): BaseOtSenderState2 {
  const r = new Reader(bytes, 'base-OT sender state 2', [], KIND.baseOtSenderState2);
  const config = readConfig(r);
  const state: BaseOtSenderState2 = {
    kind: 'base-ot/sender/2',
    config,
    pads0: r.bytes(PADS),
    pads1: r.bytes(PADS),
  };
  r.end();
  return state;
}

export function encodeBaseOtReceiverState1(s: BaseOtReceiverState1): Uint8Array {
  return writeConfig(new Writer(KIND.baseOtReceiverState1), s.config)
    .bytes(s.delta)
    .bytes(s.pads)
    .finish();
}

export function decodeBaseOtReceiverState1(bytes: Uint8Array): BaseOtReceiverState1 {
  const r = new Reader(bytes, 'base-OT receiver state 1', [], KIND.baseOtReceiverState1);
  const config = readConfig(r);
  const state: BaseOtReceiverState1 = {
    kind: 'base-ot/receiver/1',
    config,
    delta: r.bytes(DELTA_BYTES),
    pads: r.bytes(PADS),
  };
  r.end();
  return state;
}

export function encodeBaseOtReceiverState2(s: BaseOtReceiverState2): Uint8Array {
  return writeConfig(new Writer(KIND.baseOtReceiverState2), s.config)
    .bytes(s.delta)
    .bytes(s.pads)
    .bytes(s.challenges)
    .finish();
}

export function decodeBaseOtReceiverState2(bytes: Uint8Array): BaseOtReceiverState2 {
  const r = new Reader(bytes, 'base-OT receiver state 2', [], KIND.baseOtReceiverState2);
  const config = readConfig(r);
  const state: BaseOtReceiverState2 = {
    kind: 'base-ot/receiver/2',
    config,
    delta: r.bytes(DELTA_BYTES),
    pads: r.bytes(PADS),
    challenges: r.bytes(PADS),
  };
  r.end();
  return state;
}
