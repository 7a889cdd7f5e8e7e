/**
 * Base OT for the DKLs23 pairwise setup (DKLs23 Functionality 3.5 setup, DKLS23-NOTES.md
 * §2.2): the "verified simplest OT" of DKLs19 (ePrint 2019/523, Protocol 7), i.e. Chou–Orlandi
 * simplest OT with a Schnorr proof of knowledge of the sender's key and the challenge /
 * response / opening verification, run as lambda_c = 128 random OTs in one batch on secp256k1.
 *
 * Roles: the base-OT *sender* is Bob (future OT-extension / RVOLE receiver) and ends with both
 * seeds per OT; the base-OT *receiver* is Alice (future RVOLE sender) and ends with her choice
 * bits Delta and the chosen seeds. Five flows, as pure round functions consuming their state:
 *
 *   sender  R1: B, PoK(b)          -> receiver R1: A_i              -> sender R2: xi_i
 *   -> receiver R2: responses       -> sender R3: openings (sender done) -> receiver R3 (done)
 *
 * Every hash binds (session id, sender id, receiver id, OT index) (DKLS23-NOTES.md §6 and §8
 * pitfall 4). Scalar multiplications for one ordered pair: sender 2 baseMul + 1 mulSecret + one
 * batch of lambda_c (mulSecretMany, fixed 4-bit windows);
 * receiver lambda_c baseMul + lambda_c mulSecret by the fixed point B (noble's cached fixed-base table)
 * + 2 mulPublic for the proof.
 *
 * A failed check is INVALID_PROOF naming the other party; as with the OT-extension check, a
 * failure may leak one choice bit, so callers abort and never retry with the same party
 * without an operator decision (DKLS23-NOTES.md §5).
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { concatBytes, transcriptHash, type TranscriptPart } from '../bytes.js';
import type { GroupPoint } from '../curves/group.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import type { PartyId } from '../sharing/access-structure.js';
import {
  checkReceiverRound1,
  checkReceiverRound2,
  checkSenderRound1,
  checkSenderRound2,
  checkSenderRound3,
  type BaseOtReceiverRound1Message,
  type BaseOtReceiverRound2Message,
  type BaseOtSenderRound1Message,
  type BaseOtSenderRound2Message,
  type BaseOtSenderRound3Message,
} from './base-ot-messages.js';
import { DELTA_BYTES, LAMBDA_C, OT_FORMAT_VERSION, SEED_BYTES } from './params.js';
import { scalarFromBytes } from './scalars.js';
import {
  checkPairIds,
  type OtExtensionReceiverSetup,
  type OtExtensionSenderSetup,
} from './setup.js';
import { consume } from './single-use.js';

const group = secp256k1Group;
const H = 32;
const ZERO_POINT = new Uint8Array(33); // stands in for the identity inside hashes only

/** Public parameters of one base-OT batch (one ordered pair). */
export interface BaseOtConfig {
  /** Id of the enclosing session (DKG / refresh); 16–64 bytes. */
  readonly sessionId: Uint8Array;
  /** Bob: base-OT sender, future RVOLE receiver. */
  readonly sender: PartyId;
  /** Alice: base-OT receiver, future RVOLE sender. */
  readonly receiver: PartyId;
}

export interface BaseOtSenderState1 {
  readonly kind: 'base-ot/sender/1';
  readonly config: BaseOtConfig;
  /** b: secret. */
  readonly secret: bigint;
  readonly publicKey: Uint8Array;
}
export interface BaseOtSenderState2 {
  readonly kind: 'base-ot/sender/2';
  readonly config: BaseOtConfig;
  /** rho_i^0 and rho_i^1 (32 bytes each): secret. */
  readonly pads0: Uint8Array;
  readonly pads1: Uint8Array;
}
export interface BaseOtReceiverState1 {
  readonly kind: 'base-ot/receiver/1';
  readonly config: BaseOtConfig;
  /** Choice bits omega = Delta (bit i at byte i>>3, bit i&7): secret. */
  readonly delta: Uint8Array;
  /** rho_i^{omega_i}: secret. */
  readonly pads: Uint8Array;
}
export interface BaseOtReceiverState2 {
  readonly kind: 'base-ot/receiver/2';
  readonly config: BaseOtConfig;
  readonly delta: Uint8Array;
  readonly pads: Uint8Array;
  readonly challenges: Uint8Array;
}

