/**
 * The strict JSON reader behind every DKLs23 serialised form: exact field sets (unknown or
 * missing fields rejected), hex scalars and points validated on the curve, base64 for the OT
 * layer's binary encodings, and every error naming the sender of the document when known.
 */
import { base64 } from '@scure/base';
import { bytesToHex, hexToBytes } from '../../bytes.js';
import type { GroupPoint } from '../../curves/group.js';
import { secp256k1Group as G } from '../../curves/secp256k1.js';
import { CryptoError } from '../../errors.js';
import type { PartyId } from '../../sharing/access-structure.js';

export const DKLS23_FORMAT_VERSION = 1;

export type Json = Record<string, unknown>;

/** A reader over one JSON object that names `culprit` in every error. */
export class Fields {
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
  stringList(key: string): string[] {
    const v = this.value[key];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    return this.fail(`${key} must be a list of strings`);
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

export const hexScalar = (s: bigint): string => bytesToHex(G.encodeScalar(s));
export const hexPoint = (p: GroupPoint): string => bytesToHex(G.encodePoint(p));

export function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new CryptoError('INVALID_MESSAGE', 'state is not JSON');
  }
}

export function checkKind(f: Fields, kind: string): void {
  if (f.integer('version') !== DKLS23_FORMAT_VERSION || f.string('kind') !== kind) {
    f.fail(`not a version-${DKLS23_FORMAT_VERSION} ${kind}`);
  }
}
