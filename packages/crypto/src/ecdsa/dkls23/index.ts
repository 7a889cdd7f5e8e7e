/** DKLs23 threshold ECDSA on secp256k1 (ePrint 2023/765): setup, signing, presigning. */
export type { Dkls23KeyShare, Dkls23PairState } from './key-share.js';
export {
  SETUP_PROTOCOL,
  setupContinue,
  setupStart,
  type SetupDirect,
  type SetupState,
  type SetupStep,
} from './setup.js';
export {
  ecdsaCombineSignature,
  ecdsaSignOnline,
  ecdsaSignRound1,
  ecdsaSignRound2,
  ecdsaSignRound3,
  tweakedPublicKey,
  type EcdsaSignOptions,
} from './sign.js';
export type * from './sign-types.js';
export { SIGN_PROTOCOL } from './session.js';
export {
  dkls23KeygenLocally,
  dkls23SetupLocally,
  finishLocally,
  presignLocally,
  signEcdsaLocally,
} from './local.js';
export * from './codec.js';