function otHash(tag: string, c: BaseOtConfig, ...parts: TranscriptPart[]): Uint8Array {
  return transcriptHash(`coffer/ot/v1/base/${tag}`, c.sessionId, c.sender, c.receiver, ...parts);
}

/** DKLs19 Protocol 7 uses H(rho) as the opening and H(H(rho)) for the challenge. */
const open = (c: BaseOtConfig, i: number, pad: Uint8Array) => otHash('open', c, i, pad);
const chal = (c: BaseOtConfig, i: number, h1: Uint8Array) => otHash('challenge', c, i, h1);
/** Deviation from DKLs19: the stored seed is a separate 16-byte hash of rho, not rho itself. */
const seed = (c: BaseOtConfig, i: number, pad: Uint8Array) =>
  otHash('seed', c, i, pad).subarray(0, SEED_BYTES);

/** Fiat–Shamir challenge of the Schnorr proof of knowledge of b, bound to the pair. */
function proofChallenge(c: BaseOtConfig, publicKey: Uint8Array, commitment: Uint8Array): bigint {
  const wide = concatBytes(
    otHash('dlog/0', c, publicKey, commitment),
    otHash('dlog/1', c, publicKey, commitment),
  );
  return group.scalarFromWide(wide);
}

const bit = (bits: Uint8Array, i: number) => (bits[i >> 3]! >> (i & 7)) & 1;

/** `choice ? one : zero` for equal-length byte strings, through a mask (no branch). */
function selectBytes(zero: Uint8Array, one: Uint8Array, choice: number): Uint8Array {
  const mask = -choice & 0xff;
  const out = new Uint8Array(zero.length);
  for (let k = 0; k < zero.length; k++) out[k] = zero[k]! ^ ((zero[k]! ^ one[k]!) & mask);
  return out;
}

function xorInto(dst: Uint8Array, dstOff: number, src: Uint8Array, mask: number): void {
  for (let k = 0; k < H; k++) dst[dstOff + k]! ^= src[k]! & mask;
}

/** Decodes a point from `from`, turning a validation failure into blame. */
function pointFrom(bytes: Uint8Array, from: PartyId, what: string): GroupPoint {
  try {
    return group.decodePoint(bytes);
  } catch {
    throw new CryptoError('INVALID_POINT', `${what} is not a valid point`, [from]);
  }
}

const encodeOrZero = (p: GroupPoint) => (p.is0() ? ZERO_POINT : group.encodePoint(p));

/**
 * Performance hint: builds noble's cached fixed-base table for `p` (a fresh point object), so
 * the lambda_c multiplications by the same B through `group.mulSecret` take the table path.
 */
function withFixedBaseTable(p: GroupPoint): GroupPoint {
  const q = p as GroupPoint & { precompute?: (window: number, isLazy: boolean) => unknown };
  if (typeof q.precompute === 'function') q.precompute(8, false);
  return p;
}

// ---------------------------------------------------------------- sender (Bob)

/** DKLs19 Protocol 7, step 1: B = b*G with a proof of knowledge of b. */
export function baseOtSenderRound1(config: BaseOtConfig): {
  state: BaseOtSenderState1;
  outbound: BaseOtSenderRound1Message;
} {
  checkPairIds(config?.sessionId, config?.sender, config?.receiver);
  const b = group.randomScalar();
  const publicKey = group.encodePoint(group.baseMul(b));
  const k = group.randomScalar();
  const proofCommitment = group.encodePoint(group.baseMul(k));
  const c = proofChallenge(config, publicKey, proofCommitment);
  const proofResponse = group.encodeScalar(group.mod(k + c * b));
  return {
    state: { kind: 'base-ot/sender/1', config, secret: b, publicKey },
    outbound: { version: OT_FORMAT_VERSION, publicKey, proofCommitment, proofResponse },
  };
}

