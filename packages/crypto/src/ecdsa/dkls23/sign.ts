/**
 * DKLs23 threshold ECDSA signing (Doerner–Kondi–Lee–shelat, ePrint 2023/765, Protocol 3.6;
 * DKLS23-NOTES §4) for any authorised set of any access structure: λ_i comes from the sharing
 * layer, so Σ sk_i = sk whatever the structure.
 *
 * round 1 (`ecdsaSignRound1`): sample r_i, φ_i; commit to R_i = r_i·G per counterparty; start
 *   every multiplication in which this party is Bob (fixes χ_{i,j}).
 * round 2 (`ecdsaSignRound2`): sk_i = λ_i·s_i + ζ_i (+ tweak for one signer); answer every
 *   multiplication as Alice on (r_i, sk_i); send Γ^u, Γ^v, ψ_{i,j} = φ_i − χ_{i,j}, pk_i, and
 *   the opening of R_i.
 * round 3 (`ecdsaSignRound3`): check openings, finish the multiplications, run the paper's
 *   consistency checks and Σ pk_j = PK; the result is a presignature (message-independent).
 * online (`ecdsaSignOnline`): consume the presignature in the ledger, then broadcast (u_i, w_i).
 * `ecdsaCombineSignature`: s = Σw / Σu, low-s, verified against the public key before release.
 */
import { bytesToHex, equalBytes } from '../../bytes.js';
import { bytesToBigintBE, type GroupPoint } from '../../curves/group.js';
import { secp256k1Group as G } from '../../curves/secp256k1.js';
import { CryptoError } from '../../errors.js';
import type { UsageLedger } from '../../ledger.js';
import {
  rvoleReceiverFinish,
  rvoleReceiverStart,
  rvoleSenderRespond,
  type RvoleReceiverState,
} from '../../ot/index.js';
import type { PartyId } from '../../sharing/access-structure.js';
import {
  digestToScalar,
  finishSignature,
  nonceCoordinate,
  type EcdsaSignature,
} from '../signature.js';
import type { Dkls23KeyShare, Dkls23PairState } from './key-share.js';
import {
  multiplicationId,
  nonceCommitment,
  presignatureId,
  SIGN_PROTOCOL,
  SIGN_VERSION,
  signingSessionId,
  zeroShare,
} from './session.js';
import type {
  Presignature,
  EcdsaSignHeader,
  EcdsaSignRound1Direct,
  EcdsaSignRound1Secret,
  EcdsaSignRound2Direct,
  EcdsaSignRound2Secret,
  EcdsaSignRound3Broadcast,
  EcdsaSignSession,
} from './sign-types.js';
import { randomBytes } from '@noble/hashes/utils.js';

export interface EcdsaSignOptions {
  /** Unique per signing session (e.g. 32 random bytes chosen by the coordinator). */
  readonly sessionId: Uint8Array;
  /** Additive tweak of the key (BIP32 non-hardened derivation); default 0. */
  readonly tweak?: bigint;
}

const header = (session: EcdsaSignSession): EcdsaSignHeader => ({
  protocol: SIGN_PROTOCOL,
  version: SIGN_VERSION,
  sessionId: bytesToHex(session.ssid),
  sender: session.self,
});

function pairOf(share: Dkls23KeyShare, other: PartyId): Dkls23PairState {
  const pair = share.pairs.get(other);
  if (!pair) throw new CryptoError('INVALID_ARGUMENT', `no pairwise setup with "${other}"`);
  return pair;
}

function consume<T extends { consumed: boolean }>(state: T): T {
  if (state.consumed) throw new CryptoError('STATE_CONSUMED', 'round state was already used');
  state.consumed = true;
  return state;
}

/** The (tweaked) public key: PK + τ·G. */
export function tweakedPublicKey(share: Dkls23KeyShare, tweak: bigint): GroupPoint {
  return tweak === 0n ? share.key.publicKey : share.key.publicKey.add(G.baseMul(tweak));
}

/**
 * Checks that each expected counterparty sent exactly one message for this session and
 * recipient; returns them by sender. Errors name the sender.
 */
