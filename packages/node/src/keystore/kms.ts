/**
 * KMS key provider: a 256-bit data key supplied by the environment — typically injected by
 * the platform's secret manager or KMS agent — as base64 in an environment variable
 * (default COFFER_KMS_KEY), with a non-secret key id (option, or COFFER_KMS_KEY_ID). Sealing
 * is AES-256-GCM in-process (aes-gcm.ts). The key is decoded into a native `KeyObject` and
 * the decoded bytes zeroised; the environment string itself cannot be wiped from JS (see
 * SECURITY.md), so deployments should remove the variable once the node has started.
 */
import { createSecretKey } from 'node:crypto';
import { NodeError } from '../errors.js';
import { HostKeyProvider } from './aes-gcm.js';
import { assertKeyId } from './key-provider.js';
import type { KeyProvider } from './key-provider.js';

export const DEFAULT_KMS_KEY_VAR = 'COFFER_KMS_KEY';
export const DEFAULT_KMS_KEY_ID_VAR = 'COFFER_KMS_KEY_ID';
const KEY_BYTES = 32;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface KmsProviderOptions {
  /** Where to read variables from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Variable holding the base64 key; default COFFER_KMS_KEY. */
  readonly keyVar?: string;
  /** The key id; default: the variable COFFER_KMS_KEY_ID. */
  readonly keyId?: string;
}

/** Reads and validates the key from the environment. Never echoes the value in errors. */
export function openKmsProvider(options: KmsProviderOptions = {}): Promise<KeyProvider> {
  return new Promise((resolve) => resolve(kmsProviderFromEnv(options)));
}

function kmsProviderFromEnv(options: KmsProviderOptions): KeyProvider {
  const env = options.env ?? process.env;
  const keyVar = options.keyVar ?? DEFAULT_KMS_KEY_VAR;
  const keyId = options.keyId ?? env[DEFAULT_KMS_KEY_ID_VAR];
  if (keyId === undefined || keyId === '') {
    throw new NodeError(
      'CONFIG_INVALID',
      `KMS key id missing: pass keyId or set ${DEFAULT_KMS_KEY_ID_VAR}`,
    );
  }
  assertKeyId(keyId);
  const encoded = env[keyVar]?.trim();
  if (encoded === undefined || encoded === '') {
    throw new NodeError('PROVIDER_UNAVAILABLE', `KMS key variable ${keyVar} is not set`);
  }
  if (!STRICT_BASE64.test(encoded)) {
    throw new NodeError('CONFIG_INVALID', `KMS key variable ${keyVar} is not base64`);
  }
  const raw = Buffer.from(encoded, 'base64');
  try {
    if (raw.length !== KEY_BYTES) {
      throw new NodeError(
        'CONFIG_INVALID',
        `KMS key variable ${keyVar} must decode to ${KEY_BYTES} bytes, got ${raw.length}`,
      );
    }
    return new HostKeyProvider('kms', keyId, createSecretKey(raw));
  } finally {
    raw.fill(0);
  }
}