/** DKLs19 Protocol 7, steps 3–4 (sender): pads rho^0, rho^1 and challenges xi. */
export function baseOtSenderRound2(
  state: BaseOtSenderState1,
  inbound: BaseOtReceiverRound1Message,
): { state: BaseOtSenderState2; outbound: BaseOtSenderRound2Message } {
  consume(state, 'base-OT sender round-1');
  const { config } = state;
  checkReceiverRound1(inbound, config.receiver);
  const B = group.decodePoint(state.publicKey);
  const bB = group.mulSecret(B, state.secret);
  const pads0 = new Uint8Array(LAMBDA_C * H);
  const pads1 = new Uint8Array(LAMBDA_C * H);
  const challenges = new Uint8Array(LAMBDA_C * H);
  const aBytes = (i: number) => inbound.points.subarray(i * 33, (i + 1) * 33);
  const points = Array.from({ length: LAMBDA_C }, (_, i) =>
    pointFrom(aBytes(i), config.receiver, `base-OT point ${i}`),
  );
  const products = group.mulSecretMany(points, state.secret); // b*A_i, one batch
  for (let i = 0; i < LAMBDA_C; i++) {
    const K0 = products[i]!;
    const K1 = K0.subtract(bB); // b*(A_i - B)
    const p0 = otHash('pad', config, i, state.publicKey, aBytes(i), encodeOrZero(K0));
    const p1 = otHash('pad', config, i, state.publicKey, aBytes(i), encodeOrZero(K1));
    pads0.set(p0, i * H);
    pads1.set(p1, i * H);
    // xi_i = H(H(rho^0)) xor H(H(rho^1))
    challenges.set(chal(config, i, open(config, i, p0)), i * H);
    xorInto(challenges, i * H, chal(config, i, open(config, i, p1)), 0xff);
  }
  return {
    state: { kind: 'base-ot/sender/2', config, pads0, pads1 },
    outbound: { version: OT_FORMAT_VERSION, challenges },
  };
}

/**
 * DKLs19 Protocol 7, steps 6–7 (sender): verifies every response equals H(H(rho^0)), then
 * opens H(rho^0), H(rho^1). Returns Bob's OT-extension receiver setup.
 */
export function baseOtSenderRound3(
  state: BaseOtSenderState2,
  inbound: BaseOtReceiverRound2Message,
): { setup: OtExtensionReceiverSetup; outbound: BaseOtSenderRound3Message } {
  consume(state, 'base-OT sender round-2');
  const { config } = state;
  checkReceiverRound2(inbound, config.receiver);
  const openings = new Uint8Array(LAMBDA_C * 2 * H);
  const seeds0 = new Uint8Array(LAMBDA_C * SEED_BYTES);
  const seeds1 = new Uint8Array(LAMBDA_C * SEED_BYTES);
  let diff = 0;
  for (let i = 0; i < LAMBDA_C; i++) {
    const p0 = state.pads0.subarray(i * H, (i + 1) * H);
    const p1 = state.pads1.subarray(i * H, (i + 1) * H);
    const h0 = open(config, i, p0);
    const expected = chal(config, i, h0);
    for (let k = 0; k < H; k++) diff |= expected[k]! ^ inbound.responses[i * H + k]!;
    openings.set(h0, 2 * i * H);
    openings.set(open(config, i, p1), (2 * i + 1) * H);
    seeds0.set(seed(config, i, p0), i * SEED_BYTES);
    seeds1.set(seed(config, i, p1), i * SEED_BYTES);
  }
  if (diff !== 0) {
    throw new CryptoError('INVALID_PROOF', 'base-OT response check failed', [config.receiver]);
  }
  return {
    setup: {
      version: OT_FORMAT_VERSION,
      sessionId: config.sessionId,
      self: config.sender,
      counterparty: config.receiver,
      seeds0,
      seeds1,
    },
    outbound: { version: OT_FORMAT_VERSION, openings },
  };
}

// ---------------------------------------------------------------- receiver (Alice)

/**
 * DKLs19 Protocol 7, steps 2–3 (receiver): verifies the proof of knowledge of b, picks the
 * choice bits Delta and sends A_i = a_i*G + Delta_i*B; keeps rho^{Delta_i} = H(.., a_i*B).
 */
