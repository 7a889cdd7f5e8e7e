/**
 * The node's keystore: named records in a directory, each sealed by a `KeyProvider`, with
 * the AAD binding the record to its name and to this keystore's random id, so a record
 * copied over another name (or from another keystore) fails to open as RECORD_CORRUPT.
 * Layout: `keystore.json` (id, provider, key id and a sealed check value proving the key
 * opens this keystore), `keystore.lock` (pid of the owning process: one process per
 * keystore, or two nodes could reuse a nonce), `records/<name>.sealed` (JSON
 * `{ v, name, box }`). Writes are atomic (atomic-file.ts); files 0600, directories 0700.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeError, isNodeError } from '../errors.js';
import {
  ensurePrivateDirectory,
  fsyncDirectory,
  removeStrayTempFiles,
  writeFileAtomic,
  FILE_MODE,
} from './atomic-file.js';
import { parseSealedBox } from './key-provider.js';
import type { KeyProvider, KeyProviderName, SealedBox } from './key-provider.js';

const HEADER_FILE = 'keystore.json';
const LOCK_FILE = 'keystore.lock';
const RECORDS_DIR = 'records';
const RECORD_SUFFIX = '.sealed';
const RECORD_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$/;
const MAX_RECORD_FILE_BYTES = 64 * 1024 * 1024;
const CHECK_PLAINTEXT = 'coffer-keystore-check-v1';

export interface KeystoreOptions {
  readonly directory: string;
  /** Owned by the keystore from now on: `close()`, or a failed `open()`, closes it. */
  readonly provider: KeyProvider;
  /** Create the keystore when the directory has none (first start). Default false. */
  readonly createIfMissing?: boolean;
}

interface KeystoreHeader {
  readonly v: 1;
  readonly keystoreId: string;
  readonly provider: KeyProviderName;
  readonly keyId: string;
  readonly check: SealedBox;
}

/** Throws INVALID_RECORD_NAME unless `name` is 1..128 of [a-z0-9._-], no "..", alnum ends. */
export function assertRecordName(name: string): void {
  if (typeof name !== 'string' || !RECORD_NAME.test(name) || name.includes('..')) {
    throw new NodeError('INVALID_RECORD_NAME', 'record names are 1..128 of [a-z0-9._-]');
  }
}

export class Keystore {
  #provider: KeyProvider | undefined;
  private readonly recordsDir: string;

  private constructor(
    readonly directory: string,
    readonly keystoreId: string,
    provider: KeyProvider,
  ) {
    this.#provider = provider;
    this.recordsDir = join(directory, RECORDS_DIR);
  }

  /** Opens (or creates) the keystore in `directory` and takes its lock. */
  static async open(options: KeystoreOptions): Promise<Keystore> {
    const { directory, provider } = options;
    let locked = false;
    try {
      let header = await readKeystoreHeader(directory);
      if (header === undefined && options.createIfMissing !== true) {
        throw new NodeError('KEYSTORE_NOT_FOUND', `no keystore in ${directory}`);
      }
      await ensurePrivateDirectory(directory);
      await acquireLock(directory);
      locked = true;
      await ensurePrivateDirectory(join(directory, RECORDS_DIR));
      await removeStrayTempFiles(directory);
      await removeStrayTempFiles(join(directory, RECORDS_DIR));
      header ??= await readKeystoreHeader(directory);
      if (header === undefined) {
        const keystoreId = randomBytes(16).toString('hex');
        header = {
          v: 1,
          keystoreId,
          provider: provider.name,
          keyId: provider.keyId,
          check: await provider.seal(Buffer.from(CHECK_PLAINTEXT), checkAad(keystoreId)),
        };
        await writeFileAtomic(
          directory,
          HEADER_FILE,
          Buffer.from(`${JSON.stringify(header, null, 2)}\n`),
        );
      }
      await verifyKeyOpensKeystore(header, provider);
      return new Keystore(directory, header.keystoreId, provider);
    } catch (error) {
      if (locked) await releaseLock(directory);
      await provider.close().catch(() => undefined);
      throw wrapStorageError(error, `cannot open keystore ${directory}`);
    }
  }

  /** Seals `bytes` under `name`, atomically replacing any previous record. */
  async put(name: string, bytes: Uint8Array): Promise<void> {
    assertRecordName(name);
    if (!(bytes instanceof Uint8Array))
      throw new NodeError('CONFIG_INVALID', 'record must be bytes');
    const box = await this.#liveProvider().seal(bytes, recordAad(this.keystoreId, name));
    const file = Buffer.from(`${JSON.stringify({ v: 1, name, box })}\n`, 'utf8');
    try {
      await writeFileAtomic(this.recordsDir, fileNameOf(name), file);
    } catch (error) {
      throw new NodeError('STORAGE_FAILED', 'cannot write record', { record: name, cause: error });
    }
  }

