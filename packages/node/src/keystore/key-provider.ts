/**
 * The key that protects the node's data at rest, behind one interface (issue 4, "Keystore").
 * Three providers implement it: a passphrase (scrypt + AES-256-GCM, passphrase.ts), a PKCS#11
 * token whose AES key never leaves the token (pkcs11.ts), and an environment-supplied KMS key
 * (kms.ts). Each `seal` yields a `SealedBox`: versioned, JSON-safe, naming its provider and
 * key id. The GCM associated data is not the caller's AAD alone but a length-prefixed
 * encoding of (format version, provider, key id, caller AAD), so the box's own header fields
 * are authenticated too and a box cannot be relabelled to another provider or key.
 */
import { NodeError } from '../errors.js';

export const KEY_PROVIDER_NAMES = ['passphrase', 'pkcs11', 'kms'] as const;
export type KeyProviderName = (typeof KEY_PROVIDER_NAMES)[number];

export const SEALED_BOX_VERSION = 1;
/** AES-256-GCM with a 96-bit IV and a 128-bit tag (NIST SP 800-38D). */
export const SEALED_BOX_ALG = 'A256GCM';
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** One sealed plaintext. Binary fields are standard base64 (with padding). */
export interface SealedBox {
  readonly v: typeof SEALED_BOX_VERSION;
  readonly alg: typeof SEALED_BOX_ALG;
  readonly provider: KeyProviderName;
  readonly keyId: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

export interface KeyProvider {
  readonly name: KeyProviderName;
  /** Stable, non-secret identifier of the wrapping key (stored in every box). */
  readonly keyId: string;
  /** Encrypts `plaintext` bound to `aad`. Throws KEYSTORE_LOCKED after `close()`. */
  seal(plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox>;
  /**
   * Decrypts a box sealed by this provider's key with the same `aad`. Throws RECORD_CORRUPT
   * when authentication fails, KEYSTORE_MISMATCH when the box names another provider/key.
   */
  open(box: SealedBox, aad: Uint8Array): Promise<Uint8Array>;
  /** Forgets the key (or logs out of the token). Idempotent. */
  close(): Promise<void>;
}

const BOX_FIELDS = ['v', 'alg', 'provider', 'keyId', 'iv', 'ct', 'tag'] as const;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_ID = /^[\x21-\x7e]{1,200}$/;

/** Strict base64 decode: rejects anything Buffer.from would silently skip. */
export function decodeBase64(text: string, what: string): Uint8Array {
  if (!BASE64.test(text)) throw new NodeError('RECORD_CORRUPT', `${what} is not base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Validates a key id (printable ASCII, no spaces): it is stored in clear in every box. */
export function assertKeyId(keyId: string): void {
  if (!KEY_ID.test(keyId)) {
    throw new NodeError('CONFIG_INVALID', 'key id must be 1..200 printable ASCII characters');
  }
}

/**
 * Parses an untrusted value into a `SealedBox`: exact field set (unknown fields rejected),
 * known version/alg/provider, IV and tag of the right length. Throws RECORD_CORRUPT.
 */
export function parseSealedBox(value: unknown): SealedBox {
  const fail = (why: string): never => {
    throw new NodeError('RECORD_CORRUPT', `malformed sealed box: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('not an object');
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length !== BOX_FIELDS.length || !BOX_FIELDS.every((k) => keys.includes(k))) {
    fail('unexpected or missing fields');
  }
  if (obj.v !== SEALED_BOX_VERSION) fail('unsupported version');
  if (obj.alg !== SEALED_BOX_ALG) fail('unsupported algorithm');
  const provider = obj.provider;
  if (
    typeof provider !== 'string' ||
    !(KEY_PROVIDER_NAMES as readonly string[]).includes(provider)
  ) {
    fail('unknown provider');
  }
  for (const field of ['keyId', 'iv', 'ct', 'tag'] as const) {
    if (typeof obj[field] !== 'string') fail(`${field} is not a string`);
  }
  const box = obj as unknown as SealedBox;
  if (!KEY_ID.test(box.keyId)) fail('bad key id');
  if (decodeBase64(box.iv, 'iv').length !== GCM_IV_BYTES) fail('bad IV length');
  if (decodeBase64(box.tag, 'tag').length !== GCM_TAG_BYTES) fail('bad tag length');
  decodeBase64(box.ct, 'ciphertext');
  return {
    v: SEALED_BOX_VERSION,
    alg: SEALED_BOX_ALG,
    provider: box.provider,
    keyId: box.keyId,
    iv: box.iv,
    ct: box.ct,
    tag: box.tag,
  };
}

/**
 * The GCM associated data actually authenticated: "coffer-sealed-box" ‖ v ‖ lp(provider) ‖
 * lp(keyId) ‖ lp(aad), where lp = 4-byte big-endian length then bytes. Injective, so no two
 * (provider, keyId, aad) triples share an encoding.
 */
export function boxAssociatedData(
  provider: KeyProviderName,
  keyId: string,
  aad: Uint8Array,
): Uint8Array {
  const parts = [
    Buffer.from('coffer-sealed-box', 'utf8'),
    Uint8Array.of(SEALED_BOX_VERSION),
    lengthPrefixed(Buffer.from(provider, 'utf8')),
    lengthPrefixed(Buffer.from(keyId, 'utf8')),
    lengthPrefixed(aad),
  ];
  return new Uint8Array(Buffer.concat(parts));
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

/** Throws KEYSTORE_MISMATCH unless `box` was sealed by `provider`'s key. */
export function assertBoxIsFor(box: SealedBox, provider: KeyProvider): void {
  if (box.provider !== provider.name || box.keyId !== provider.keyId) {
    throw new NodeError(
      'KEYSTORE_MISMATCH',
      `sealed by ${box.provider} key "${box.keyId}", not by ${provider.name} key "${provider.keyId}"`,
    );
  }
}

/** Throws CONFIG_INVALID unless `value` is a Uint8Array. */
export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new NodeError('CONFIG_INVALID', `${what} must be bytes`);
}
