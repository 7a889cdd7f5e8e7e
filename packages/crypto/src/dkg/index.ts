/**
 * The distributed key generation (Pedersen DKG with Schnorr proofs of knowledge,
 * Komlo–Goldberg 2020, FROST, Fig. 1) for every access structure: public surface.
 */
export type {
  DkgComplaint,
  DkgHeader,
  DkgMessage,
  DkgMessageKind,
  DkgRound1Broadcast,
  DkgRound2Broadcast,
  DkgRound2Direct,
} from './messages.js';
export { decodeDkgMessage, encodeDkgMessage } from './messages.js';
export { dkgRound1, type DkgParams } from './round1.js';
export { dkgRound2, type DkgRound2Outbound } from './round2.js';
export {
  dkgFinalize,
  type DkgFinalizeResult,
  type DkgOutput,
  type DkgRound2Inbound,
} from './finalize.js';
export { resolveComplaint, type ComplaintVerdict, type DkgPublicData } from './complaints.js';
export {
  DkgRound1Secret,
  DkgRound2Secret,
  type DkgRound1SecretJson,
  type DkgRound2SecretJson,
} from './state.js';
export { runDkgLocally } from './local.js';
