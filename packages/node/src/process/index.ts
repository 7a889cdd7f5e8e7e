/**
 * The `coffer node` process (issue 4, "The node"): configuration (file and environment,
 * strictly validated), keystore opening by provider name, the running signing node with its
 * relay connection and loopback health endpoint, and the redacting logger.
 */
export { CONFIG_ENV_VARS, loadNodeConfig } from './config-sources.js';
export type { ConfigSources, Environment } from './config-sources.js';
export {
  DEFAULT_KMS_KEY_ENV,
  DEFAULT_PASSPHRASE_ENV,
  DEFAULT_PKCS11_PIN_ENV,
  DEFAULT_ROUND_TIMEOUT_MS as DEFAULT_NODE_ROUND_TIMEOUT_MS,
  LOG_LEVELS,
  parseNodeConfig,
  requireRunnable,
} from './node-config.js';
export type {
  EnrolmentConfig,
  KeystoreConfig,
  LogLevel,
  NodeConfig,
  RelayConfig,
  RunnableNodeConfig,
} from './node-config.js';
export { parsePublicIdentity, toPublicIdentity } from './enrolment.js';
export { keystorePaths, openNodeKeystore } from './open-node-keystore.js';
export { createNodeLogger, redactionPaths, REDACTED_FIELDS } from './node-logger.js';
export { HealthServer } from './health-server.js';
export type { HealthReport, HealthSource } from './health-server.js';
export { SigningNode } from './signing-node.js';
export type { SigningNodeOptions } from './signing-node.js';
export { SessionService } from './session-service.js';
export type { SessionServiceOptions } from './session-service.js';
export {
  COORDINATOR_PROTOCOL_VERSION,
  SESSION_ACTIONS,
  assertPublicOutput,
  decodeSessionCommand,
  decodeSessionReport,
  encodeMessage,
  newControlSessionId,
} from './coordinator-protocol.js';
export type { SessionAction, SessionCommand, SessionReport } from './coordinator-protocol.js';
export { CONTROL_ERROR_CODES, ControlError } from './errors.js';
export type { ControlErrorCode } from './errors.js';