export function baseOtReceiverRound1(
  config: BaseOtConfig,
  inbound: BaseOtSenderRound1Message,
): { state: BaseOtReceiverState1; outbound: BaseOtReceiverRound1Message } {
  checkPairIds(config?.sessionId, config?.sender, config?.receiver);
  const from = config.sender;
  checkSenderRound1(inbound, from);
  const B = pointFrom(inbound.publicKey, from, 'base-OT public key');
  const R = pointFrom(inbound.proofCommitment, from, 'base-OT proof commitment');
  const z = scalarFromBytes(inbound.proofResponse);
  const c = proofChallenge(config, inbound.publicKey, inbound.proofCommitment);
  // Schnorr verification z*G == R + c*B (public values only).
  if (
    z === undefined ||
    !group.mulPublic(group.generator, z).equals(R.add(group.mulPublic(B, c)))
  ) {
    throw new CryptoError('INVALID_PROOF', 'base-OT proof of knowledge is invalid', [from]);
  }
  const Bt = withFixedBaseTable(group.decodePoint(inbound.publicKey));
  const delta = randomBytes(DELTA_BYTES);
  const pads = new Uint8Array(LAMBDA_C * H);
  const points = new Uint8Array(LAMBDA_C * 33);
  for (let i = 0; i < LAMBDA_C; i++) {
    const a = group.randomScalar();
    const aG = group.baseMul(a);
    // A = a·G + Δ_i·B, chosen without a secret-indexed lookup or branch: both encodings are
    // computed and the choice bit selects bytes through a mask.
    const A = selectBytes(group.encodePoint(aG), group.encodePoint(aG.add(B)), bit(delta, i));
    points.set(A, i * 33);
    const K = group.mulSecret(Bt, a); // a_i*B
    pads.set(otHash('pad', config, i, inbound.publicKey, A, group.encodePoint(K)), i * H);
  }
  return {
    state: { kind: 'base-ot/receiver/1', config, delta, pads },
    outbound: { version: OT_FORMAT_VERSION, points },
  };
}

/** DKLs19 Protocol 7, step 5 (receiver): response H(H(rho^omega)) xor omega*xi. */
export function baseOtReceiverRound2(
  state: BaseOtReceiverState1,
  inbound: BaseOtSenderRound2Message,
): { state: BaseOtReceiverState2; outbound: BaseOtReceiverRound2Message } {
  consume(state, 'base-OT receiver round-1');
  const { config } = state;
  checkSenderRound2(inbound, config.sender);
  const responses = new Uint8Array(LAMBDA_C * H);
  for (let i = 0; i < LAMBDA_C; i++) {
    const pad = state.pads.subarray(i * H, (i + 1) * H);
    responses.set(chal(config, i, open(config, i, pad)), i * H);
    const xi = inbound.challenges.subarray(i * H, (i + 1) * H);
    xorInto(responses, i * H, xi, -bit(state.delta, i) & 0xff);
  }
  return {
    state: { ...state, kind: 'base-ot/receiver/2', challenges: inbound.challenges.slice() },
    outbound: { version: OT_FORMAT_VERSION, responses },
  };
}

/**
 * DKLs19 Protocol 7, step 8 (receiver): checks every opening against the challenge and its
 * own pad. Returns Alice's OT-extension sender setup (Delta and the chosen seeds).
 */
export function baseOtReceiverRound3(
  state: BaseOtReceiverState2,
  inbound: BaseOtSenderRound3Message,
): { setup: OtExtensionSenderSetup } {
  consume(state, 'base-OT receiver round-2');
  const { config } = state;
  checkSenderRound3(inbound, config.sender);
  const seeds = new Uint8Array(LAMBDA_C * SEED_BYTES);
  let diff = 0;
  for (let i = 0; i < LAMBDA_C; i++) {
    const o0 = inbound.openings.subarray(2 * i * H, (2 * i + 1) * H);
    const o1 = inbound.openings.subarray((2 * i + 1) * H, (2 * i + 2) * H);
    // xi_i == H(o0) xor H(o1)
    const x = chal(config, i, o0);
    xorInto(x, 0, chal(config, i, o1), 0xff);
    for (let k = 0; k < H; k++) diff |= x[k]! ^ state.challenges[i * H + k]!;
    // o_{omega_i} == H(rho^{omega_i})
    const m = -bit(state.delta, i) & 0xff;
    const pad = state.pads.subarray(i * H, (i + 1) * H);
    const mine = open(config, i, pad);
    for (let k = 0; k < H; k++) diff |= mine[k]! ^ ((o0[k]! & ~m) | (o1[k]! & m));
    seeds.set(seed(config, i, pad), i * SEED_BYTES);
  }
  if (diff !== 0) {
    throw new CryptoError('INVALID_PROOF', 'base-OT opening check failed', [config.sender]);
  }
  return {
    setup: {
      version: OT_FORMAT_VERSION,
      sessionId: config.sessionId,
      self: config.receiver,
      counterparty: config.sender,
      delta: state.delta,
      seeds,
    },
  };
}