  /** Opens the record `name`. Throws RECORD_NOT_FOUND, or RECORD_CORRUPT if tampered. */
  async get(name: string): Promise<Uint8Array> {
    assertRecordName(name);
    const provider = this.#liveProvider();
    const path = join(this.recordsDir, fileNameOf(name));
    let text: string;
    try {
      if ((await stat(path)).size > MAX_RECORD_FILE_BYTES) {
        throw new NodeError('RECORD_CORRUPT', 'record file too large', { record: name });
      }
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NodeError('RECORD_NOT_FOUND', 'no such record', { record: name });
      }
      throw wrapStorageError(error, 'cannot read record', name);
    }
    try {
      const box = parseRecordFile(text, name);
      return await provider.open(box, recordAad(this.keystoreId, name));
    } catch (error) {
      if (isNodeError(error, 'RECORD_CORRUPT') || isNodeError(error, 'KEYSTORE_MISMATCH')) {
        throw new NodeError(error.code, describeFailure(error), { record: name });
      }
      throw error;
    }
  }

  async has(name: string): Promise<boolean> {
    assertRecordName(name);
    this.#liveProvider();
    try {
      await stat(join(this.recordsDir, fileNameOf(name)));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw wrapStorageError(error, 'cannot stat record', name);
    }
  }

  /** Removes the record; false when there was none. */
  async delete(name: string): Promise<boolean> {
    assertRecordName(name);
    this.#liveProvider();
    try {
      await unlink(join(this.recordsDir, fileNameOf(name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw wrapStorageError(error, 'cannot delete record', name);
    }
    await fsyncDirectory(this.recordsDir);
    return true;
  }

  /** Names of all records, sorted; temp files and foreign files are ignored. */
  async list(): Promise<string[]> {
    this.#liveProvider();
    const names: string[] = [];
    for (const entry of await readdir(this.recordsDir)) {
      if (!entry.endsWith(RECORD_SUFFIX)) continue;
      const name = entry.slice(0, -RECORD_SUFFIX.length);
      if (RECORD_NAME.test(name) && !name.includes('..')) names.push(name);
    }
    return names.sort();
  }

  /** Closes the provider and releases the lock. Idempotent. */
  async close(): Promise<void> {
    const provider = this.#provider;
    if (provider === undefined) return;
    this.#provider = undefined;
    try {
      await provider.close();
    } finally {
      await releaseLock(this.directory);
    }
  }

  #liveProvider(): KeyProvider {
    if (this.#provider === undefined) throw new NodeError('KEYSTORE_LOCKED', 'keystore is closed');
    return this.#provider;
  }
}

function fileNameOf(name: string): string {
  return `${name}${RECORD_SUFFIX}`;
}

/** "coffer-keystore-record-v1" ‖ lp(keystoreId) ‖ lp(name), lp = u32be length prefix. */
function recordAad(keystoreId: string, name: string): Uint8Array {
  return framed('coffer-keystore-record-v1', [keystoreId, name]);
}

function checkAad(keystoreId: string): Uint8Array {
  return framed('coffer-keystore-check-v1', [keystoreId]);
}

function framed(tag: string, fields: readonly string[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from(tag, 'utf8')];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return new Uint8Array(Buffer.concat(parts));
}

function parseRecordFile(text: string, name: string): SealedBox {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NodeError('RECORD_CORRUPT', 'record file is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NodeError('RECORD_CORRUPT', 'record file is not an object');
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort().join(',');
  if (keys !== 'box,name,v' || obj.v !== 1) {
    throw new NodeError('RECORD_CORRUPT', 'unexpected record file format');
  }
  if (obj.name !== name) throw new NodeError('RECORD_CORRUPT', 'record file names another record');
  return parseSealedBox(obj.box);
}

function describeFailure(error: NodeError): string {
  return error.code === 'KEYSTORE_MISMATCH'
    ? 'record sealed by another key provider or key'
    : 'record failed to parse or authenticate (tampered, truncated or swapped)';
}

async function readKeystoreHeader(directory: string): Promise<KeystoreHeader | undefined> {
  const path = join(directory, HEADER_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NodeError('STORAGE_FAILED', `cannot read ${path}`, { cause: error });
  }
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(value).sort().join(',');
    if (
      keys !== 'check,keyId,keystoreId,provider,v' ||
      value.v !== 1 ||
      typeof value.keystoreId !== 'string' ||
      !/^[0-9a-f]{32}$/.test(value.keystoreId) ||
      typeof value.provider !== 'string' ||
      typeof value.keyId !== 'string'
    ) {
      throw new Error('bad fields');
    }
    return { ...(value as unknown as KeystoreHeader), check: parseSealedBox(value.check) };
  } catch {
    throw new NodeError('HEADER_CORRUPT', `keystore header ${path} is malformed`);
  }
}

async function verifyKeyOpensKeystore(
  header: KeystoreHeader,
  provider: KeyProvider,
): Promise<void> {
  if (header.provider !== provider.name || header.keyId !== provider.keyId) {
    throw new NodeError(
      'KEYSTORE_MISMATCH',
      `keystore was created with ${header.provider} key "${header.keyId}", not ${provider.name} key "${provider.keyId}"`,
    );
  }
  let opened: Uint8Array;
  try {
    opened = await provider.open(header.check, checkAad(header.keystoreId));
  } catch (error) {
    if (isNodeError(error, 'RECORD_CORRUPT')) {
      throw new NodeError('KEYSTORE_MISMATCH', 'the provider key does not open this keystore');
    }
    throw error;
  }
  if (Buffer.from(opened).toString('utf8') !== CHECK_PLAINTEXT) {
    throw new NodeError('KEYSTORE_MISMATCH', 'the keystore check value is wrong');
  }
}

/** Takes `keystore.lock` (pid inside); a lock whose process is gone is taken over. */
async function acquireLock(directory: string): Promise<void> {
  const path = join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx', FILE_MODE);
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && processIsAlive(holder)) {
      throw new NodeError('KEYSTORE_BUSY', `keystore ${directory} is in use by process ${holder}`);
    }
    await unlink(path).catch(() => undefined);
  }
  throw new NodeError('KEYSTORE_BUSY', `cannot take the lock of keystore ${directory}`);
}

async function releaseLock(directory: string): Promise<void> {
  await unlink(join(directory, LOCK_FILE)).catch(() => undefined);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function wrapStorageError(error: unknown, message: string, record?: string): NodeError {
  if (error instanceof NodeError) return error;
  return new NodeError('STORAGE_FAILED', message, {
    cause: error,
    ...(record === undefined ? {} : { record }),
  });
}
