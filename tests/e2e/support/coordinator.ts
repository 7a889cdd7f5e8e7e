/**
 * The test coordinator: an identity of the same shape as a node's (Ed25519 signing key,
 * X25519 encryption key, node id derived from both), enrolled with every node as the one
 * whose signed session requests they accept. It connects to the relay like a node
 * (WsRelayClient, authenticated) and talks to the nodes through the same transport.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { nodeIdOf } from '@coffer/node';
import type { LocalNode } from '@coffer/node';
import type { PublicIdentityJson } from './node-process.js';

export interface CoordinatorIdentity {
  readonly local: LocalNode;
  readonly publicIdentity: PublicIdentityJson;
}

/** A fresh coordinator identity with its keys in memory. */
export function coordinatorIdentity(): CoordinatorIdentity {
  const signing = ed25519.keygen();
  const encryption = x25519.keygen();
  const nodeId = nodeIdOf(signing.publicKey, encryption.publicKey);
  return {
    local: {
      identity: {
        nodeId,
        signingPublicKey: signing.publicKey,
        encryptionPublicKey: encryption.publicKey,
      },
      signer: {
        sign: (bytes) => ed25519.sign(bytes, signing.secretKey),
        x25519SharedSecret: (peer) => x25519.getSharedSecret(encryption.secretKey, peer),
      },
    },
    publicIdentity: {
      nodeId,
      signingKey: bytesToHex(signing.publicKey),
      encryptionKey: bytesToHex(encryption.publicKey),
    },
  };
}
