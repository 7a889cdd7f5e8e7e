/**
 * The long-term pairwise OT state that base OT leaves behind (DKLs23 Functionality 3.5 setup;
 * DKLS23-NOTES.md §2.2 and §2.3), one per ordered pair (Alice -> Bob):
 *
 * - Bob, the base-OT sender and future OT-extension (and RVOLE) receiver, keeps both seeds
 *   (s_h^0, s_h^1) of every base OT h < lambda_c: `OtExtensionReceiverSetup`.
 * - Alice, the base-OT receiver and future OT-extension (and RVOLE) sender, keeps her choice
 *   bits Delta and the chosen seeds s_h^{Delta_h}: `OtExtensionSenderSetup`.
 *
 * Seeds are 16 bytes (AES-128 PRG keys), so Bob's setup is about 8.2 KB and Alice's 4.1 KB.
 * Both serialise to compact, versioned bytes. These values are secret: a party that learns
 * the counterparty's setup breaks the privacy of every later multiplication of that pair.
 */
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import { KIND, Reader, Writer } from './codec.js';
import { DELTA_BYTES, LAMBDA_C, OT_FORMAT_VERSION, SEED_BYTES } from './params.js';

/** Bob's side: both seeds of every base OT (s_h^0 at h*16 in seeds0, s_h^1 in seeds1). */
export interface OtExtensionReceiverSetup {
  readonly version: typeof OT_FORMAT_VERSION;
  /** Id of the session (DKG / refresh) that ran the base OTs, bound into every later hash. */
  readonly sessionId: Uint8Array;
  /** Bob (this party). */
  readonly self: PartyId;
  /** Alice (the counterparty, the OT-extension sender). */
  readonly counterparty: PartyId;
  readonly seeds0: Uint8Array;
  readonly seeds1: Uint8Array;
}

/** Alice's side: Delta (bit h = base-OT choice bit h, LSB first) and s_h^{Delta_h}. */
export interface OtExtensionSenderSetup {
  readonly version: typeof OT_FORMAT_VERSION;
  readonly sessionId: Uint8Array;
  /** Alice (this party). */
  readonly self: PartyId;
  /** Bob (the counterparty, the OT-extension receiver). */
  readonly counterparty: PartyId;
  readonly delta: Uint8Array;
  readonly seeds: Uint8Array;
}

export const SESSION_ID_MIN = 16;
export const SESSION_ID_MAX = 64;

/** Validates the public parameters shared by base OT and the setups. */
export function checkPairIds(sessionId: unknown, a: unknown, b: unknown): void {
  if (
    !(sessionId instanceof Uint8Array) ||
    sessionId.length < SESSION_ID_MIN ||
    sessionId.length > SESSION_ID_MAX
  ) {
    throw new CryptoError('INVALID_ARGUMENT', 'session id must be 16 to 64 bytes');
  }
  for (const id of [a, b]) {
    if (typeof id !== 'string' || id.length === 0 || new TextEncoder().encode(id).length > 255) {
      throw new CryptoError('INVALID_ARGUMENT', 'party ids must be non-empty, at most 255 bytes');
    }
  }
  if (a === b) throw new CryptoError('INVALID_ARGUMENT', 'the two parties must differ');
}

function checkLen(b: unknown, n: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== n) {
    throw new CryptoError('INVALID_ARGUMENT', `${what} must be ${n} bytes`);
  }
}

export function checkReceiverSetup(s: OtExtensionReceiverSetup): void {
  if (typeof s !== 'object' || s === null || s.version !== OT_FORMAT_VERSION) {
    throw new CryptoError('INVALID_ARGUMENT', 'not an OT-extension receiver setup (version 1)');
  }
  checkPairIds(s.sessionId, s.self, s.counterparty);
  checkLen(s.seeds0, LAMBDA_C * SEED_BYTES, 'seeds0');
  checkLen(s.seeds1, LAMBDA_C * SEED_BYTES, 'seeds1');
}

export function checkSenderSetup(s: OtExtensionSenderSetup): void {
  if (typeof s !== 'object' || s === null || s.version !== OT_FORMAT_VERSION) {
    throw new CryptoError('INVALID_ARGUMENT', 'not an OT-extension sender setup (version 1)');
  }
  checkPairIds(s.sessionId, s.self, s.counterparty);
  checkLen(s.delta, DELTA_BYTES, 'delta');
  checkLen(s.seeds, LAMBDA_C * SEED_BYTES, 'seeds');
}

export function encodeOtExtensionReceiverSetup(s: OtExtensionReceiverSetup): Uint8Array {
  checkReceiverSetup(s);
  return new Writer(KIND.otExtensionReceiverSetup)
    .shortBytes(s.sessionId)
    .string(s.self)
    .string(s.counterparty)
    .bytes(s.seeds0)
    .bytes(s.seeds1)
    .finish();
}

export function decodeOtExtensionReceiverSetup(bytes: Uint8Array): OtExtensionReceiverSetup {
  const r = new Reader(bytes, 'OT-extension receiver setup', [], KIND.otExtensionReceiverSetup);
  const sessionId = r.shortBytes(SESSION_ID_MIN, SESSION_ID_MAX);
  const self = r.string();
  const counterparty = r.string();
  const seeds0 = r.bytes(LAMBDA_C * SEED_BYTES);
  const seeds1 = r.bytes(LAMBDA_C * SEED_BYTES);
  r.end();
  const setup: OtExtensionReceiverSetup = {
    version: OT_FORMAT_VERSION,
    sessionId,
    self,
    counterparty,
    seeds0,
    seeds1,
  };
  try {
    checkReceiverSetup(setup);
  } catch (e) {
    r.fail(e instanceof Error ? e.message : 'is invalid');
  }
  return setup;
}

export function encodeOtExtensionSenderSetup(s: OtExtensionSenderSetup): Uint8Array {
  checkSenderSetup(s);
  return new Writer(KIND.otExtensionSenderSetup)
    .shortBytes(s.sessionId)
    .string(s.self)
    .string(s.counterparty)
    .bytes(s.delta)
    .bytes(s.seeds)
    .finish();
}

export function decodeOtExtensionSenderSetup(bytes: Uint8Array): OtExtensionSenderSetup {
  const r = new Reader(bytes, 'OT-extension sender setup', [], KIND.otExtensionSenderSetup);
  const sessionId = r.shortBytes(SESSION_ID_MIN, SESSION_ID_MAX);
  const self = r.string();
  const counterparty = r.string();
  const delta = r.bytes(DELTA_BYTES);
  const seeds = r.bytes(LAMBDA_C * SEED_BYTES);
  r.end();
  const setup: OtExtensionSenderSetup = {
    version: OT_FORMAT_VERSION,
    sessionId,
    self,
    counterparty,
    delta,
    seeds,
  };
  try {
    checkSenderSetup(setup);
  } catch (e) {
    r.fail(e instanceof Error ? e.message : 'is invalid');
  }
  return setup;
}