function collect<M extends EcdsaSignHeader & { round: number; recipient?: PartyId }>(
  session: EcdsaSignSession,
  round: number,
  inbound: readonly M[],
  broadcast: boolean,
): Map<PartyId, M> {
  const bySender = new Map<PartyId, M>();
  for (const m of inbound) {
    const sender = String(m.sender);
    if (!session.signers.includes(sender) || sender === session.self) {
      throw new CryptoError('INVALID_MESSAGE', `message from "${sender}", not a co-signer`);
    }
    if (m.protocol !== SIGN_PROTOCOL || m.version !== SIGN_VERSION || m.round !== round) {
      throw new CryptoError('INVALID_MESSAGE', `not a ${SIGN_PROTOCOL} round-${round} message`, [
        sender,
      ]);
    }
    if (m.sessionId !== bytesToHex(session.ssid)) {
      throw new CryptoError('SESSION_MISMATCH', 'message is for another signing session', [sender]);
    }
    if (!broadcast && m.recipient !== session.self) {
      throw new CryptoError('INVALID_MESSAGE', 'message is addressed to another party', [sender]);
    }
    if (bySender.has(sender)) {
      throw new CryptoError('INVALID_MESSAGE', 'two messages from one sender', [sender]);
    }
    bySender.set(sender, m);
  }
  const missing = session.signers.filter((p) => p !== session.self && !bySender.has(p));
  if (missing.length > 0) {
    throw new CryptoError('INVALID_MESSAGE', `missing round-${round} message(s)`, missing);
  }
  return bySender;
}

/** Round 1 (Protocol 3.6 steps 4–6). */
export function ecdsaSignRound1(
  share: Dkls23KeyShare,
  signers: readonly PartyId[],
  options: EcdsaSignOptions,
): { state: EcdsaSignRound1Secret; outbound: EcdsaSignRound1Direct[] } {
  const structure = share.key.structure;
  // Canonical, minimal, authorised signer set (ToB-15); every signer derives the same one.
  const chosen = structure.select(signers);
  if (chosen.length !== new Set(signers).size) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `signer set is not minimal for ${structure.text()}: use {${chosen.join(', ')}}`,
    );
  }
  if (!chosen.includes(share.key.party)) {
    throw new CryptoError('INVALID_ARGUMENT', `"${share.key.party}" is not among the signers`);
  }
  if (!(options.sessionId instanceof Uint8Array) || options.sessionId.length < 16) {
    throw new CryptoError('INVALID_ARGUMENT', 'sessionId must be at least 16 bytes');
  }
  const tweak = G.mod(options.tweak ?? 0n);
  const ssid = signingSessionId({
    keyId: share.keyId,
    structureHash: structure.hash(),
    signers: chosen.map((party) => ({ party, participantId: structure.participantId(party) })),
    sessionId: options.sessionId,
    tweak,
  });
  const session: EcdsaSignSession = { self: share.key.party, signers: chosen, ssid, tweak };
  const instanceKey = G.randomScalar();
  const inversionMask = G.randomScalar();
  const salt = randomBytes(32);
  const noncePoint = G.baseMul(instanceKey);
  const encodedR = G.encodePoint(noncePoint);
  const receivers = new Map<PartyId, { state: RvoleReceiverState; chi: bigint }>();
  const outbound: EcdsaSignRound1Direct[] = [];
  for (const j of chosen) {
    if (j === session.self) continue;
    const start = rvoleReceiverStart(
      pairOf(share, j).receiver,
      multiplicationId(ssid, j, session.self),
    );
    receivers.set(j, { state: start.state, chi: start.chi });
    outbound.push({
      ...header(session),
      round: 1,
      recipient: j,
      commitment: nonceCommitment(ssid, session.self, j, encodedR, salt),
      multiplication: start.message,
    });
  }
  return {
    state: { session, instanceKey, noncePoint, inversionMask, salt, receivers, consumed: false },
    outbound,
  };
}

