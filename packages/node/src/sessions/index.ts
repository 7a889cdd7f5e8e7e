/**
 * Protocol sessions of the signing node (issue 4, "Sessions"): the durable usage ledger,
 * the protocol drivers (DKG, FROST signing, DKLs23 keygen and signing) and the runner that
 * drives them over the node transport with timeouts, persistence and culprit-naming aborts.
 */
export { DurableLedger, USAGE_LEDGER_FILE, USAGE_LEDGER_KEY_RECORD } from './durable-ledger.js';
export type { DurableLedgerOptions } from './durable-ledger.js';
export { SESSION_ABORT_CODES, SessionAborted, isSessionAborted } from './errors.js';
export {
  MAX_ECHO_RECORDS,
  PROTOCOL_ECHOED,
  checkBroadcastEchoes,
  echoRecordOf,
  parseEchoRecords,
} from './broadcast-echo.js';
export type { EchoCheckInput, EchoRecord } from './broadcast-echo.js';
export type { SessionAbortCode, SessionAbortedOptions } from './errors.js';
export { PROTOCOL_NAMES, SIGNING_PROTOCOLS, isDone } from './types.js';
export type {
  DriverContext,
  InboundMessage,
  ProtocolDriver,
  ProtocolName,
  RoundOutput,
  StepOutput,
  WireMessage,
} from './types.js';
export { PROTOCOL_DRIVERS } from './drivers/index.js';
export { dkgDriver } from './drivers/dkg.js';
export type { DkgSessionOutput, DkgSessionParams, StoredKeyShare } from './drivers/dkg.js';
export { frostNonceLedgerId, frostSignDriver } from './drivers/frost-sign.js';
export type { FrostSignOutput, FrostSignParams } from './drivers/frost-sign.js';
export { dkls23KeygenDriver } from './drivers/dkls23-keygen.js';
export type { Dkls23KeygenParams } from './drivers/dkls23-keygen.js';
export { dkls23SignDriver } from './drivers/dkls23-sign.js';
export type { Dkls23SignOutput, Dkls23SignParams } from './drivers/dkls23-sign.js';
export {
  deletePresignature,
  dkls23PresignDriver,
  loadPresignature,
  presignatureRecordName,
} from './drivers/dkls23-presign.js';
export type {
  Dkls23PresignOutput,
  Dkls23PresignParams,
  StoredPresignature,
} from './drivers/dkls23-presign.js';
export { dkls23FinishDriver } from './drivers/dkls23-finish.js';
export type { Dkls23FinishOutput, Dkls23FinishParams } from './drivers/dkls23-finish.js';
export {
  keyShareRecord,
  loadKeyGenesis,
  loadSessionRecord,
  saveKeyGenesis,
  sessionRecordName,
} from './session-store.js';
export type { SessionRecord } from './session-store.js';
export { DEFAULT_ROUND_TIMEOUT_MS, SessionRunner, toAbort } from './runner.js';
export type {
  SessionHooks,
  SessionRequest,
  SessionResult,
  SessionRunnerOptions,
  SessionTransport,
} from './runner.js';
export {
  REDACTED_SESSION_FIELDS,
  redactionPaths as sessionRedactionPaths,
} from './session-logger.js';
