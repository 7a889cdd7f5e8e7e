/**
 * Correlated OT extension for one DKLs23 multiplication (DKLs23 §5.1, Functionality 5.1 with
 * Fiat–Shamir; DKLS23-NOTES.md §3.2): IKNP-style extension of the lambda_c base OTs to
 * xi' = xi + sigma OTs with the KOS15 consistency check in its corrected form (updated KOS15,
 * Fig. 10; equivalently SoftSpokenOT, ePrint 2022/192, with k = 1): a per-column linear hash
 * over GF(2^128) with sigma random padding bits, checked by Alice against Delta. Then the
 * random-OT row hashes (KOS15 §4; DKLS23-NOTES.md §3.2 step 4).
 *
 * Bob (OT-extension receiver, holds both seeds) extends; Alice (holds Delta) verifies and, on
 * failure, throws OT_CHECK_FAILED naming Bob: the failure may depend on Delta, so the caller
 * must abort and stop using this pair's setup (DKLS23-NOTES.md §3.4, §5, pitfall 2).
 *
 * Layout: column h (one per base OT) is xi' bits = 80 bytes, bit j at byte j>>3, bit j&7;
 * row j (one per extended OT, j < xi) is lambda_c bits = 32 bytes, bit h = bit j of column h.
 *
 * Deviation from DKLs23 (§5.1, fresh iid per instance): Bob mixes a fresh 16-byte nonce into
 * the instance key and Alice a fresh nonce into the row hashes, both sent in the clear, so
 * even a caller that reuses an iid never expands the same (seed, instance) twice (pitfall 3).
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeTranscript, transcriptHash } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { getCryptoProvider } from '../provider/crypto-provider.js';
import { gf128AddAcc, gf128Bytes, gf128MulAcc, gf128Table } from './gf128.js';
import {
  BLOCK_BYTES,
  CHECK_BLOCKS,
  COLUMN_BYTES,
  LAMBDA_C,
  NONCE_BYTES,
  ROW_BYTES,
  SEED_BYTES,
  WIDE_BYTES,
  WIDTH,
  XI,
} from './params.js';
import { wideScalars } from './scalars.js';
import type { OtExtensionReceiverSetup, OtExtensionSenderSetup } from './setup.js';
import { expectBytes } from './codec.js';

/** Bob's extension message: his nonce, U (lambda_c columns), and the check values. */
export interface CoteReceiverMessage {
  readonly nonce: Uint8Array;
  /** U_h = T0_h xor T1_h xor x, lambda_c * 80 bytes. */
  readonly u: Uint8Array;
  /** x~ = sum_b chi_b*x_b + x_pad in GF(2^128). */
  readonly xt: Uint8Array;
  /** t~_h = sum_b chi_b*T0_{h,b} + T0_{h,pad}, lambda_c * 16 bytes. */
  readonly tt: Uint8Array;
}

export const COTE_SIZES = {
  nonce: NONCE_BYTES,
  u: LAMBDA_C * COLUMN_BYTES,
  xt: BLOCK_BYTES,
  tt: LAMBDA_C * BLOCK_BYTES,
} as const;

/** Validates the sizes of Bob's extension message; INVALID_MESSAGE naming `from`. */
export function checkCoteReceiverMessage(m: CoteReceiverMessage, from: string): void {
  expectBytes(m?.nonce, COTE_SIZES.nonce, 'OT-extension nonce', [from]);
  expectBytes(m.u, COTE_SIZES.u, 'OT-extension matrix U', [from]);
  expectBytes(m.xt, COTE_SIZES.xt, 'OT-extension check value x~', [from]);
  expectBytes(m.tt, COTE_SIZES.tt, 'OT-extension check values t~', [from]);
}

/** Instance key: binds the setup's session, both ids (Bob first), the caller's iid and Bob's nonce. */
export function instanceKey(
  sessionId: Uint8Array,
  bob: string,
  alice: string,
  iid: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  return transcriptHash('coffer/ot/v1/cote/instance', sessionId, bob, alice, iid, nonce);
}