/** Round 2 (Protocol 3.6 step 7). Consumes the round-1 state. */
export function ecdsaSignRound2(
  share: Dkls23KeyShare,
  previous: EcdsaSignRound1Secret,
  inbound: readonly EcdsaSignRound1Direct[],
): { state: EcdsaSignRound2Secret; outbound: EcdsaSignRound2Direct[] } {
  const st = consume(previous);
  const { session } = st;
  const messages = collect(session, 1, inbound, false);
  const lambda = share.key.structure.coefficients(G, session.signers).get(session.self)!;
  const seeds = new Map([...share.pairs].map(([p, pair]) => [p, pair.zeroSeed]));
  let additiveShare = G.mod(
    lambda * share.key.secretShare + zeroShare(session.self, session.ssid, seeds, session.signers),
  );
  // The tweak is added once, by the first signer in canonical order (works for any LSSS).
  if (session.signers[0] === session.self) additiveShare = G.mod(additiveShare + session.tweak);
  const publicShare = G.baseMul(additiveShare);
  const { noncePoint } = st;
  const commitments = new Map<PartyId, Uint8Array>();
  const senderOutputs = new Map<PartyId, readonly [bigint, bigint]>();
  const outbound: EcdsaSignRound2Direct[] = [];
  for (const [j, m] of messages) {
    if (!(m.commitment instanceof Uint8Array) || m.commitment.length !== 32) {
      throw new CryptoError('INVALID_MESSAGE', 'malformed nonce commitment', [j]);
    }
    commitments.set(j, m.commitment);
    const setup = pairOf(share, j).sender; // a local fault here is not j's
    let response;
    try {
      response = rvoleSenderRespond(
        setup,
        multiplicationId(session.ssid, session.self, j),
        [st.instanceKey, additiveShare],
        m.multiplication,
      );
    } catch (error) {
      throw blame(error, j);
    }
    const [cu, cv] = response.outputs;
    senderOutputs.set(j, [cu, cv]);
    outbound.push({
      ...header(session),
      round: 2,
      recipient: j,
      multiplication: response.message,
      gammaU: G.baseMul(cu),
      gammaV: G.baseMul(cv),
      psi: G.mod(st.inversionMask - st.receivers.get(j)!.chi),
      publicShare,
      noncePoint,
      salt: st.salt,
    });
  }
  return {
    state: {
      session,
      instanceKey: st.instanceKey,
      noncePoint,
      inversionMask: st.inversionMask,
      additiveShare,
      publicShare,
      receivers: st.receivers,
      commitments,
      senderOutputs,
      consumed: false,
    },
    outbound,
  };
}

/** Codes that describe the counterparty's message, never a local fault. */
const MESSAGE_FAULTS: ReadonlySet<CryptoError['code']> = new Set([
  'INVALID_MESSAGE',
  'INVALID_POINT',
  'INVALID_SCALAR',
  'OT_CHECK_FAILED',
  'CONSISTENCY_CHECK_FAILED',
]);

/**
 * Names the counterparty as culprit of a sub-protocol failure caused by its message. Local
 * faults (a consumed state, a corrupt local setup) keep no culprit, so a node never bans an
 * honest peer for its own problem.
 */
function blame(error: unknown, culprit: PartyId): unknown {
  if (
    error instanceof CryptoError &&
    error.culprits.length === 0 &&
    MESSAGE_FAULTS.has(error.code)
  ) {
    return new CryptoError(error.code, error.message, [culprit]);
  }
  return error;
}

function assertPoint(p: unknown, what: string, sender: PartyId): GroupPoint {
  // Points arrive decoded (and so validated) from the wire codec; re-check the invariants.
  const point = p as GroupPoint | undefined;
  if (!point || typeof point.is0 !== 'function' || point.is0()) {
    throw new CryptoError('INVALID_POINT', `${what} is missing or the identity`, [sender]);
  }
  return point;
}

function assertScalar(x: unknown, what: string, sender: PartyId): bigint {
  if (typeof x !== 'bigint' || x < 0n || x >= G.order) {
    throw new CryptoError('INVALID_SCALAR', `${what} is not a scalar mod q`, [sender]);
  }
  return x;
}

/**
 * The two Γ equations of Protocol 3.6 step 9, checked as one random linear combination
 * (weight ρ, 128 bits, chosen after the messages are fixed: a false equation passes with
 * probability 2^-128):  χ·(R_j + ρ·pk_j) − (Γ^u + ρ·Γ^v) = (d^u + ρ·d^v)·G.
 * χ and d are secret (constant-time multiplications); ρ and the points are public. On failure
 * the equations are checked one by one to report which.
 */
function consistencyCheck(
  sender: PartyId,
  chi: bigint,
  Rj: GroupPoint,
  pkj: GroupPoint,
  gammaU: GroupPoint,
  gammaV: GroupPoint,
  du: bigint,
  dv: bigint,
): void {
  const rho = bytesToBigintBE(randomBytes(16));
  const left = G.mulSecret(Rj.add(G.mulPublic(pkj, rho)), chi).subtract(
    gammaU.add(G.mulPublic(gammaV, rho)),
  );
  if (left.equals(G.baseMul(G.mod(du + rho * dv)))) return;
  const which = G.mulSecret(Rj, chi).subtract(gammaU).equals(G.baseMul(du)) ? 'Γ^v' : 'Γ^u';
  throw new CryptoError('CONSISTENCY_CHECK_FAILED', `${which} check failed`, [sender]);
}

/**
 * Round 3 (Protocol 3.6 steps 8–9) up to the message: verifies every counterparty and
 * returns the presignature. Consumes the round-2 state.
 */
