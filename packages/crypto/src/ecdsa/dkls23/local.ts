/**
 * All parties of a DKLs23 ceremony in one process: for the offline `coffer tss` tool, tests
 * and benchmarks. Messages are routed in memory exactly as a relay would route them; each
 * party runs only its own round functions on its own state.
 */
import { randomBytes } from '@noble/hashes/utils.js';

import { secp256k1Group } from '../../curves/secp256k1.js';
import { CryptoError } from '../../errors.js';
import { runDkgLocally } from '../../dkg/index.js';
import { MemoryLedger, type UsageLedger } from '../../ledger.js';
import type { KeyShare } from '../../keys/key-share.js';
import type { AccessStructure, PartyId } from '../../sharing/access-structure.js';
import type { EcdsaSignature } from '../signature.js';
import type { Dkls23KeyShare } from './key-share.js';
import { setupContinue, setupStart, type SetupDirect, type SetupState } from './setup.js';
import {
  ecdsaCombineSignature,
  ecdsaSignOnline,
  ecdsaSignRound1,
  ecdsaSignRound2,
  ecdsaSignRound3,
  type EcdsaSignOptions,
} from './sign.js';
import type { Presignature, EcdsaSignRound1Direct, EcdsaSignRound2Direct } from './sign-types.js';

const deliver = <M extends { recipient: PartyId }>(all: readonly M[], to: PartyId): M[] =>
  all.filter((m) => m.recipient === to);

/** DKG plus the pairwise OT and zero-sharing setup, for every party of `structure`. */
export function dkls23KeygenLocally(structure: AccessStructure): Map<PartyId, Dkls23KeyShare> {
  const dkg = [...runDkgLocally(secp256k1Group, structure).values()];
  const first = dkg[0]!;
  return dkls23SetupLocally(
    dkg.map((o) => o.keyShare),
    first.transcriptHash,
    first.chainCode,
  );
}

/**
 * The pairwise setup alone, for key shares that already exist (after the DKG, or after a
 * trusted-dealer import); `keyId` (32 bytes) names the key in every later transcript.
 */
export function dkls23SetupLocally(
  keyShares: readonly KeyShare[],
  keyId: Uint8Array,
  chainCode: Uint8Array,
): Map<PartyId, Dkls23KeyShare> {
  const parties = keyShares.map((k) => k.party);
  const states = new Map<PartyId, SetupState>();
  let mail: SetupDirect[] = [];
  for (const party of parties) {
    const { state, outbound } = setupStart(keyId, party, parties);
    states.set(party, state);
    mail.push(...outbound);
  }
  const shares = new Map<PartyId, Dkls23KeyShare>();
  const ledger = new MemoryLedger();
  while (shares.size < parties.length) {
    const next: SetupDirect[] = [];
    for (const key of keyShares) {
      const step = setupContinue(states.get(key.party)!, deliver(mail, key.party), ledger);
      if (step.done) {
        shares.set(key.party, { key, keyId, chainCode, pairs: step.pairs });
      } else {
        states.set(key.party, step.state);
        next.push(...step.outbound);
      }
    }
    mail = next;
  }
  return shares;
}

/** Rounds 1–3 for every signer: one presignature each (message-independent). */
export function presignLocally(
  shares: ReadonlyMap<PartyId, Dkls23KeyShare>,
  signers: readonly PartyId[],
  options: Partial<EcdsaSignOptions> = {},
): Map<PartyId, Presignature> {
  const first = shares.values().next().value;
  if (!first) throw new CryptoError('INVALID_ARGUMENT', 'no key shares');
  first.key.structure.select(signers); // UNAUTHORIZED_SET for an empty or unauthorised set
  const sessionId = options.sessionId ?? randomBytes(32);
  const opts: EcdsaSignOptions = { sessionId, ...(options.tweak ? { tweak: options.tweak } : {}) };
  const share = (p: PartyId): Dkls23KeyShare => {
    const s = shares.get(p);
    if (!s) throw new CryptoError('INVALID_ARGUMENT', `no key share for signer "${p}"`);
    return s;
  };
  const r1 = new Map(signers.map((p) => [p, ecdsaSignRound1(share(p), signers, opts)]));
  const mail1: EcdsaSignRound1Direct[] = [...r1.values()].flatMap((r) => r.outbound);
  const r2 = new Map(
    signers.map((p) => [p, ecdsaSignRound2(share(p), r1.get(p)!.state, deliver(mail1, p))]),
  );
  const mail2: EcdsaSignRound2Direct[] = [...r2.values()].flatMap((r) => r.outbound);
  return new Map(
    signers.map((p) => [p, ecdsaSignRound3(share(p), r2.get(p)!.state, deliver(mail2, p))]),
  );
}

/** The online round and combination, for every signer; every signer gets the same signature. */
export function finishLocally(
  presignatures: ReadonlyMap<PartyId, Presignature>,
  digest: Uint8Array,
  ledger: UsageLedger,
): EcdsaSignature {
  const online = new Map(
    [...presignatures].map(([p, pre]) => [p, ecdsaSignOnline(pre, digest, ledger)]),
  );
  let result: EcdsaSignature | undefined;
  for (const [p, pre] of presignatures) {
    const others = [...online].filter(([q]) => q !== p).map(([, m]) => m);
    const sig = ecdsaCombineSignature(pre, digest, online.get(p)!, others);
    if (result && (result.r !== sig.r || result.s !== sig.s)) {
      throw new CryptoError('NOT_ATTRIBUTABLE', 'signers combined different signatures');
    }
    result = sig;
  }
  return result!;
}

/** Three-round threshold ECDSA signing of a 32-byte digest by `signers`. */
export function signEcdsaLocally(
  shares: ReadonlyMap<PartyId, Dkls23KeyShare>,
  signers: readonly PartyId[],
  digest: Uint8Array,
  options: Partial<EcdsaSignOptions> = {},
): EcdsaSignature {
  return finishLocally(presignLocally(shares, signers, options), digest, new MemoryLedger());
}
