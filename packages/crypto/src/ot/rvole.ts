/**
 * Two-party multiplication for DKLs23 signing: random vector OLE (F_RVOLE, DKLs23
 * Functionality 3.5) by DKLs23 Protocol 5.2 with ell = 2, rho = 1, as written in
 * DKLS23-NOTES.md §3.3 (with the two index typos ToB reported fixed), on top of the
 * correlated OT extension in ot-extension.ts.
 *
 *   Bob (receiver; was the base-OT sender):   rvoleReceiverStart  -> message, chi
 *   Alice (sender; inputs a = (a_1, a_2)):    rvoleSenderRespond  -> (c_1, c_2), message
 *   Bob:                                      rvoleReceiverFinish -> (d_1, d_2)
 *
 * with c_i + d_i = a_i * chi (mod q). Bob's chi = sum_j g_j*beta_j for the public gadget g
 * hashed from the instance. Alice throws OT_CHECK_FAILED (naming Bob) if the OT-extension
 * check fails; Bob throws CONSISTENCY_CHECK_FAILED (naming Alice) if her values are
 * inconsistent across rows. Bob's state is single-use. The iid must be unique per
 * multiplication (DKLS23-NOTES.md §6, iid_ij = H(ssid, sender, receiver)).
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeTranscript, equalBytes } from '../bytes.js';
import { secp256k1Group } from '../curves/secp256k1.js';
import { CryptoError } from '../errors.js';
import { getCryptoProvider } from '../provider/crypto-provider.js';
import {
  coteReceiverExtend,
  coteSenderReceive,
  rotReceiverPads,
  rotSenderPads,
} from './ot-extension.js';
import { ELL, NONCE_BYTES, OT_FORMAT_VERSION, WIDE_BYTES, WIDTH, XI } from './params.js';
import type {
  RvoleReceiverMessage,
  RvoleReceiverState,
  RvoleSenderMessage,
} from './rvole-messages.js';
import { checkRvoleReceiverState, checkRvoleSenderMessage } from './rvole-messages.js';
import { modq, packScalars, wideScalars } from './scalars.js';
import {
  checkReceiverSetup,
  checkSenderSetup,
  type OtExtensionReceiverSetup,
  type OtExtensionSenderSetup,
} from './setup.js';
import { consume } from './single-use.js';

const q = secp256k1Group.order;

function checkIid(iid: unknown): asserts iid is Uint8Array {
  if (!(iid instanceof Uint8Array) || iid.length < 16 || iid.length > 64) {
    throw new CryptoError('INVALID_ARGUMENT', 'instance id must be 16 to 64 bytes');
  }
}

/** Public gadget vector g_1..g_xi = H(instance, "gadget", j) -> Z_q (DKLS23-NOTES.md §3.3). */
function gadget(instance: Uint8Array): bigint[] {
  const domain = new TextEncoder().encode('coffer/ot/v1/rvole/gadget');
  return wideScalars(getCryptoProvider().prg(instance, domain, XI * WIDE_BYTES), q);
}

/** chi = sum_j g_j * beta_j. */
function choiceScalar(g: readonly bigint[], choices: Uint8Array): bigint {
  let chi = 0n;
  for (let j = 0; j < XI; j++) chi += g[j]! * BigInt((choices[j >> 3]! >> (j & 7)) & 1);
  return chi % q;
}

/** theta[i] = H(instance, Alice's nonce, at) -> Z_q for i < ell (rho = 1). */
function thetas(instance: Uint8Array, nonce: Uint8Array, at: readonly bigint[]): bigint[] {
  const p = getCryptoProvider();
  const digest = p.sha256(
    encodeTranscript('coffer/ot/v1/rvole/theta', [instance, nonce, packScalars(at)]),
  );
  return wideScalars(p.prg(digest, instance, ELL * WIDE_BYTES), q);
}

/** mu = H(instance, Alice's nonce, {v_j}) over the xi check values (DKLs23 §5.1: hash, not matrix). */
function muHash(instance: Uint8Array, nonce: Uint8Array, values: readonly bigint[]): Uint8Array {
  return getCryptoProvider().sha256(
    encodeTranscript('coffer/ot/v1/rvole/mu', [instance, nonce, packScalars(values)]),
  );
}

/**
 * Bob's first flow (DKLs23 Protocol 5.2, "Sample"): extends the OTs with random choice bits
 * beta and returns his random chi, the message for Alice, and his single-use state.
 */
export function rvoleReceiverStart(
  setup: OtExtensionReceiverSetup,
  iid: Uint8Array,
): { state: RvoleReceiverState; message: RvoleReceiverMessage; chi: bigint } {
  checkReceiverSetup(setup);
  checkIid(iid);
  const ext = coteReceiverExtend(setup, iid);
  const chi = choiceScalar(gadget(ext.instance), ext.choices);
  const state: RvoleReceiverState = {
    version: OT_FORMAT_VERSION,
    self: setup.self,
    counterparty: setup.counterparty,
    instance: ext.instance,
    choices: ext.choices,
    tRows: ext.tRows,
  };
  return { state, message: { version: OT_FORMAT_VERSION, ...ext.message }, chi };
}

