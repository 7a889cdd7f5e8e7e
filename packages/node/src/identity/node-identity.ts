/**
 * The signing node's own identity (issue 4, "The node" 1): an Ed25519 signing key (RFC 8032)
 * and an X25519 encryption key (RFC 7748), generated on first start and kept in the keystore
 * as the record "identity", loaded on later starts. The public half — `{ nodeId, signingKey,
 * encryptionKey }` — is what gets enrolled; `nodeId` is derived from both public keys, so an
 * identity cannot be re-bound to another id. Secret keys live in private fields: they are not
 * enumerable, not in `JSON.stringify`, not in `util.inspect`, and never in an error message.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { NodeError } from '../errors.js';
import type { Keystore } from '../keystore/store.js';

/** The keystore record holding the identity. */
export const IDENTITY_RECORD = 'identity';
const IDENTITY_RECORD_VERSION = 1;
const KEY_BYTES = 32;
const NODE_ID_TAG = 'coffer-node-id-v1';
/** 128 bits of SHA-256, hex: fits the transport's node-id pattern ([A-Za-z0-9_-]{1,64}). */
const NODE_ID_HEX_CHARS = 32;

/** What a node publishes for enrolment. Keys are lowercase hex, 32 bytes each. */
export interface PublicIdentity {
  readonly nodeId: string;
  /** Ed25519 public key (RFC 8032 §5.1.5). */
  readonly signingKey: string;
  /** X25519 public key (RFC 7748 §6.1). */
  readonly encryptionKey: string;
}

/**
 * nodeId = hex(SHA-256("coffer-node-id-v1" ‖ signingKey ‖ encryptionKey))[0..32): a stable,
 * short, subject-safe name that commits to both keys.
 */
export function nodeIdOf(signingKey: Uint8Array, encryptionKey: Uint8Array): string {
  assertPublicKey(signingKey, 'signing key');
  assertPublicKey(encryptionKey, 'encryption key');
  const digest = sha256(concatBytes(utf8ToBytes(NODE_ID_TAG), signingKey, encryptionKey));
  return bytesToHex(digest).slice(0, NODE_ID_HEX_CHARS);
}

/** Verifies an Ed25519 signature strictly (RFC 8032 §5.1.7, no ZIP-215 leniency). */
export function verify(publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== KEY_BYTES || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, bytes, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export class NodeIdentity {
  readonly nodeId: string;
  readonly signingPublicKey: Uint8Array;
  readonly encryptionPublicKey: Uint8Array;
  #signingSecret: Uint8Array;
  #encryptionSecret: Uint8Array;

  /** Takes ownership of both 32-byte secrets (they are wiped by `destroy()`). */
  private constructor(signingSecret: Uint8Array, encryptionSecret: Uint8Array) {
    this.#signingSecret = signingSecret;
    this.#encryptionSecret = encryptionSecret;
    this.signingPublicKey = ed25519.getPublicKey(signingSecret);
    this.encryptionPublicKey = x25519.getPublicKey(encryptionSecret);
    this.nodeId = nodeIdOf(this.signingPublicKey, this.encryptionPublicKey);
  }

  /** Loads the identity record, or generates and stores one on first start. */
  static async loadOrCreate(keystore: Keystore): Promise<NodeIdentity> {
    if (await keystore.has(IDENTITY_RECORD)) return NodeIdentity.load(keystore);
    const identity = new NodeIdentity(
      ed25519.utils.randomSecretKey(),
      x25519.utils.randomSecretKey(),
    );
    const record = identity.#encodeRecord();
    try {
      await keystore.put(IDENTITY_RECORD, record);
    } finally {
      record.fill(0);
    }
    return identity;
  }

  /** Loads the identity record; throws RECORD_NOT_FOUND when there is none. */
  static async load(keystore: Keystore): Promise<NodeIdentity> {
    const record = await keystore.get(IDENTITY_RECORD);
    try {
      if (record.length !== 1 + 2 * KEY_BYTES || record[0] !== IDENTITY_RECORD_VERSION) {
        throw new NodeError('IDENTITY_INVALID', 'identity record has an unknown format', {
          record: IDENTITY_RECORD,
        });
      }
      return new NodeIdentity(
        record.slice(1, 1 + KEY_BYTES),
        record.slice(1 + KEY_BYTES, 1 + 2 * KEY_BYTES),
      );
    } finally {
      record.fill(0);
    }
  }

  /** The enrolment document: node id and both public keys, hex. */
  publicIdentity(): PublicIdentity {
    return {
      nodeId: this.nodeId,
      signingKey: bytesToHex(this.signingPublicKey),
      encryptionKey: bytesToHex(this.encryptionPublicKey),
    };
  }

  /** Ed25519 signature (RFC 8032 §5.1.6) over `bytes`. */
  sign(bytes: Uint8Array): Uint8Array {
    return ed25519.sign(bytes, this.#live(this.#signingSecret));
  }

  /**
   * X25519(own secret, peerPublic) (RFC 7748 §5). Throws INVALID_PUBLIC_KEY for a malformed
   * key or an all-zero result (a small-order peer key, RFC 7748 §6.1). Hash the result with
   * a KDF and context before use as a key.
   */
  sharedSecret(peerPublic: Uint8Array): Uint8Array {
    assertPublicKey(peerPublic, 'peer encryption key');
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(this.#live(this.#encryptionSecret), peerPublic);
    } catch (error) {
      if (error instanceof NodeError) throw error;
      throw new NodeError('INVALID_PUBLIC_KEY', 'peer key yields no valid shared secret');
    }
    if (shared.every((byte) => byte === 0)) {
      throw new NodeError('INVALID_PUBLIC_KEY', 'peer key yields an all-zero shared secret');
    }
    return shared;
  }

  /**
   * The shape the transport is written against (transport/identity-types.ts `LocalNode`):
   * public keys plus a signer whose secrets stay in this object.
   */
  toLocalNode(): {
    readonly identity: {
      readonly nodeId: string;
      readonly signingPublicKey: Uint8Array;
      readonly encryptionPublicKey: Uint8Array;
    };
    readonly signer: {
      sign(bytes: Uint8Array): Uint8Array;
      x25519SharedSecret(peerPublic: Uint8Array): Uint8Array;
    };
  } {
    return {
      identity: {
        nodeId: this.nodeId,
        signingPublicKey: this.signingPublicKey,
        encryptionPublicKey: this.encryptionPublicKey,
      },
      signer: {
        sign: (bytes) => this.sign(bytes),
        x25519SharedSecret: (peerPublic) => this.sharedSecret(peerPublic),
      },
    };
  }

  /** Wipes both secrets; later `sign`/`sharedSecret` throw KEYSTORE_LOCKED. */
  destroy(): void {
    this.#signingSecret.fill(0);
    this.#encryptionSecret.fill(0);
    this.#signingSecret = new Uint8Array(0);
    this.#encryptionSecret = new Uint8Array(0);
  }

  /** JSON form is the public identity only. */
  toJSON(): PublicIdentity {
    return this.publicIdentity();
  }

  #encodeRecord(): Uint8Array {
    return concatBytes(
      Uint8Array.of(IDENTITY_RECORD_VERSION),
      this.#signingSecret,
      this.#encryptionSecret,
    );
  }

  #live(secret: Uint8Array): Uint8Array {
    if (secret.length !== KEY_BYTES) {
      throw new NodeError('KEYSTORE_LOCKED', 'node identity has been destroyed');
    }
    return secret;
  }
}

function assertPublicKey(key: unknown, what: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new NodeError('INVALID_PUBLIC_KEY', `${what} must be ${KEY_BYTES} bytes`);
  }
}
