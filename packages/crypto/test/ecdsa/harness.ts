/**
 * Test harness for DKLs23 signing (packages/crypto/src/ecdsa/dkls23): runs every signer's
 * round functions on its own state, routing messages as a relay would, optionally through
 * their JSON wire forms, with per-recipient hooks that let a test tamper with, drop, add or
 * reorder what one party receives. Failures are collected per party, so a test can assert
 * exactly who detected what and whom they blamed. Also three independent ECDSA verifiers.
 * Used only by tests.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { expect } from 'vitest';
import { CryptoError, type CryptoErrorCode } from '../../src/errors.js';
import { MemoryLedger, type UsageLedger } from '../../src/ledger.js';
import type { PartyId } from '../../src/sharing/access-structure.js';
import { encodeCompactSignature, type EcdsaSignature } from '../../src/ecdsa/signature.js';
import { decodeEcdsaSignMessage, encodeEcdsaSignMessage } from '../../src/ecdsa/dkls23/codec.js';
import type { Dkls23KeyShare } from '../../src/ecdsa/dkls23/key-share.js';
import {
  ecdsaCombineSignature,
  ecdsaSignOnline,
  ecdsaSignRound1,
  ecdsaSignRound2,
  ecdsaSignRound3,
  type EcdsaSignOptions,
} from '../../src/ecdsa/dkls23/sign.js';
import type {
  EcdsaSignRound1Direct,
  EcdsaSignRound2Direct,
  EcdsaSignRound3Broadcast,
  Presignature,
} from '../../src/ecdsa/dkls23/sign-types.js';

const Point = secp256k1.Point;
export const ORDER = Point.CURVE().n;

export type Stage = 'round2' | 'round3' | 'online' | 'combine';

/** Per-recipient hooks: return what `to` actually receives in that round. */
export interface Hooks {
  round1?: (to: PartyId, inbound: EcdsaSignRound1Direct[]) => EcdsaSignRound1Direct[];
  round2?: (to: PartyId, inbound: EcdsaSignRound2Direct[]) => EcdsaSignRound2Direct[];
  round3?: (to: PartyId, inbound: EcdsaSignRound3Broadcast[]) => EcdsaSignRound3Broadcast[];
  /** Replaces the key share a party uses in a round (simulates a deviating party). */
  share?: (party: PartyId, round: 1 | 2 | 3) => Dkls23KeyShare | undefined;
}

export interface RunOptions {
  readonly sessionId?: Uint8Array;
  readonly tweak?: bigint;
  /** Route every message through encodeEcdsaSignMessage / decodeEcdsaSignMessage. */
  readonly wire?: boolean;
  readonly ledger?: UsageLedger;
  readonly hooks?: Hooks;
}

export interface Outcome {
  /** The stage at which the run stopped (`done` when every party produced a signature). */
  readonly stage: Stage | 'done';
  /** Errors by the party that raised them, at `stage`. */
  readonly errors: Map<PartyId, unknown>;
  /** Signatures returned by parties (also when other parties failed in `combine`). */
  readonly signatures: Map<PartyId, EcdsaSignature>;
  readonly presignatures: Map<PartyId, Presignature>;
}

function route<M extends { sender: PartyId }>(messages: M[], wire: boolean): M[] {
  return wire
    ? messages.map(
        (m) => decodeEcdsaSignMessage(encodeEcdsaSignMessage(m as never)) as unknown as M,
      )
    : messages;
}

