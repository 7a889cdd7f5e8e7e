/**
 * Passphrase key provider: scrypt (RFC 7914; N = 2^17, r = 8, p = 1 by default) over the
 * passphrase and a random 256-bit salt gives 64 bytes; the first 32 are the AES-256-GCM key,
 * the last 32 feed a key-check value stored in the header (SHA-256 of a domain tag and those
 * bytes). A wrong passphrase is thus rejected up front as WRONG_PASSPHRASE, without trying a
 * record; the check value reveals nothing about the encryption key (independent scrypt
 * output) and no more about the passphrase than any sealed record would. The header (salt,
 * cost, check value) is written atomically with mode 0600 on first use.
 */
import {
  createHash,
  createSecretKey,
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { NodeError } from '../errors.js';
import { HostKeyProvider } from './aes-gcm.js';
import { ensurePrivateDirectory, writeFileAtomic } from './atomic-file.js';
import { decodeBase64, encodeBase64 } from './key-provider.js';
import type { KeyProvider } from './key-provider.js';

export const DEFAULT_SCRYPT_LOG_N = 17;
const MIN_SCRYPT_LOG_N = 14;
const MAX_SCRYPT_LOG_N = 20;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 32;
const MIN_NEW_PASSPHRASE_BYTES = 8;
const KEY_CHECK_TAG = 'coffer-passphrase-key-check-v1';

export interface PassphraseProviderOptions {
  /** The keystore header file holding salt, scrypt cost and key-check value. */
  readonly headerPath: string;
  /** Normalised to NFC and UTF-8 encoded when a string. Never logged. */
  readonly passphrase: string | Uint8Array;
  /** Create the header when it does not exist (first start). Default false. */
  readonly createIfMissing?: boolean;
  /** log2 of scrypt's N for a NEW header (14..20, default 17); an existing header wins. */
  readonly scryptLogN?: number;
}

interface PassphraseHeader {
  readonly v: 1;
  readonly kdf: 'scrypt';
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly check: string;
}

/** Opens (or on first start creates) the passphrase header and derives the key. */
export async function openPassphraseProvider(
  options: PassphraseProviderOptions,
): Promise<KeyProvider> {
  const passphrase = passphraseBytes(options.passphrase);
  try {
    const existing = await readHeader(options.headerPath);
    if (existing !== undefined) {
      const derived = await deriveKeyMaterial(passphrase, existing);
      try {
        const check = decodeBase64(existing.check, 'check value');
        const expected = keyCheckValue(derived);
        if (check.length !== expected.length || !timingSafeEqual(check, expected)) {
          throw new NodeError('WRONG_PASSPHRASE', 'the passphrase does not open this keystore');
        }
        return new HostKeyProvider(
          'passphrase',
          keyIdOf(existing),
          createSecretKey(derived.subarray(0, 32)),
        );
      } finally {
        derived.fill(0);
      }
    }
    if (options.createIfMissing !== true) {
      throw new NodeError('KEYSTORE_NOT_FOUND', `no passphrase header at ${options.headerPath}`);
    }
    if (passphrase.length < MIN_NEW_PASSPHRASE_BYTES) {
      throw new NodeError(
        'CONFIG_INVALID',
        `a new passphrase must be at least ${MIN_NEW_PASSPHRASE_BYTES} bytes`,
      );
    }
    const logN = options.scryptLogN ?? DEFAULT_SCRYPT_LOG_N;
    assertLogN(logN, 'CONFIG_INVALID');
    const draft = { v: 1, kdf: 'scrypt', logN, r: SCRYPT_R, p: SCRYPT_P } as const;
    const salt = encodeBase64(randomBytes(SALT_BYTES));
    const derived = await deriveKeyMaterial(passphrase, { ...draft, salt });
    try {
      const header: PassphraseHeader = {
        ...draft,
        salt,
        check: encodeBase64(keyCheckValue(derived)),
      };
      await ensurePrivateDirectory(dirname(options.headerPath));
      await writeFileAtomic(
        dirname(options.headerPath),
        basename(options.headerPath),
        Buffer.from(`${JSON.stringify(header, null, 2)}\n`, 'utf8'),
      );
      return new HostKeyProvider(
        'passphrase',
        keyIdOf(header),
        createSecretKey(derived.subarray(0, 32)),
      );
    } finally {
      derived.fill(0);
    }
  } finally {
    if (typeof options.passphrase === 'string') passphrase.fill(0);
  }
}

function passphraseBytes(passphrase: string | Uint8Array): Buffer {
  if (typeof passphrase === 'string') return Buffer.from(passphrase.normalize('NFC'), 'utf8');
  if (passphrase instanceof Uint8Array) {
    return Buffer.from(passphrase.buffer, passphrase.byteOffset, passphrase.byteLength);
  }
  throw new NodeError('CONFIG_INVALID', 'passphrase must be a string or bytes');
}

function deriveKeyMaterial(
  passphrase: Buffer,
  params: Pick<PassphraseHeader, 'logN' | 'r' | 'p' | 'salt'>,
): Promise<Buffer> {
  const N = 2 ** params.logN;
  const salt = decodeBase64(params.salt, 'salt');
  return new Promise((resolve, reject) => {
    scryptCallback(
      passphrase,
      salt,
      64,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 },
      (error, derived) => {
        if (error) reject(new NodeError('PROVIDER_UNAVAILABLE', 'scrypt failed', { cause: error }));
        else resolve(derived);
      },
    );
  });
}