/** Fiat–Shamir challenges chi_1..chi_m in GF(2^128) from H(instance, U) (DKLs23 §5.1). */
function challenges(instance: Uint8Array, u: Uint8Array): Uint8Array[] {
  const p = getCryptoProvider();
  const digest = p.sha256(encodeTranscript('coffer/ot/v1/cote/challenge', [instance, u]));
  const bytes = p.prg(digest, instance, CHECK_BLOCKS * BLOCK_BYTES);
  return Array.from({ length: CHECK_BLOCKS }, (_, b) =>
    bytes.subarray(b * BLOCK_BYTES, (b + 1) * BLOCK_BYTES),
  );
}

/** Linear check hash of each 80-byte column: sum_b chi_b*block_b + pad block (KOS15 Fig. 10). */
function columnHashes(columns: Uint8Array, count: number, chis: readonly Uint8Array[]): Uint8Array {
  const tables = chis.map(gf128Table);
  const out = new Uint8Array(count * BLOCK_BYTES);
  const acc = new Uint32Array(4);
  for (let h = 0; h < count; h++) {
    const base = h * COLUMN_BYTES;
    acc.fill(0);
    gf128AddAcc(acc, columns, base + CHECK_BLOCKS * BLOCK_BYTES);
    for (let b = 0; b < CHECK_BLOCKS; b++) gf128MulAcc(acc, tables[b]!, columns, base + b * 16);
    out.set(gf128Bytes(acc), h * BLOCK_BYTES);
  }
  return out;
}

/** Rows j < xi of the lambda_c columns (a bit-matrix transpose; branch-free in the bits). */
function transposeToRows(columns: Uint8Array): Uint8Array {
  const rows = new Uint8Array(XI * ROW_BYTES);
  for (let h = 0; h < LAMBDA_C; h++) {
    const colBase = h * COLUMN_BYTES;
    const rowByte = h >> 3;
    const shift = h & 7;
    for (let jb = 0; jb < XI / 8; jb++) {
      const v = columns[colBase + jb]!;
      const base = jb * 8 * ROW_BYTES + rowByte;
      for (let bit = 0; bit < 8; bit++) {
        rows[base + bit * ROW_BYTES]! |= ((v >>> bit) & 1) << shift;
      }
    }
  }
  return rows;
}

/**
 * Bob's extension (DKLS23-NOTES.md §3.2 steps 1 and 3): x = beta || pad with random choice
 * bits beta (xi bits) and sigma pad bits; returns beta, his rows t_j and the message.
 */
export function coteReceiverExtend(
  setup: OtExtensionReceiverSetup,
  iid: Uint8Array,
): { instance: Uint8Array; choices: Uint8Array; tRows: Uint8Array; message: CoteReceiverMessage } {
  const p = getCryptoProvider();
  const nonce = randomBytes(NONCE_BYTES);
  const instance = instanceKey(setup.sessionId, setup.self, setup.counterparty, iid, nonce);
  const x = randomBytes(COLUMN_BYTES); // beta (xi bits) || pad (sigma bits)
  const t0 = p.prgBatch(setup.seeds0, SEED_BYTES, instance, COLUMN_BYTES);
  const u = p.prgBatch(setup.seeds1, SEED_BYTES, instance, COLUMN_BYTES);
  for (let k = 0; k < u.length; k++) u[k]! ^= t0[k]! ^ x[k % COLUMN_BYTES]!;
  const chis = challenges(instance, u);
  const xt = columnHashes(x, 1, chis);
  const tt = columnHashes(t0, LAMBDA_C, chis);
  const tRows = transposeToRows(t0);
  t0.fill(0);
  const choices = x.slice(0, XI / 8);
  x.fill(0);
  return { instance, choices, tRows, message: { nonce, u, xt, tt } };
}

