/**
 * FROST threshold Schnorr signing (RFC 9591) for every access structure: the public surface.
 * Suites: 'frost-ed25519' (§6.1), 'frost-secp256k1' (§6.5), 'frost-taproot' (BIP340/BIP341).
 * Round 1 `commit` (§5.1), round 2 `signShare` (§5.2), `verifySignatureShare` (§5.4),
 * `aggregate` (§5.3), `verifySignature`, and `signWithAllParties` for in-process signing.
 * Internal entry points (fixed-randomness nonce generation, precomputed signing packages)
 * are deliberately not exported here.
 */
export { FROST_SUITE_NAMES } from './suite.js';
export type { FrostSuiteName, FrostSignOptions, TaprootTweak } from './suite.js';
export type { FrostKeyShare, FrostPublicKey, FrostSignerStructure } from './context.js';
export {
  FROST_PROTOCOL,
  FROST_VERSION,
  decodeFrostMessage,
  encodeFrostMessage,
} from './messages.js';
export type {
  FrostMessage,
  FrostMessageHeader,
  SignRound1Broadcast,
  SignRound2Broadcast,
} from './messages.js';
export type { SignRound1Secret } from './state.js';
export { restoreSignRound1Secret, serializeSignRound1Secret } from './state.js';
export { commit } from './round1.js';
export type { FrostSession } from './round1.js';
export { signShare } from './round2.js';
export { aggregate, verifySignatureShare } from './aggregate.js';
export { frostVerifyingKey, verifySignature } from './verify.js';
export { signWithAllParties } from './local.js';
export type { LocalSignOptions, LocalSignature } from './local.js';