function keyCheckValue(derived: Buffer): Buffer {
  return createHash('sha256').update(KEY_CHECK_TAG).update(derived.subarray(32, 64)).digest();
}

/** Non-secret id of this (salt, cost) pair: changes whenever the header is re-created. */
function keyIdOf(header: Pick<PassphraseHeader, 'salt' | 'logN'>): string {
  const digest = createHash('sha256').update(header.salt).digest('hex');
  return `scrypt-${header.logN}-${digest.slice(0, 16)}`;
}

function assertLogN(logN: unknown, code: 'CONFIG_INVALID' | 'HEADER_CORRUPT'): void {
  if (
    typeof logN !== 'number' ||
    !Number.isInteger(logN) ||
    logN < MIN_SCRYPT_LOG_N ||
    logN > MAX_SCRYPT_LOG_N
  ) {
    throw new NodeError(code, `scrypt log2(N) must be ${MIN_SCRYPT_LOG_N}..${MAX_SCRYPT_LOG_N}`);
  }
}

/** Reads and validates the header; undefined when the file does not exist. */
async function readHeader(path: string): Promise<PassphraseHeader | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NodeError('STORAGE_FAILED', `cannot read ${path}`, { cause: error });
  }
  const corrupt = (why: string): never => {
    throw new NodeError('HEADER_CORRUPT', `passphrase header ${path}: ${why}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    corrupt('not JSON');
  }
  if (typeof value !== 'object' || value === null) return corrupt('not an object');
  const h = value as Record<string, unknown>;
  const fields = ['v', 'kdf', 'logN', 'r', 'p', 'salt', 'check'];
  const keys = Object.keys(h);
  if (keys.length !== fields.length || !fields.every((f) => keys.includes(f))) {
    corrupt('unexpected or missing fields');
  }
  if (h.v !== 1 || h.kdf !== 'scrypt') corrupt('unsupported version or KDF');
  assertLogN(h.logN, 'HEADER_CORRUPT');
  if (h.r !== SCRYPT_R || h.p !== SCRYPT_P) corrupt('unsupported scrypt r or p');
  if (typeof h.salt !== 'string' || typeof h.check !== 'string') corrupt('bad salt or check');
  try {
    if (decodeBase64(h.salt as string, 'salt').length !== SALT_BYTES) corrupt('bad salt length');
    decodeBase64(h.check as string, 'check value');
  } catch (error) {
    if (error instanceof NodeError && error.code === 'HEADER_CORRUPT') throw error;
    corrupt('salt or check is not base64');
  }
  return h as unknown as PassphraseHeader;
}
