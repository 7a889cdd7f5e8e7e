/**
 * Keystore over each provider (kms, passphrase, and pkcs11 on a softhsm2 token when present):
 * CRUD, file modes, names bound by the AAD (a record swapped between names or keystores
 * fails), tamper detection naming the record, crash leftovers (stray and half-written temp
 * files) ignored and cleaned with the old record intact, the process lock, and mismatched keys.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftHsmTokens, softHsmAvailable } from '../../../../tests/support/softhsm.js';
import type { SoftHsmTokens } from '../../../../tests/support/softhsm.js';
import { NodeError } from '../errors.js';
import type { KeyProvider } from './key-provider.js';
import { openKmsProvider } from './kms.js';
import { openPassphraseProvider } from './passphrase.js';
import { openPkcs11Provider } from './pkcs11.js';
import { expectCode } from './provider-contract.testkit.js';
import { Keystore } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'coffer-keystore-'));
const kmsEnv = {
  COFFER_KMS_KEY: randomBytes(32).toString('base64'),
  COFFER_KMS_KEY_ID: 'store-test',
};
const hasSoftHsm = softHsmAvailable();
let tokens: SoftHsmTokens | undefined;
beforeAll(() => {
  if (hasSoftHsm) tokens = createSoftHsmTokens(['coffer-store']);
});
afterAll(() => {
  tokens?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

type ProviderFactory = () => Promise<KeyProvider>;
const providers: [string, ProviderFactory][] = [
  ['kms', () => openKmsProvider({ env: kmsEnv })],
  [
    'passphrase',
    () =>
      openPassphraseProvider({
        headerPath: join(root, 'passphrase.json'),
        passphrase: 'store test passphrase',
        createIfMissing: true,
        scryptLogN: 14,
      }),
  ],
];
if (hasSoftHsm) {
  providers.push([
    'pkcs11',
    () =>
      openPkcs11Provider({
        modulePath: tokens?.modulePath ?? '',
        tokenLabel: 'coffer-store',
        pin: tokens?.userPin ?? '',
        keyLabel: 'store-key',
        createKeyIfMissing: true,
      }),
  ]);
}

let counter = 0;
const freshDir = (): string => join(root, `ks${++counter}`);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe.each(providers)('keystore over the %s provider', (_name, provider) => {
  const openStore = async (directory: string, createIfMissing = true): Promise<Keystore> =>
    Keystore.open({ directory, provider: await provider(), createIfMissing });

  it('puts, gets, overwrites, lists and deletes records', async () => {
    const store = await openStore(freshDir());
    try {
      expect(await store.list()).toEqual([]);
      await store.put('share-1', bytes('alpha'));
      await store.put('identity', bytes('beta'));
      await store.put('share-1', bytes('alpha-2'));
      expect(new TextDecoder().decode(await store.get('share-1'))).toBe('alpha-2');
      expect(await store.has('identity')).toBe(true);
      expect(await store.has('missing')).toBe(false);
      expect(await store.list()).toEqual(['identity', 'share-1']);
      expect(await store.delete('identity')).toBe(true);
      expect(await store.delete('identity')).toBe(false);
      await expectCode(store.get('identity'), 'RECORD_NOT_FOUND');
      await store.put('empty', new Uint8Array(0));
      expect(await store.get('empty')).toEqual(new Uint8Array(0));
    } finally {
      await store.close();
    }
  });

  it('keeps records across restarts, with 0700 directories and 0600 files', async () => {
    const dir = freshDir();
    const first = await openStore(dir);
    const keystoreId = first.keystoreId;
    await first.put('share', bytes('persisted'));
    await first.close();
    const second = await openStore(dir, false);
    try {
      expect(second.keystoreId).toBe(keystoreId);
      expect(new TextDecoder().decode(await second.get('share'))).toBe('persisted');
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'records')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'keystore.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'records', 'share.sealed')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'records', 'share.sealed'), 'utf8')).not.toContain('persisted');
    } finally {
      await second.close();
    }
  });

  it('fails a record swapped between names, naming the record', async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    try {
      await store.put('share-a', bytes('A'));
      await store.put('share-b', bytes('B'));
      const records = join(dir, 'records');
      // Swap the sealed boxes while keeping each file's own name field.
      const a = JSON.parse(readFileSync(join(records, 'share-a.sealed'), 'utf8')) as {
        box: unknown;
      };
      const b = JSON.parse(readFileSync(join(records, 'share-b.sealed'), 'utf8')) as {
        box: unknown;
      };
      writeFileSync(
        join(records, 'share-a.sealed'),
        JSON.stringify({ v: 1, name: 'share-a', box: b.box }),
      );
      const error = await store.get('share-a').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'RECORD_CORRUPT', record: 'share-a' });
      expect(String(error)).toContain('share-a');
      // A whole file copied over another name is caught too.
      writeFileSync(
        join(records, 'share-b.sealed'),
        JSON.stringify({ v: 1, name: 'share-a', box: a.box }),
      );
      await expectCode(store.get('share-b'), 'RECORD_CORRUPT');
    } finally {
      await store.close();
    }
  });

  it('fails a tampered or truncated record with RECORD_CORRUPT naming it', async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    try {
      await store.put('nonce-7', bytes('one-time value'));
      const path = join(dir, 'records', 'nonce-7.sealed');
      const file = JSON.parse(readFileSync(path, 'utf8')) as { box: { ct: string } };
      const ct = Buffer.from(file.box.ct, 'base64');
      ct[0] = (ct[0] ?? 0) ^ 0x80;
      writeFileSync(
        path,
        JSON.stringify({ ...file, box: { ...file.box, ct: ct.toString('base64') } }),
      );
      const error = await store.get('nonce-7').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeError);
      expect(error).toMatchObject({ code: 'RECORD_CORRUPT', record: 'nonce-7' });
      writeFileSync(path, readFileSync(path, 'utf8').slice(0, 40));
      await expectCode(store.get('nonce-7'), 'RECORD_CORRUPT');
    } finally {
      await store.close();
    }
  });

  it('survives a crash mid-write: stray and half-written temps are ignored, then cleaned', async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    await store.put('share', bytes('old value'));
    await store.close();
    const records = join(dir, 'records');
    // A crashed writer: one temp fully written but never renamed, one torn mid-write.
    const full = readFileSync(join(records, 'share.sealed'));
    writeFileSync(join(records, '.share.sealed.0011223344556677.tmp'), full);
    writeFileSync(join(records, '.share.sealed.8899aabbccddeeff.tmp'), full.subarray(0, 25));
    writeFileSync(join(dir, '.keystore.json.0123456789abcdef.tmp'), '{"v":1,"keys');
    const reopened = await openStore(dir, false);
    try {
      expect(new TextDecoder().decode(await reopened.get('share'))).toBe('old value');
      expect(await reopened.list()).toEqual(['share']);
      expect(readdirSync(records).sort()).toEqual(['share.sealed']);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      // Temps appearing while open (another crash) never show up as records.
      writeFileSync(join(records, '.other.sealed.0000000000000000.tmp'), 'torn');
      expect(await reopened.list()).toEqual(['share']);
    } finally {
      await reopened.close();
    }
  });

  it('fails a record copied in from another keystore under the same key', async () => {
    const dirA = freshDir();
    const dirB = freshDir();
    const a = await openStore(dirA);
    await a.put('share', bytes('from A'));
    await a.close();
    const b = await openStore(dirB);
    await b.put('share', bytes('from B'));
    await b.close();
    copyFileSync(join(dirA, 'records', 'share.sealed'), join(dirB, 'records', 'share.sealed'));
    const reopened = await openStore(dirB, false);
    try {
      await expectCode(reopened.get('share'), 'RECORD_CORRUPT');
    } finally {
      await reopened.close();
    }
  });

  it('rejects names that could escape the directory or collide', async () => {
    const store = await openStore(freshDir());
    try {
      for (const name of [
        '../x',
        'a/b',
        'a\\b',
        '',
        '.hidden',
        'A',
        'a..b',
        'x.',
        'x'.repeat(129),
        'a b',
      ]) {
        await expectCode(store.put(name, bytes('x')), 'INVALID_RECORD_NAME');
        await expectCode(store.get(name), 'INVALID_RECORD_NAME');
        await expectCode(store.has(name), 'INVALID_RECORD_NAME');
        await expectCode(store.delete(name), 'INVALID_RECORD_NAME');
      }
    } finally {
      await store.close();
    }
  });
});

describe('keystore lifecycle', () => {
  const kms = (env = kmsEnv): Promise<KeyProvider> => openKmsProvider({ env });

  it('refuses a missing keystore unless asked to create it', async () => {
    await expectCode(
      Keystore.open({ directory: freshDir(), provider: await kms() }),
      'KEYSTORE_NOT_FOUND',
    );
  });

  it('refuses another key or key id as KEYSTORE_MISMATCH', async () => {
    const dir = freshDir();
    await (
      await Keystore.open({ directory: dir, provider: await kms(), createIfMissing: true })
    ).close();
    const otherKey = { ...kmsEnv, COFFER_KMS_KEY: randomBytes(32).toString('base64') };
    await expectCode(
      Keystore.open({ directory: dir, provider: await kms(otherKey) }),
      'KEYSTORE_MISMATCH',
    );
    const otherId = { ...kmsEnv, COFFER_KMS_KEY_ID: 'another-id' };
    await expectCode(
      Keystore.open({ directory: dir, provider: await kms(otherId) }),
      'KEYSTORE_MISMATCH',
    );
  });

  it('holds a lock: a second open is KEYSTORE_BUSY, a dead holder is taken over', async () => {
    const dir = freshDir();
    const store = await Keystore.open({
      directory: dir,
      provider: await kms(),
      createIfMissing: true,
    });
    await expectCode(Keystore.open({ directory: dir, provider: await kms() }), 'KEYSTORE_BUSY');
    await store.close();
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, 'keystore.lock'), `${deadPid}\n`);
    const again = await Keystore.open({ directory: dir, provider: await kms() });
    expect(readFileSync(join(dir, 'keystore.lock'), 'utf8').trim()).toBe(String(process.pid));
    await again.close();
  });

  it('is KEYSTORE_LOCKED after close', async () => {
    const store = await Keystore.open({
      directory: freshDir(),
      provider: await kms(),
      createIfMissing: true,
    });
    await store.close();
    await expectCode(store.get('x'), 'KEYSTORE_LOCKED');
    await expectCode(store.put('x', bytes('y')), 'KEYSTORE_LOCKED');
    await expectCode(store.list(), 'KEYSTORE_LOCKED');
  });
});
