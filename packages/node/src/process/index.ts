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
