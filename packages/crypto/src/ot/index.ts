/**
 * The OT layer for DKLs23 threshold ECDSA (ePrint 2023/765 §5, DKLS23-NOTES.md §2.2 and §3):
 * batched verified simplest OT (DKLs19 Protocol 7) for the pairwise setup, KOS15 / SoftSpokenOT
 * (k = 1) correlated OT extension with the corrected consistency check, and the RVOLE
 * two-party multiplication of DKLs23 Protocol 5.2. Browser-safe: bulk symmetric work goes
 * through the crypto provider (../provider).
 */
export { OT_FORMAT_VERSION, OT_PARAMETERS } from './params.js';
export {
  decodeOtExtensionReceiverSetup,
  decodeOtExtensionSenderSetup,
  encodeOtExtensionReceiverSetup,
  encodeOtExtensionSenderSetup,
  type OtExtensionReceiverSetup,
  type OtExtensionSenderSetup,
} from './setup.js';
export {
  baseOtReceiverRound1,
  baseOtReceiverRound2,
  baseOtReceiverRound3,
  baseOtSenderRound1,
  baseOtSenderRound2,
  baseOtSenderRound3,
  type BaseOtConfig,
  type BaseOtReceiverState1,
  type BaseOtReceiverState2,
  type BaseOtSenderState1,
  type BaseOtSenderState2,
} from './base-ot.js';
export {
  decodeBaseOtReceiverState1,
  decodeBaseOtReceiverState2,
  decodeBaseOtSenderState1,
  decodeBaseOtSenderState2,
  encodeBaseOtReceiverState1,
  encodeBaseOtReceiverState2,
  encodeBaseOtSenderState1,
  encodeBaseOtSenderState2,
} from './base-ot-state.js';
export {
  decodeBaseOtReceiverRound1,
  decodeBaseOtReceiverRound2,
  decodeBaseOtSenderRound1,
  decodeBaseOtSenderRound2,
  decodeBaseOtSenderRound3,
  encodeBaseOtReceiverRound1,
  encodeBaseOtReceiverRound2,
  encodeBaseOtSenderRound1,
  encodeBaseOtSenderRound2,
  encodeBaseOtSenderRound3,
  type BaseOtReceiverRound1Message,
  type BaseOtReceiverRound2Message,
  type BaseOtSenderRound1Message,
  type BaseOtSenderRound2Message,
  type BaseOtSenderRound3Message,
} from './base-ot-messages.js';
export { rvoleReceiverFinish, rvoleReceiverStart, rvoleSenderRespond } from './rvole.js';
export {
  decodeRvoleReceiverMessage,
  decodeRvoleReceiverState,
  decodeRvoleSenderMessage,
  encodeRvoleReceiverMessage,
  encodeRvoleReceiverState,
  encodeRvoleSenderMessage,
  type RvoleReceiverMessage,
  type RvoleReceiverState,
  type RvoleSenderMessage,
} from './rvole-messages.js';