/** Runs rounds 1–3, the online round and combination for `signers`, collecting errors. */
export function runSigning(
  shares: ReadonlyMap<PartyId, Dkls23KeyShare>,
  signers: readonly PartyId[],
  digest: Uint8Array,
  options: RunOptions = {},
): Outcome {
  const hooks = options.hooks ?? {};
  const wire = options.wire ?? false;
  const ledger = options.ledger ?? new MemoryLedger();
  const shareOf = (p: PartyId, round: 1 | 2 | 3): Dkls23KeyShare =>
    hooks.share?.(p, round) ?? shares.get(p)!;
  const opts: EcdsaSignOptions = {
    sessionId: options.sessionId ?? randomBytes(32),
    ...(options.tweak !== undefined ? { tweak: options.tweak } : {}),
  };
  const errors = new Map<PartyId, unknown>();
  const signatures = new Map<PartyId, EcdsaSignature>();
  const presignatures = new Map<PartyId, Presignature>();
  const attempt = <T>(p: PartyId, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      errors.set(p, e);
      return undefined;
    }
  };
  const stop = (stage: Stage): Outcome => ({ stage, errors, signatures, presignatures });

  const r1 = new Map(signers.map((p) => [p, ecdsaSignRound1(shareOf(p, 1), signers, opts)]));
  const mail1 = route(
    [...r1.values()].flatMap((r) => r.outbound),
    wire,
  );
  const r2 = new Map<PartyId, ReturnType<typeof ecdsaSignRound2>>();
  for (const p of signers) {
    const inbound = mail1.filter((m) => m.recipient === p);
    const out = attempt(p, () =>
      ecdsaSignRound2(shareOf(p, 2), r1.get(p)!.state, hooks.round1?.(p, inbound) ?? inbound),
    );
    if (out) r2.set(p, out);
  }
  if (errors.size > 0) return stop('round2');
  const mail2 = route(
    [...r2.values()].flatMap((r) => r.outbound),
    wire,
  );
  for (const p of signers) {
    const inbound = mail2.filter((m) => m.recipient === p);
    const pre = attempt(p, () =>
      ecdsaSignRound3(shareOf(p, 3), r2.get(p)!.state, hooks.round2?.(p, inbound) ?? inbound),
    );
    if (pre) presignatures.set(p, pre);
  }
  if (errors.size > 0) return stop('round3');
  const online = new Map<PartyId, EcdsaSignRound3Broadcast>();
  for (const p of signers) {
    const m = attempt(p, () => ecdsaSignOnline(presignatures.get(p)!, digest, ledger));
    if (m) online.set(p, m);
  }
  if (errors.size > 0) return stop('online');
  const mail3 = route([...online.values()], wire);
  for (const p of signers) {
    const inbound = mail3.filter((m) => m.sender !== p);
    const sig = attempt(p, () =>
      ecdsaCombineSignature(
        presignatures.get(p)!,
        digest,
        online.get(p)!,
        hooks.round3?.(p, inbound) ?? inbound,
      ),
    );
    if (sig) signatures.set(p, sig);
  }
  return errors.size > 0 ? stop('combine') : { stage: 'done', errors, signatures, presignatures };
}

/** The one signature every signer combined; fails the test if the run did not complete. */
export function signatureOf(outcome: Outcome): EcdsaSignature {
  if (outcome.stage !== 'done') {
    const detail = [...outcome.errors].map(([p, e]) => `${p}: ${String(e)}`).join('; ');
    throw new Error(`signing stopped at ${outcome.stage}: ${detail}`);
  }
  const [first, ...rest] = [...outcome.signatures.values()];
  for (const s of rest)
    expect([s.r, s.s, s.recovery]).toEqual([first!.r, first!.s, first!.recovery]);
  return first!;
}

/** Asserts that `f` throws a CryptoError with `code` and exactly `culprits` (any order). */
export function expectCryptoError(
  f: () => unknown,
  code: CryptoErrorCode,
  culprits?: readonly PartyId[],
  message?: RegExp,
): CryptoError {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  return checkCryptoError(thrown, code, culprits, message);
}

export function checkCryptoError(
  e: unknown,
  code: CryptoErrorCode,
  culprits?: readonly PartyId[],
  message?: RegExp,
): CryptoError {
  if (e === undefined) throw new Error(`expected a CryptoError ${code}, nothing was thrown`);
  if (!(e instanceof CryptoError))
    throw new Error(
      `expected a CryptoError ${code}, got ${e instanceof Error ? e.message : JSON.stringify(e)}`,
    );
  expect(e.code, e.message).toBe(code);
  if (culprits) expect([...e.culprits].sort(), e.message).toEqual([...culprits].sort());
  if (message) expect(e.message).toMatch(message);
  return e;
}

/**
 * Asserts the run stopped at `stage`, that exactly the parties in `detectors` raised errors,
 * each a CryptoError `code` naming exactly `culprits`, and that no party released a
 * signature that does not verify.
 */
export function expectBlame(
  outcome: Outcome,
  stage: Stage,
  detectors: readonly PartyId[],
  code: CryptoErrorCode,
  culprits: readonly PartyId[],
  message?: RegExp,
): void {
  expect(outcome.stage).toBe(stage);
  expect([...outcome.errors.keys()].sort()).toEqual([...detectors].sort());
  for (const e of outcome.errors.values()) checkCryptoError(e, code, culprits, message);
}

