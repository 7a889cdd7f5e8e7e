/**
 * Share files of the offline ceremony tool: `DIR/<party>.share.json` (one party's key share,
 * optionally encrypted with a passphrase) and `DIR/public.json` (what everyone may see).
 *
 * Encryption: scrypt (N = 2^17, r = 8, p = 1; RFC 7914) derives a 256-bit key from the
 * passphrase and a random salt; AES-256-GCM encrypts the share JSON with the file header as
 * associated data, so changing the header (party, scheme, KDF parameters) fails to decrypt.
 * Files are written atomically (temporary file, fsync, rename) with mode 0600.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CliError } from '../cli-error.js';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export const SHARE_FILE_VERSION = 1;
const KDF = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 } as const;

export interface ShareFilePlain {
  readonly version: 1;
  readonly kind: 'coffer-tss-share';
  readonly scheme: string;
  readonly party: string;
  readonly share: unknown;
}

interface ShareFileEncrypted {
  readonly version: 1;
  readonly kind: 'coffer-tss-share-encrypted';
  readonly scheme: string;
  readonly party: string;
  readonly kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  readonly cipher: 'aes-256-gcm';
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

export const shareFilePath = (dir: string, party: string): string =>
  join(dir, `${party}.share.json`);

/** Writes `content` to `path` atomically: no torn file if the process dies mid-write. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

const header = (f: Omit<ShareFileEncrypted, 'ciphertext' | 'tag'>): Buffer =>
  Buffer.from(
    JSON.stringify([f.version, f.kind, f.scheme, f.party, f.kdf, f.cipher, f.iv]),
    'utf8',
  );

const deriveKey = (passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }) =>
  scrypt(passphrase, salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * 1024 * 1024 });

export async function writeShareFile(
  dir: string,
  file: ShareFilePlain,
  passphrase: string | undefined,
): Promise<string> {
  const path = shareFilePath(dir, file.party);
  if (passphrase === undefined) {
    writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
    return path;
  }
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, KDF);
  const base = {
    version: 1 as const,
    kind: 'coffer-tss-share-encrypted' as const,
    scheme: file.scheme,
    party: file.party,
    kdf: { ...KDF, salt: salt.toString('hex') },
    cipher: 'aes-256-gcm' as const,
    iv: iv.toString('hex'),
  };
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(header(base));
  const ciphertext = Buffer.concat([
    cipher.update(JSON.stringify(file.share), 'utf8'),
    cipher.final(),
  ]);
  const encrypted: ShareFileEncrypted = {
    ...base,
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('hex'),
  };
  writeFileAtomic(path, `${JSON.stringify(encrypted, null, 2)}\n`);
  return path;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`cannot read ${what} ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${what} ${path} is not valid JSON`);
  }
}

export function readPublicFile(dir: string): unknown {
  return readJson(join(dir, 'public.json'), 'public file');
}

/** Reads and (if needed) decrypts one party's share file. */
export async function readShareFile(
  dir: string,
  party: string,
  passphrase: string | undefined,
): Promise<ShareFilePlain> {
  const path = shareFilePath(dir, party);
  const file = readJson(path, 'share file') as {
    version?: unknown;
    party?: unknown;
    kind?: unknown;
  };
  if (file.version !== SHARE_FILE_VERSION || file.party !== party) {
    throw new CliError(`${path} is not a version-1 share file of party "${party}"`);
  }
  if (file.kind === 'coffer-tss-share') return file as unknown as ShareFilePlain;
  if (file.kind !== 'coffer-tss-share-encrypted') {
    throw new CliError(`${path} is not a coffer share file`);
  }
  if (passphrase === undefined) {
    throw new CliError(`${path} is encrypted: give the passphrase with --passphrase-env VAR`);
  }
  const f = file as unknown as ShareFileEncrypted;
  if (f.kdf?.name !== 'scrypt' || f.cipher !== 'aes-256-gcm') {
    throw new CliError(`${path} uses an unsupported KDF or cipher`);
  }
  const key = await deriveKey(passphrase, Buffer.from(f.kdf.salt, 'hex'), f.kdf);
  const { ciphertext, tag, ...base } = f;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(f.iv, 'hex'));
    decipher.setAAD(header(base));
    decipher.setAuthTag(Buffer.from(tag, 'hex'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64')),
      decipher.final(),
    ]);
    return {
      version: 1,
      kind: 'coffer-tss-share',
      scheme: f.scheme,
      party,
      share: JSON.parse(plain.toString('utf8')) as unknown,
    };
  } catch {
    throw new CliError(`cannot decrypt ${path}: wrong passphrase or modified file`);
  }
}
