/**
 * The small identity interfaces the transport is written against (issue 4, "Transport").
 * A node's public identity is what gets enrolled: its id, its Ed25519 signing key and its
 * X25519 encryption key. The local node additionally holds a `NodeSigner` whose secret keys
 * never leave it (the identity module implements it, possibly inside an HSM). A `Directory`
 * answers "which public identity is enrolled under this node id" — a `ReadonlyMap` fits.
 */

/** Node ids double as NATS subject tokens, so no '.', '*', '>' or whitespace. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The enrolled, public half of a node identity. */
export interface PeerIdentity {
  readonly nodeId: string;
  /** Ed25519 public key, 32 bytes (RFC 8032). */
  readonly signingPublicKey: Uint8Array;
  /** X25519 public key, 32 bytes (RFC 7748). */
  readonly encryptionPublicKey: Uint8Array;
}

/** The local node's secret operations. Implementations must not expose the secret keys. */
export interface NodeSigner {
  /** Ed25519 signature (RFC 8032 §5.1.6) over `bytes` with the node's signing key. */
  sign(bytes: Uint8Array): Uint8Array;
  /** X25519(own secret, peerPublic) (RFC 7748 §5); must throw on an all-zero result. */
  x25519SharedSecret(peerPublic: Uint8Array): Uint8Array;
}

/** The local node: its public identity plus its signer. */
export interface LocalNode {
  readonly identity: PeerIdentity;
  readonly signer: NodeSigner;
}

/** Enrolled identities by node id. */
export interface Directory {
  get(nodeId: string): PeerIdentity | undefined;
}

/** Builds a `Directory` from a list of enrolled identities (duplicate ids are an error). */
export function directoryOf(identities: Iterable<PeerIdentity>): Directory {
  const map = new Map<string, PeerIdentity>();
  for (const id of identities) {
    if (!NODE_ID_PATTERN.test(id.nodeId)) throw new Error(`invalid node id: ${id.nodeId}`);
    if (map.has(id.nodeId)) throw new Error(`duplicate node id: ${id.nodeId}`);
    map.set(id.nodeId, id);
  }
  return map;
}
