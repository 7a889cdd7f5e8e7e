/**
 * Messages and Bob's between-rounds state for the RVOLE multiplication (DKLs23 Protocol 5.2;
 * rvole.ts), with compact, length-checked, versioned binary encodings (CONVENTIONS.md habit 6).
 * Sizes with xi = 512, lambda_c = 128, width 3: Bob's message 12,322 bytes (U 10 KiB, check
 * values 2 KiB), Alice's 49,234 bytes (1,536 scalars).
 * Decoders reject truncated, oversized, mis-versioned input and unreduced scalars with
 * INVALID_MESSAGE naming the sender.
 */
import { CryptoError } from '../errors.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import type { PartyId } from '../sharing/access-structure.js';
import { KIND, Reader, Writer, expectBytes, expectVersion } from './codec.js';
import { COTE_SIZES, checkCoteReceiverMessage, type CoteReceiverMessage } from './ot-extension.js';
import { NONCE_BYTES, OT_FORMAT_VERSION, ROW_BYTES, WIDTH, XI } from './params.js';
import { bigFromBytes, packScalars } from './scalars.js';

const q = secp256k1Group.order;

/** Bob -> Alice: the OT-extension message (nonce, U, x~, t~). */
export interface RvoleReceiverMessage extends CoteReceiverMessage {
  readonly version: typeof OT_FORMAT_VERSION;
}

/** Alice -> Bob: her nonce, the correction vector at (xi*width scalars), etah and mu. */
export interface RvoleSenderMessage {
  readonly version: typeof OT_FORMAT_VERSION;
  readonly nonce: Uint8Array;
  readonly at: readonly bigint[];
  readonly etaHat: bigint;
  readonly mu: Uint8Array;
}

/**
 * Bob's secret state between his two flows: single-use (rvoleReceiverFinish consumes and
 * wipes it). Serialisable with encodeRvoleReceiverState for persistence between rounds.
 */
export interface RvoleReceiverState {
  readonly version: typeof OT_FORMAT_VERSION;
  /** Bob. */
  readonly self: PartyId;
  /** Alice. */
  readonly counterparty: PartyId;
  readonly instance: Uint8Array;
  /** beta: xi choice bits (secret). */
  readonly choices: Uint8Array;
  /** t_j rows, xi * 32 bytes (secret). */
  readonly tRows: Uint8Array;
}

const AT_COUNT = XI * WIDTH;

export function checkRvoleSenderMessage(m: RvoleSenderMessage, from: PartyId): void {
  const c = [from];
  expectVersion(m?.version, 'RVOLE sender message', c);
  expectBytes(m.nonce, NONCE_BYTES, 'RVOLE sender nonce', c);
  expectBytes(m.mu, 32, 'RVOLE check hash mu', c);
  const scalar = (v: unknown) => typeof v === 'bigint' && v >= 0n && v < q;
  if (!Array.isArray(m.at) || m.at.length !== AT_COUNT || !m.at.every(scalar)) {
    throw new CryptoError('INVALID_MESSAGE', `RVOLE at must be ${AT_COUNT} scalars < q`, c);
  }
  if (!scalar(m.etaHat)) throw new CryptoError('INVALID_MESSAGE', 'RVOLE etah is not < q', c);
}

export function checkRvoleReceiverState(s: RvoleReceiverState): void {
  const ok =
    s?.version === OT_FORMAT_VERSION &&
    typeof s.self === 'string' &&
    typeof s.counterparty === 'string' &&
    s.instance instanceof Uint8Array &&
    s.instance.length === 32 &&
    s.choices instanceof Uint8Array &&
    s.choices.length === XI / 8 &&
    s.tRows instanceof Uint8Array &&
    s.tRows.length === XI * ROW_BYTES;
  if (!ok) throw new CryptoError('INVALID_ARGUMENT', 'not an RVOLE receiver state (version 1)');
}

export function encodeRvoleReceiverMessage(m: RvoleReceiverMessage): Uint8Array {
  return new Writer(KIND.rvoleReceiverMessage)
    .bytes(m.nonce)
    .bytes(m.u)
    .bytes(m.xt)
    .bytes(m.tt)
    .finish();
}

export function decodeRvoleReceiverMessage(bytes: Uint8Array, from: PartyId): RvoleReceiverMessage {
  const r = new Reader(bytes, 'RVOLE receiver message', [from], KIND.rvoleReceiverMessage);
  const m: RvoleReceiverMessage = {
    version: OT_FORMAT_VERSION,
    nonce: r.bytes(COTE_SIZES.nonce),
    u: r.bytes(COTE_SIZES.u),
    xt: r.bytes(COTE_SIZES.xt),
    tt: r.bytes(COTE_SIZES.tt),
  };
  r.end();
  checkCoteReceiverMessage(m, from);
  return m;
}

export function encodeRvoleSenderMessage(m: RvoleSenderMessage): Uint8Array {
  return new Writer(KIND.rvoleSenderMessage)
    .bytes(m.nonce)
    .bytes(packScalars(m.at))
    .bytes(packScalars([m.etaHat]))
    .bytes(m.mu)
    .finish();
}

export function decodeRvoleSenderMessage(bytes: Uint8Array, from: PartyId): RvoleSenderMessage {
  const r = new Reader(bytes, 'RVOLE sender message', [from], KIND.rvoleSenderMessage);
  const nonce = r.bytes(NONCE_BYTES);
  const raw = r.bytes(AT_COUNT * 32);
  const at = new Array<bigint>(AT_COUNT);
  for (let k = 0; k < AT_COUNT; k++) {
    const v = bigFromBytes(raw.subarray(k * 32, (k + 1) * 32));
    if (v >= q) r.fail('contains a scalar that is not reduced mod q');
    at[k] = v;
  }
  const [etaHat] = r.scalars(1, q);
  const mu = r.bytes(32);
  r.end();
  return { version: OT_FORMAT_VERSION, nonce, at, etaHat: etaHat!, mu };
}

export function encodeRvoleReceiverState(s: RvoleReceiverState): Uint8Array {
  checkRvoleReceiverState(s);
  return new Writer(KIND.rvoleReceiverState)
    .string(s.self)
    .string(s.counterparty)
    .bytes(s.instance)
    .bytes(s.choices)
    .bytes(s.tRows)
    .finish();
}

export function decodeRvoleReceiverState(bytes: Uint8Array): RvoleReceiverState {
  const r = new Reader(bytes, 'RVOLE receiver state', [], KIND.rvoleReceiverState);
  const s: RvoleReceiverState = {
    version: OT_FORMAT_VERSION,
    self: r.string(),
    counterparty: r.string(),
    instance: r.bytes(32),
    choices: r.bytes(XI / 8),
    tRows: r.bytes(XI * ROW_BYTES),
  };
  r.end();
  return s;
}