/**
 * Alice's side (DKLS23-NOTES.md §3.2 steps 2–3): Q_h = PRG(s_h^{Delta_h}) xor Delta_h*U_h,
 * then the check sum_b chi_b*Q_{h,b} + Q_{h,pad} == t~_h + Delta_h*x~ for every column h.
 * Throws OT_CHECK_FAILED naming Bob. Returns her rows q_j = t_j xor beta_j*Delta.
 */
export function coteSenderReceive(
  setup: OtExtensionSenderSetup,
  iid: Uint8Array,
  message: CoteReceiverMessage,
): { instance: Uint8Array; qRows: Uint8Array } {
  checkCoteReceiverMessage(message, setup.counterparty);
  const p = getCryptoProvider();
  const instance = instanceKey(setup.sessionId, setup.counterparty, setup.self, iid, message.nonce);
  const q = p.prgBatch(setup.seeds, SEED_BYTES, instance, COLUMN_BYTES);
  for (let h = 0; h < LAMBDA_C; h++) {
    const mask = -((setup.delta[h >> 3]! >> (h & 7)) & 1) & 0xff;
    const base = h * COLUMN_BYTES;
    for (let k = 0; k < COLUMN_BYTES; k++) q[base + k]! ^= message.u[base + k]! & mask;
  }
  const qt = columnHashes(q, LAMBDA_C, challenges(instance, message.u));
  let diff = 0;
  for (let h = 0; h < LAMBDA_C; h++) {
    const mask = -((setup.delta[h >> 3]! >> (h & 7)) & 1) & 0xff;
    for (let k = 0; k < BLOCK_BYTES; k++) {
      const want = message.tt[h * BLOCK_BYTES + k]! ^ (message.xt[k]! & mask);
      diff |= qt[h * BLOCK_BYTES + k]! ^ want;
    }
  }
  if (diff !== 0) {
    q.fill(0);
    throw new CryptoError(
      'OT_CHECK_FAILED',
      'OT-extension consistency check failed: abort and stop using this pair',
      [setup.counterparty],
    );
  }
  const qRows = transposeToRows(q);
  q.fill(0);
  return { instance, qRows };
}

/** Row-hash domain: instance and Alice's nonce (KOS15 §4 random-OT hash, tweaked by j). */
function rowDomain(instance: Uint8Array, senderNonce: Uint8Array): Uint8Array {
  return transcriptHash('coffer/ot/v1/rot/row', instance, senderNonce);
}

/** `width` scalars per row from H(instance, nonce, j, row) (48 bytes each, reduced mod q). */
function rowScalars(domain: Uint8Array, rows: Uint8Array, order: bigint): bigint[] {
  const bytes = getCryptoProvider().hashRows(domain, rows, ROW_BYTES, WIDTH * WIDE_BYTES);
  return wideScalars(bytes, order);
}

/**
 * Alice's random-OT messages: V0_j = H(j, q_j) and V1_j = H(j, q_j xor Delta), each expanded
 * to `WIDTH` scalars; flat arrays indexed j*WIDTH + i.
 */
export function rotSenderPads(
  delta: Uint8Array,
  instance: Uint8Array,
  senderNonce: Uint8Array,
  qRows: Uint8Array,
  order: bigint,
): { v0: bigint[]; v1: bigint[] } {
  const domain = rowDomain(instance, senderNonce);
  const flipped = qRows.slice();
  for (let k = 0; k < flipped.length; k++) flipped[k]! ^= delta[k % ROW_BYTES]!;
  const v0 = rowScalars(domain, qRows, order);
  const v1 = rowScalars(domain, flipped, order);
  flipped.fill(0);
  return { v0, v1 };
}

/** Bob's random-OT messages V{beta_j}_j = H(j, t_j), flat, indexed j*WIDTH + i. */
export function rotReceiverPads(
  instance: Uint8Array,
  senderNonce: Uint8Array,
  tRows: Uint8Array,
  order: bigint,
): bigint[] {
  return rowScalars(rowDomain(instance, senderNonce), tRows, order);
}
