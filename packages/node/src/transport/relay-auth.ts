/**
 * The WebSocket relay protocol shared by ws-relay-server.ts and ws-relay-client.ts. Control
 * frames are JSON text; envelope frames are binary. Authentication is a signed challenge:
 *   server → node  {"t":"challenge","v":1,"serverId","nonce"(32 random bytes, hex),"ts"}
 *   node → server  {"t":"auth","v":1,"nodeId","serverId","nonce","ts","sig"}
 *   server → node  {"t":"ready"}  or close 4401 (bad proof) / 4403 (not enrolled)
 * where sig = Ed25519(node signing key, authSigningBytes(serverId, nonce, ts, nodeId)).
 * Binding the server id stops a rogue server from relaying a challenge of the real one;
 * the per-connection nonce, consumed once, stops replays of a recorded answer.
 * Node → server binary frame: u8 length of `to`, `to` (utf-8), envelope bytes.
 */
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { RawData } from 'ws';
import { lengthPrefixed } from './envelope.js';

export const AUTH_PROTOCOL_VERSION = 1;
export const CLOSE_AUTH_FAILED = 4401;
export const CLOSE_NOT_ENROLLED = 4403;
export const CLOSE_AUTH_TIMEOUT = 4408;
export const CLOSE_REPLACED = 4409;
export const CLOSE_PROTOCOL = 4400;

const AUTH_DOMAIN = utf8ToBytes('coffer/relay-auth/v1');

export interface ChallengeFrame {
  readonly t: 'challenge';
  readonly v: 1;
  readonly serverId: string;
  readonly nonce: string;
  readonly ts: number;
}

export interface AuthFrame {
  readonly t: 'auth';
  readonly v: 1;
  readonly nodeId: string;
  readonly serverId: string;
  readonly nonce: string;
  readonly ts: number;
  readonly sig: string;
}

export function authSigningBytes(
  serverId: string,
  nonceHex: string,
  ts: number,
  nodeId: string,
): Uint8Array {
  const t = new Uint8Array(8);
  new DataView(t.buffer).setBigUint64(0, BigInt(ts), false);
  return lengthPrefixed(
    AUTH_DOMAIN,
    utf8ToBytes(serverId),
    hexToBytes(nonceHex),
    t,
    utf8ToBytes(nodeId),
  );
}

/** Parses a JSON control frame of the expected type with exactly the expected keys. */
export function parseControl<T extends { t: string }>(
  text: string,
  t: T['t'],
  keys: readonly (keyof T & string)[],
): T | undefined {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const rec = o as Record<string, unknown>;
  const got = Object.keys(rec);
  if (rec.t !== t || got.length !== keys.length || !keys.every((k) => got.includes(k))) {
    return undefined;
  }
  return rec as T;
}

export function encodeRoutedFrame(to: string, envelopeBytes: Uint8Array): Uint8Array {
  const toBytes = utf8ToBytes(to);
  if (toBytes.length === 0 || toBytes.length > 255) throw new Error('bad recipient');
  const out = new Uint8Array(1 + toBytes.length + envelopeBytes.length);
  out[0] = toBytes.length;
  out.set(toBytes, 1);
  out.set(envelopeBytes, 1 + toBytes.length);
  return out;
}

export function decodeRoutedFrame(
  frame: Uint8Array,
): { to: string; envelopeBytes: Uint8Array } | undefined {
  const len = frame[0];
  if (len === undefined || len === 0 || frame.length < 1 + len) return undefined;
  const to = new TextDecoder().decode(frame.subarray(1, 1 + len));
  return { to, envelopeBytes: frame.subarray(1 + len) };
}

/** A ws message as one byte array (ws may hand over a Buffer, fragments or an ArrayBuffer). */
export function rawToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
