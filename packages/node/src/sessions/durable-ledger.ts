/**
 * The node's persistent `UsageLedger` (CRYPTO.md invariant 2; issue 4, "Nonce/presignature
 * single use is persisted before the value leaves the node"). `consume(id)` appends one
 * entry to `usage-ledger.log` in the node's data directory and fsyncs it BEFORE returning,
 * so once a round function has been allowed to release a value, a crash and restart still
 * see the id as consumed. `consume` is synchronous because the crypto round functions call
 * it synchronously; it uses blocking `writeSync` + `fsyncSync` on purpose.
 *
 * Entries are sealed via the keystore: each line is HMAC-SHA256(k, "coffer-usage-ledger-v1"
 * ‖ id) with a 32-byte key k kept as the keystore record `usage-ledger-key`, so the file
 * neither reveals ids nor accepts entries forged without the keystore key. A torn final line
 * (crash during the append, before `consume` returned) is ignored; any other malformed line
 * fails closed (RECORD_CORRUPT). Rollback by deleting the file is out of scope here, as for
 * the keystore itself (same directory, same permissions).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  writeSync,
  ftruncateSync,
  fstatSync,
} from 'node:fs';
import { join } from 'node:path';
import { CryptoError, type UsageLedger } from '@coffer/crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { NodeError, isNodeError } from '../errors.js';
import type { Keystore } from '../keystore/index.js';

export const USAGE_LEDGER_FILE = 'usage-ledger.log';
export const USAGE_LEDGER_KEY_RECORD = 'usage-ledger-key';
const DOMAIN = 'coffer-usage-ledger-v1';
const ENTRY = /^[0-9a-f]{64}$/;

export interface DurableLedgerOptions {
  /** The node's data directory (created by the caller; the keystore directory is fine). */
  readonly directory: string;
  /** Holds the ledger's MAC key; must stay open while the ledger is used. */
  readonly keystore: Keystore;
}

export class DurableLedger implements UsageLedger {
  readonly #key: Uint8Array;
  readonly #used: Set<string>;
  #fd: number | undefined;

  private constructor(key: Uint8Array, used: Set<string>, fd: number) {
    this.#key = key;
    this.#used = used;
    this.#fd = fd;
  }

  /** Opens (creating if needed) the ledger file and its key; replays every entry. */
  static async open(options: DurableLedgerOptions): Promise<DurableLedger> {
    const key = await loadOrCreateKey(options.keystore);
    const path = join(options.directory, USAGE_LEDGER_FILE);
    const created = !existsSync(path);
    let fd: number;
    try {
      fd = openSync(path, 'a+', 0o600);
    } catch (error) {
      throw new NodeError('STORAGE_FAILED', `cannot open ${path}`, { cause: error });
    }
    try {
      const used = replay(readFileSync(path, 'utf8'), fd);
      if (created) fsyncDirectory(options.directory);
      return new DurableLedger(key, used, fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Number of consumed ids (for diagnostics). */
  get size(): number {
    return this.#used.size;
  }

  /** True when `id` was consumed (now or before a restart). */
  has(id: string): boolean {
    return this.#used.has(this.#entry(id));
  }

  /**
   * Records `id` as used, durably (written and fsync'ed) before returning. Throws
   * CryptoError STATE_CONSUMED if it was used before, NodeError if the write fails (and
   * then the caller must not release anything: the id is treated as consumed in memory).
   */
  consume(id: string): void {
    if (typeof id !== 'string' || id.length === 0) {
      throw new CryptoError('INVALID_ARGUMENT', 'ledger ids are non-empty strings');
    }
    const fd = this.#fd;
    if (fd === undefined) throw new NodeError('KEYSTORE_LOCKED', 'usage ledger is closed');
    const entry = this.#entry(id);
    if (this.#used.has(entry)) {
      throw new CryptoError('STATE_CONSUMED', 'single-use state was already used');
    }
    // Fail closed: mark first, so a failed write can never be followed by a release.
    this.#used.add(entry);
    try {
      const line = Buffer.from(`${entry}\n`, 'ascii');
      let written = 0;
      while (written < line.length) written += writeSync(fd, line, written);
      fsyncSync(fd);
    } catch (error) {
      throw new NodeError('STORAGE_FAILED', 'cannot persist a usage-ledger entry', {
        cause: error,
      });
    }
  }

  /** Closes the file. Idempotent; later `consume` calls throw KEYSTORE_LOCKED. */
  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #entry(id: string): string {
    return bytesToHex(hmac(sha256, this.#key, utf8ToBytes(`${DOMAIN}\u0000${id}`)));
  }
}

async function loadOrCreateKey(keystore: Keystore): Promise<Uint8Array> {
  try {
    const key = await keystore.get(USAGE_LEDGER_KEY_RECORD);
    if (key.length !== 32) {
      throw new NodeError('RECORD_CORRUPT', 'usage-ledger key has the wrong length', {
        record: USAGE_LEDGER_KEY_RECORD,
      });
    }
    return key;
  } catch (error) {
    if (!isNodeError(error, 'RECORD_NOT_FOUND')) throw error;
  }
  const key = new Uint8Array(randomBytes(32));
  await keystore.put(USAGE_LEDGER_KEY_RECORD, key);
  return key;
}

/** Parses the log; drops a torn final line (truncating it away), rejects anything else. */
function replay(text: string, fd: number): Set<string> {
  const used = new Set<string>();
  const complete = text.endsWith('\n') || text.length === 0;
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  for (const line of lines) {
    if (!ENTRY.test(line)) {
      throw new NodeError('RECORD_CORRUPT', `${USAGE_LEDGER_FILE} holds a malformed entry`);
    }
    used.add(line);
  }
  if (!complete && tail.length > 0) {
    // A torn append: its consume() never returned, so nothing was released under it.
    ftruncateSync(fd, fstatSync(fd).size - Buffer.byteLength(tail));
    fsyncSync(fd);
  }
  return used;
}

function fsyncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the file itself is fsynced on every append.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