// ------------------------------------------------------------------------ independent checks

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** OpenSSL (node:crypto) public key object for a compressed secp256k1 key. */
export function opensslPublicKey(publicKey33: Uint8Array) {
  const raw = Point.fromBytes(publicKey33).toBytes(false);
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'secp256k1',
      x: b64url(raw.subarray(1, 33)),
      y: b64url(raw.subarray(33)),
    },
    format: 'jwk',
  });
}

/**
 * Public-key recovery done by hand from the ECDSA equations (SEC 1 §4.1.6), independent of
 * noble's recovery code: R = lift_x(r + (bit 1)·q) with y parity = bit 0, Q = r⁻¹(s·R − m·G).
 */
export function recoverByHand(digest: Uint8Array, sig: EcdsaSignature): Uint8Array {
  const x = sig.r + (sig.recovery & 2 ? ORDER : 0n);
  const prefix = sig.recovery & 1 ? '03' : '02';
  const R = Point.fromHex(prefix + x.toString(16).padStart(64, '0'));
  const m = BigInt('0x' + Buffer.from(digest).toString('hex')) % ORDER;
  const rInv = modInverse(sig.r, ORDER);
  const sR = R.multiply(sig.s);
  const mG = m === 0n ? Point.ZERO : Point.BASE.multiply(m);
  return sR.subtract(mG).multiply(rInv).toBytes(true);
}

function modInverse(a: bigint, n: bigint): bigint {
  let [t, newT, r, newR] = [0n, 1n, n, ((a % n) + n) % n];
  while (newR !== 0n) {
    const q = r / newR;
    [t, newT] = [newT, t - q * newT];
    [r, newR] = [newR, r - q * newR];
  }
  return ((t % n) + n) % n;
}

/**
 * Checks `sig` on sha256(`message`) under `publicKey33` with three independent verifiers —
 * noble (pre-hashed digest, low-s required), OpenSSL through node:crypto (hashes the message
 * itself; both DER and IEEE P1363 encodings), and public-key recovery (noble's and by hand) —
 * and that s is low.
 */
export function expectValidEverywhere(
  publicKey33: Uint8Array,
  message: Uint8Array,
  sig: EcdsaSignature,
): void {
  const digest = sha256(message);
  expect(sig.r > 0n && sig.r < ORDER).toBe(true);
  expect(sig.s > 0n && sig.s <= ORDER >> 1n).toBe(true); // low-s
  const compact = encodeCompactSignature(sig);
  expect(compact.length).toBe(64);
  expect(secp256k1.verify(compact, digest, publicKey33, { prehash: false, lowS: true })).toBe(true);
  // noble's default (prehash: true) hashes the message itself: an independent digest path.
  expect(secp256k1.verify(compact, message, publicKey33)).toBe(true);
  const key = opensslPublicKey(publicKey33);
  const der = secp256k1.Signature.fromBytes(compact, 'compact').toBytes('der');
  expect(nodeVerify('sha256', message, key, der)).toBe(true);
  expect(nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, compact)).toBe(true);
  const recovered = new Uint8Array(65);
  recovered[0] = sig.recovery;
  recovered.set(compact, 1);
  expect(
    Buffer.from(secp256k1.recoverPublicKey(recovered, digest, { prehash: false })).toString('hex'),
  ).toBe(Buffer.from(publicKey33).toString('hex'));
  expect(Buffer.from(recoverByHand(digest, sig)).toString('hex')).toBe(
    Buffer.from(publicKey33).toString('hex'),
  );
}

/** True if any of the verifiers accepts `sig` on sha256(message) under the key. */
export function acceptedAnywhere(
  publicKey33: Uint8Array,
  message: Uint8Array,
  sig: EcdsaSignature,
): boolean {
  const digest = sha256(message);
  const compact = encodeCompactSignature(sig);
  const der = secp256k1.Signature.fromBytes(compact, 'compact').toBytes('der');
  return (
    secp256k1.verify(compact, digest, publicKey33, { prehash: false, lowS: false }) ||
    nodeVerify('sha256', message, opensslPublicKey(publicKey33), der)
  );
}
