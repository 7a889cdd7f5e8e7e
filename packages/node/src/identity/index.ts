/** The node identity: Ed25519 signing and X25519 encryption keys kept in the keystore. */
export { IDENTITY_RECORD, NodeIdentity, nodeIdOf, verify } from './node-identity.js';
export type { PublicIdentity } from './node-identity.js';