/**
 * Alice's flow (DKLs23 Protocol 5.2, "Multiply"): verifies Bob's OT-extension check (throws
 * OT_CHECK_FAILED naming Bob), then derandomises the OTs to her inputs (a_1, a_2) plus a
 * random check column eta, and returns her outputs c with c_i + d_i = a_i*chi.
 */
export function rvoleSenderRespond(
  setup: OtExtensionSenderSetup,
  iid: Uint8Array,
  inputs: readonly [bigint, bigint],
  message: RvoleReceiverMessage,
): { outputs: [bigint, bigint]; message: RvoleSenderMessage } {
  checkSenderSetup(setup);
  checkIid(iid);
  if (
    !Array.isArray(inputs) ||
    inputs.length !== ELL ||
    !inputs.every((a) => typeof a === 'bigint' && a >= 0n && a < q)
  ) {
    throw new CryptoError('INVALID_ARGUMENT', 'RVOLE inputs must be two scalars in [0, q)');
  }
  if (message?.version !== OT_FORMAT_VERSION) {
    throw new CryptoError('INVALID_MESSAGE', 'RVOLE receiver message has unsupported version', [
      setup.counterparty,
    ]);
  }
  const { instance, qRows } = coteSenderReceive(setup, iid, message);
  const nonce = randomBytes(NONCE_BYTES);
  const { v0, v1 } = rotSenderPads(setup.delta, instance, nonce, qRows, q);
  qRows.fill(0);
  const eta = secp256k1Group.randomScalar();
  const aPrime = [inputs[0], inputs[1], eta]; // a' = (a_1..a_ell, eta_1..eta_rho)
  // at[j][i] = alpha0[j][i] - alpha1[j][i] + a'_i
  const at = new Array<bigint>(XI * WIDTH);
  for (let k = 0; k < XI * WIDTH; k++) at[k] = modq(v0[k]! - v1[k]! + aPrime[k % WIDTH]!, q);
  const theta = thetas(instance, nonce, at);
  // etah = eta + sum_i theta[i]*a_i
  const etaHat = (eta + theta[0]! * inputs[0] + theta[1]! * inputs[1]) % q;
  // mu = H({ alpha0[j][ell] + sum_i theta[i]*alpha0[j][i] }_j)
  const checks = new Array<bigint>(XI);
  for (let j = 0; j < XI; j++) {
    const r = j * WIDTH;
    checks[j] = (v0[r + 2]! + theta[0]! * v0[r]! + theta[1]! * v0[r + 1]!) % q;
  }
  const mu = muHash(instance, nonce, checks);
  // c_i = -sum_j g_j*alpha0[j][i]
  const g = gadget(instance);
  let c0 = 0n;
  let c1 = 0n;
  for (let j = 0; j < XI; j++) {
    c0 += g[j]! * v0[j * WIDTH]!;
    c1 += g[j]! * v0[j * WIDTH + 1]!;
  }
  v0.fill(0n);
  v1.fill(0n);
  return {
    outputs: [modq(-c0, q), modq(-c1, q)],
    message: { version: OT_FORMAT_VERSION, nonce, at, etaHat, mu },
  };
}

/**
 * Bob's finish (DKLs23 Protocol 5.2): dbar[j][i] = alpha_{beta_j}[j][i] + beta_j*at[j][i];
 * checks H({dbar[j][ell] + sum_i theta[i]*dbar[j][i] - beta_j*etah}_j) == mu (else
 * CONSISTENCY_CHECK_FAILED naming Alice) and returns d_i = sum_j g_j*dbar[j][i].
 * Consumes the state: a second call throws STATE_CONSUMED.
 */
export function rvoleReceiverFinish(
  state: RvoleReceiverState,
  message: RvoleSenderMessage,
): [bigint, bigint] {
  consume(state, 'RVOLE receiver');
  checkRvoleReceiverState(state);
  try {
    checkRvoleSenderMessage(message, state.counterparty);
    const { instance, choices, tRows } = state;
    const pads = rotReceiverPads(instance, message.nonce, tRows, q);
    const theta = thetas(instance, message.nonce, message.at);
    const g = gadget(instance);
    const checks = new Array<bigint>(XI);
    let d0 = 0n;
    let d1 = 0n;
    for (let j = 0; j < XI; j++) {
      const beta = BigInt((choices[j >> 3]! >> (j & 7)) & 1);
      const r = j * WIDTH;
      const e0 = pads[r]! + beta * message.at[r]!;
      const e1 = pads[r + 1]! + beta * message.at[r + 1]!;
      const e2 = pads[r + 2]! + beta * message.at[r + 2]!;
      checks[j] = modq(e2 + theta[0]! * e0 + theta[1]! * e1 - beta * message.etaHat, q);
      d0 += g[j]! * e0;
      d1 += g[j]! * e1;
    }
    pads.fill(0n);
    if (!equalBytes(muHash(instance, message.nonce, checks), message.mu)) {
      throw new CryptoError('CONSISTENCY_CHECK_FAILED', 'RVOLE consistency check failed', [
        state.counterparty,
      ]);
    }
    return [d0 % q, d1 % q];
  } finally {
    state.choices.fill(0);
    state.tRows.fill(0);
  }
}