export function ecdsaSignRound3(
  share: Dkls23KeyShare,
  previous: EcdsaSignRound2Secret,
  inbound: readonly EcdsaSignRound2Direct[],
): Presignature {
  const st = consume(previous);
  const { session } = st;
  const messages = collect(session, 2, inbound, false);
  let noncePoint = st.noncePoint;
  let publicKeySum = st.publicShare;
  let psiSum = st.inversionMask;
  let uCross = 0n;
  let vCross = 0n;
  for (const [j, m] of messages) {
    const Rj = assertPoint(m.noncePoint, 'R_j', j);
    const pkj = assertPoint(m.publicShare, 'pk_j', j);
    const gammaU = assertPoint(m.gammaU, 'Γ^u', j);
    const gammaV = assertPoint(m.gammaV, 'Γ^v', j);
    const psi = assertScalar(m.psi, 'ψ', j);
    if (!(m.salt instanceof Uint8Array) || m.salt.length !== 32) {
      throw new CryptoError('INVALID_MESSAGE', 'malformed commitment salt', [j]);
    }
    // Step 8: the opening must match the round-1 commitment (sender and receiver bound).
    const expected = nonceCommitment(session.ssid, j, session.self, G.encodePoint(Rj), m.salt);
    if (!equalBytes(expected, st.commitments.get(j)!)) {
      throw new CryptoError('INVALID_COMMITMENT', 'R_j does not open its commitment', [j]);
    }
    const receiver = st.receivers.get(j)!;
    let du: bigint, dv: bigint;
    try {
      [du, dv] = rvoleReceiverFinish(receiver.state, m.multiplication);
    } catch (error) {
      throw blame(error, j);
    }
    // Step 9, the "simple new consistency check": χ·R_j − Γ^u = d^u·G and χ·pk_j − Γ^v = d^v·G.
    consistencyCheck(j, receiver.chi, Rj, pkj, gammaU, gammaV, du, dv);
    const [cu, cv] = st.senderOutputs.get(j)!;
    uCross = G.mod(uCross + cu + du);
    vCross = G.mod(vCross + cv + dv);
    psiSum = G.mod(psiSum + psi);
    noncePoint = noncePoint.add(Rj);
    publicKeySum = publicKeySum.add(pkj);
  }
  const publicKey = tweakedPublicKey(share, session.tweak);
  if (!publicKeySum.equals(publicKey)) {
    // Not attributable: any signer may have shifted its pk_i (DKLS23-NOTES §5).
    throw new CryptoError('NOT_ATTRIBUTABLE', 'the signers’ public shares do not sum to the key');
  }
  const r = nonceCoordinate(noncePoint);
  const v = G.mod(st.additiveShare * psiSum + vCross);
  return {
    id: presignatureId(session.ssid, session.self, st.inversionMask),
    session,
    noncePoint,
    r,
    u: G.mod(st.instanceKey * psiSum + uCross),
    v,
    inversionMask: st.inversionMask,
    publicKey,
  };
}

/**
 * The online round: w_i = m·φ_i + r·v_i. The presignature is consumed in the ledger FIRST,
 * so a second message on it (or on a restored copy) fails closed with STATE_CONSUMED.
 */
export function ecdsaSignOnline(
  presignature: Presignature,
  digest: Uint8Array,
  ledger: UsageLedger,
): EcdsaSignRound3Broadcast {
  const m = digestToScalar(digest);
  // The ledger id is recomputed from the secrets, never taken from the (maybe restored) object.
  const { session, inversionMask } = presignature;
  ledger.consume(presignatureId(session.ssid, session.self, inversionMask));
  return {
    ...header(presignature.session),
    round: 3,
    u: presignature.u,
    w: G.mod(m * presignature.inversionMask + presignature.r * presignature.v),
  };
}

/**
 * Step 10: s = Σw / Σu, normalised to low s, and verified against the (tweaked) key before
 * it is released (pitfall 8). A failure here is not attributable.
 */
export function ecdsaCombineSignature(
  presignature: Presignature,
  digest: Uint8Array,
  own: EcdsaSignRound3Broadcast,
  inbound: readonly EcdsaSignRound3Broadcast[],
): EcdsaSignature {
  const messages = collect(presignature.session, 3, inbound, true);
  let u = own.u;
  let w = own.w;
  for (const [j, m] of messages) {
    u = G.mod(u + assertScalar(m.u, 'u', j));
    w = G.mod(w + assertScalar(m.w, 'w', j));
  }
  if (u === 0n) throw new CryptoError('NOT_ATTRIBUTABLE', 'Σu = 0');
  try {
    return finishSignature(presignature.publicKey, digest, presignature.r, G.mod(w * G.inv(u)));
  } catch (error) {
    if (error instanceof CryptoError && error.code === 'INVALID_SIGNATURE') {
      throw new CryptoError('NOT_ATTRIBUTABLE', 'the combined signature does not verify');
    }
    throw error;
  }
}
