/**
 * The one error type of the signing node (CONVENTIONS.md habit 4): a stable `code` from the
 * `as const` list below, a message that never contains a secret (no passphrase, PIN, key or
 * plaintext; record names and file paths are fine), and — for keystore errors — the name of
 * the record concerned. Transport keeps its own `TransportError` for relay/envelope failures;
 * further node-wide codes are added to this list.
 */

export const NODE_ERROR_CODES = [
  /** Options or configuration are missing or malformed. */
  'CONFIG_INVALID',
  /** The passphrase does not match the keystore header's key-check value. */
  'WRONG_PASSPHRASE',
  /** The PKCS#11 token rejected the user PIN. */
  'WRONG_PIN',
  /** The key provider cannot be reached or used (module, token, env var, session). */
  'PROVIDER_UNAVAILABLE',
  /** The PKCS#11 wrapping key is absent and creating it is not allowed. */
  'KEY_NOT_FOUND',
  /** A key exists but is unsafe to use (e.g. an extractable PKCS#11 key). */
  'KEY_UNSAFE',
  /** The provider, or the keystore over it, has been closed. */
  'KEYSTORE_LOCKED',
  /** The keystore directory (or its header) does not exist and creating it is not allowed. */
  'KEYSTORE_NOT_FOUND',
  /** The keystore belongs to another provider or key, or the key does not open it. */
  'KEYSTORE_MISMATCH',
  /** Another live process holds the keystore lock. */
  'KEYSTORE_BUSY',
  /** A keystore header file is unreadable or malformed. */
  'HEADER_CORRUPT',
  /** A record name is not allowed (path traversal, bad characters, too long). */
  'INVALID_RECORD_NAME',
  /** No record by that name. */
  'RECORD_NOT_FOUND',
  /** A record fails to parse or to authenticate (tampered, truncated, or swapped). */
  'RECORD_CORRUPT',
  /** Reading or writing the keystore directory failed. */
  'STORAGE_FAILED',
  /** The stored node identity is malformed. */
  'IDENTITY_INVALID',
  /** A peer public key is malformed or yields a degenerate shared secret. */
  'INVALID_PUBLIC_KEY',
] as const;
export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

export interface NodeErrorOptions {
  /** The keystore record concerned, if any. */
  readonly record?: string;
  /** The underlying error (library errors only; never anything holding a secret). */
  readonly cause?: unknown;
}

export class NodeError extends Error {
  override readonly name = 'NodeError';
  /** The keystore record concerned, or undefined. */
  readonly record: string | undefined;
  constructor(
    readonly code: NodeErrorCode,
    message: string,
    options: NodeErrorOptions = {},
  ) {
    const where = options.record === undefined ? '' : ` (record: ${options.record})`;
    super(
      `${code}: ${message}${where}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.record = options.record;
  }
}

/** True when `error` is a `NodeError`, optionally with the given code. */
export function isNodeError(error: unknown, code?: NodeErrorCode): error is NodeError {
  return error instanceof NodeError && (code === undefined || error.code === code);
}
