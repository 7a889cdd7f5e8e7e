/**
 * Shared helpers of the protocol drivers: validating untrusted params, (de)serialising the
 * drivers' JSON state envelopes, decoding a peer's payload with the blame on that peer (the
 * transport authenticated the node, the runner mapped it to `from`; a payload that fails to
 * decode, or claims another sender, is that party's fault), and key-share storage.
 */
import { CryptoError, type PartyId } from '@coffer/crypto';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Keystore } from '../../keystore/index.js';
import { isNodeError } from '../../errors.js';
import { SessionAborted } from '../errors.js';
import type { InboundMessage } from '../types.js';

/** Throws INVALID_ARGUMENT unless `value` is a plain object with only `allowed` keys. */
export function paramsObject(value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CryptoError('INVALID_ARGUMENT', 'params must be an object');
  }
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new CryptoError('INVALID_ARGUMENT', `unknown param(s): ${extra.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

/** Lowercase hex of `min..max` bytes, or INVALID_ARGUMENT naming `what`. */
export function hexParam(value: unknown, what: string, min: number, max: number): string {
  const ok =
    typeof value === 'string' &&
    /^(?:[0-9a-f]{2})*$/.test(value) &&
    value.length / 2 >= min &&
    value.length / 2 <= max;
  if (!ok) throw new CryptoError('INVALID_ARGUMENT', `${what} must be ${min}..${max} bytes of hex`);
  return value;
}

/** A driver's state envelope: `{ driver, phase, ...fields }` as JSON. */
export function encodeState(driver: string, phase: string, fields: object): string {
  return JSON.stringify({ driver, phase, ...fields });
}

export function decodeState<T extends { phase: string }>(driver: string, text: string): T {
  const value = JSON.parse(text) as { driver?: unknown; phase?: unknown };
  if (value.driver !== driver || typeof value.phase !== 'string') {
    throw new CryptoError('INVALID_ARGUMENT', `not a ${driver} session state`);
  }
  return value as T;
}

/**
 * Decodes each inbound payload with `decode`; a decode failure, or a message whose own
 * `sender` field differs from the authenticated party, is blamed on that party.
 */
export function decodeInbound<M extends { readonly sender: unknown }>(
  inbound: readonly InboundMessage[],
  decode: (json: string) => M,
): M[] {
  return inbound.map((m) => {
    let message: M;
    try {
      message = decode(m.payload);
    } catch (error) {
      const code = error instanceof CryptoError ? error.code : 'INVALID_MESSAGE';
      throw new CryptoError(code, `undecodable message from ${m.from}`, [m.from]);
    }
    if (message.sender !== m.from) {
      throw new CryptoError('INVALID_MESSAGE', `message claims another sender`, [m.from]);
    }
    return message;
  });
}

/** JSON-friendly copy of a value whose Uint8Array / bigint fields the codecs handle. */
export function toJsonBytes(value: unknown): Uint8Array {
  return utf8ToBytes(JSON.stringify(value));
}

/** Reads a JSON keystore record; a missing one is KEY_UNAVAILABLE (no signing without it). */
export async function readJsonRecord(keystore: Keystore, name: string): Promise<unknown> {
  try {
    return JSON.parse(Buffer.from(await keystore.get(name)).toString('utf8')) as unknown;
  } catch (error) {
    if (isNodeError(error, 'RECORD_NOT_FOUND')) {
      throw new SessionAborted('KEY_UNAVAILABLE', `no key share record ${name}`);
    }
    throw error;
  }
}

/** The participants other than `self`. */
export function othersOf(parties: readonly PartyId[], self: PartyId): PartyId[] {
  return parties.filter((p) => p !== self);
}
