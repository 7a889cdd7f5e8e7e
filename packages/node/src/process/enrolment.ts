/**
 * Enrolment documents: the public identity JSON that `coffer node identity` prints —
 * `{ nodeId, signingKey, encryptionKey }`, keys as 32-byte lowercase hex — parsed into the
 * transport's `PeerIdentity`. The node id must be the one derived from both keys
 * (identity/node-identity.ts `nodeIdOf`), so an enrolment cannot bind a key to another id.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { nodeIdOf } from '../identity/node-identity.js';
import type { PublicIdentity } from '../identity/node-identity.js';
import type { PeerIdentity } from '../transport/identity-types.js';
import { configError, readObject, readString } from './config-reader.js';

const KEY_HEX = /^[0-9a-f]{64}$/;

/** Parses and checks one enrolled public identity found at `path` in the config. */
export function parsePublicIdentity(value: unknown, path: string): PeerIdentity {
  const o = readObject(value, path, ['nodeId', 'signingKey', 'encryptionKey']);
  const nodeId = readString(o.nodeId, `${path}.nodeId`);
  const signingKey = readString(o.signingKey, `${path}.signingKey`);
  const encryptionKey = readString(o.encryptionKey, `${path}.encryptionKey`);
  for (const [name, hex] of [
    ['signingKey', signingKey],
    ['encryptionKey', encryptionKey],
  ] as const) {
    if (!KEY_HEX.test(hex)) throw configError(`${path}.${name}`, 'must be 64 lowercase hex digits');
  }
  const signingPublicKey = hexToBytes(signingKey);
  const encryptionPublicKey = hexToBytes(encryptionKey);
  let derived: string;
  try {
    derived = nodeIdOf(signingPublicKey, encryptionPublicKey);
  } catch {
    throw configError(path, 'holds a malformed public key');
  }
  if (derived !== nodeId) {
    throw configError(
      `${path}.nodeId`,
      'does not match the keys (expected the id derived from them)',
    );
  }
  return { nodeId, signingPublicKey, encryptionPublicKey };
}

/** The printable enrolment form of a `PeerIdentity` (inverse of `parsePublicIdentity`). */
export function toPublicIdentity(peer: PeerIdentity): PublicIdentity {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  return {
    nodeId: peer.nodeId,
    signingKey: hex(peer.signingPublicKey),
    encryptionKey: hex(peer.encryptionPublicKey),
  };
}
