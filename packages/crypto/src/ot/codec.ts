/**
 * Compact, length-checked binary encoding for the OT layer's messages, setups and states
 * (CONVENTIONS.md habit 6): a version byte and a kind byte, then fixed-size fields and
 * length-prefixed strings. The reader rejects truncated, oversized, mis-versioned or
 * non-canonical input with a typed CryptoError naming the sender, never a crash.
 */
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import { bigintToBytesBE, bytesToBigintBE } from '../curves/group.js';
import { OT_FORMAT_VERSION } from './params.js';

export const KIND = {
  baseOtSender1: 1,
  baseOtReceiver1: 2,
  baseOtSender2: 3,
  baseOtReceiver2: 4,
  baseOtSender3: 5,
  baseOtSenderState1: 6,
  baseOtSenderState2: 7,
  baseOtReceiverState1: 8,
  baseOtReceiverState2: 9,
  rvoleReceiverMessage: 16,
  rvoleSenderMessage: 17,
  rvoleReceiverState: 18,
  otExtensionReceiverSetup: 32,
  otExtensionSenderSetup: 33,
} as const;

export class Writer {
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  constructor(kind: number) {
    this.bytes(new Uint8Array([OT_FORMAT_VERSION, kind]));
  }
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  /** A string of at most 255 UTF-8 bytes (party ids), u8 length prefix. */
  string(s: string): this {
    const b = new TextEncoder().encode(s);
    if (b.length > 255) throw new CryptoError('INVALID_ARGUMENT', 'string longer than 255 bytes');
    return this.bytes(new Uint8Array([b.length])).bytes(b);
  }
  /** Short byte string (session ids), u8 length prefix. */
  shortBytes(b: Uint8Array): this {
    if (b.length > 255) throw new CryptoError('INVALID_ARGUMENT', 'field longer than 255 bytes');
    return this.bytes(new Uint8Array([b.length])).bytes(b);
  }
  scalars(values: readonly bigint[]): this {
    const out = new Uint8Array(values.length * 32);
    values.forEach((v, i) => out.set(bigintToBytesBE(v, 32), i * 32));
    return this.bytes(out);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export class Reader {
  private offset = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
    private readonly culprits: readonly PartyId[],
    kind: number,
  ) {
    if (!(data instanceof Uint8Array)) this.fail('is not a byte array');
    const header = this.bytes(2);
    if (header[0] !== OT_FORMAT_VERSION) this.fail(`has unsupported version ${header[0]}`);
    if (header[1] !== kind) this.fail(`has wrong kind ${header[1]} (expected ${kind})`);
  }
  fail(why: string): never {
    throw new CryptoError('INVALID_MESSAGE', `${this.what} ${why}`, this.culprits);
  }
  bytes(n: number): Uint8Array {
    if (this.offset + n > this.data.length) this.fail('is truncated');
    const out = this.data.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  string(): string {
    const n = this.bytes(1)[0]!;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(n));
    } catch {
      this.fail('has a malformed string');
    }
  }
  shortBytes(min: number, max: number): Uint8Array {
    const n = this.bytes(1)[0]!;
    if (n < min || n > max) this.fail(`has a field of bad length ${n}`);
    return this.bytes(n);
  }
  /** `count` canonical scalars (< order), 32 bytes each. */
  scalars(count: number, order: bigint): bigint[] {
    const raw = this.bytes(count * 32);
    const out: bigint[] = new Array<bigint>(count);
    for (let i = 0; i < count; i++) {
      const s = bytesToBigintBE(raw.subarray(i * 32, (i + 1) * 32));
      if (s >= order) this.fail('contains a scalar that is not reduced mod q');
      out[i] = s;
    }
    return out;
  }
  end(): void {
    if (this.offset !== this.data.length) this.fail('has trailing bytes');
  }
}

/** Throws INVALID_MESSAGE (naming `culprits`) unless `b` is a Uint8Array of `length` bytes. */
export function expectBytes(
  b: unknown,
  length: number,
  what: string,
  culprits: readonly PartyId[],
): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== length) {
    throw new CryptoError('INVALID_MESSAGE', `${what} must be ${length} bytes`, culprits);
  }
}

/** Checks a message's version field (in-memory messages may come from other decoders). */
export function expectVersion(version: unknown, what: string, culprits: readonly PartyId[]): void {
  if (version !== OT_FORMAT_VERSION) {
    throw new CryptoError('INVALID_MESSAGE', `${what} has unsupported version`, culprits);
  }
}
