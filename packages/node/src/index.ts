/**
 * @coffer/node: the signing node — its encrypted keystore (passphrase, PKCS#11 or KMS key),
 * its identity (Ed25519 signing and X25519 encryption keys), and the authenticated transport
 * to other nodes through an untrusted relay (in-process, WebSocket, NATS), the protocol
 * session runner with its durable usage ledger, the approval gate for signing, and the
 * `coffer node` process that joins them (configuration, health endpoint, logs).
 */
export * from './errors.js';
export * from './keystore/index.js';
export * from './identity/index.js';
export * from './transport/index.js';
export * from './process/index.js';
export * from './sessions/index.js';
export * from './approvals/index.js';
