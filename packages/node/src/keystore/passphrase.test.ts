/**
 * Passphrase provider: the contract, scrypt parameters in the header, and a wrong passphrase
 * rejected up front as WRONG_PASSPHRASE (not a crash, not garbage). Most tests use
 * log2(N) = 14 for speed; one test pins the production default N = 2^17, r = 8, p = 1.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPassphraseProvider } from './passphrase.js';
import { expectCode, keyProviderContract } from './provider-contract.testkit.js';

const root = mkdtempSync(join(tmpdir(), 'coffer-passphrase-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshHeader = (): string => join(root, `ks${++counter}`, 'passphrase.json');

describe('passphrase key provider', () => {
  const headerPath = freshHeader();
  keyProviderContract(() =>
    openPassphraseProvider({
      headerPath,
      passphrase: 'correct horse battery staple',
      createIfMissing: true,
      scryptLogN: 14,
    }),
  );

  it('writes a 0600 header with the default scrypt cost N=2^17, r=8, p=1', async () => {
    const path = freshHeader();
    const provider = await openPassphraseProvider({
      headerPath: path,
      passphrase: 'a long passphrase',
      createIfMissing: true,
    });
    await provider.close();
    const header = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ v: 1, kdf: 'scrypt', logN: 17, r: 8, p: 1 });
    expect(Buffer.from(header.salt as string, 'base64')).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).not.toContain('a long passphrase');
  });

  it('rejects a wrong passphrase up front with WRONG_PASSPHRASE', async () => {
    const path = freshHeader();
    const options = { headerPath: path, scryptLogN: 14, createIfMissing: true };
    await (await openPassphraseProvider({ ...options, passphrase: 'the right one' })).close();
    const error = await openPassphraseProvider({ ...options, passphrase: 'the wrong one' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'NodeError', code: 'WRONG_PASSPHRASE' });
    expect(String(error)).not.toContain('the wrong one');
    expect(String(error)).not.toContain('the right one');
  });

  it('treats a downgraded scrypt cost in the header as a wrong passphrase', async () => {
    const path = freshHeader();
    const options = {
      headerPath: path,
      passphrase: 'the right one',
      createIfMissing: true,
      scryptLogN: 15,
    };
    await (await openPassphraseProvider(options)).close();
    const header = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...header, logN: 14 }));
    await expectCode(openPassphraseProvider(options), 'WRONG_PASSPHRASE');
  });

  it('reports a missing header (without createIfMissing) and a malformed one clearly', async () => {
    const path = freshHeader();
    await expectCode(
      openPassphraseProvider({ headerPath: path, passphrase: 'whatever1' }),
      'KEYSTORE_NOT_FOUND',
    );
    const options = {
      headerPath: path,
      passphrase: 'whatever1',
      createIfMissing: true,
      scryptLogN: 14,
    };
    await (await openPassphraseProvider(options)).close();
    writeFileSync(path, '{"v":1,');
    await expectCode(openPassphraseProvider(options), 'HEADER_CORRUPT');
    writeFileSync(
      path,
      JSON.stringify({ v: 1, kdf: 'scrypt', logN: 30, r: 8, p: 1, salt: '', check: '' }),
    );
    await expectCode(openPassphraseProvider(options), 'HEADER_CORRUPT');
  });

  it('refuses a short new passphrase', async () => {
    await expectCode(
      openPassphraseProvider({
        headerPath: freshHeader(),
        passphrase: 'short',
        createIfMissing: true,
      }),
      'CONFIG_INVALID',
    );
  });

  it('normalises the passphrase to NFC', async () => {
    const path = freshHeader();
    const options = { headerPath: path, createIfMissing: true, scryptLogN: 14 };
    await (await openPassphraseProvider({ ...options, passphrase: 'caf\u00e9 au lait' })).close();
    const provider = await openPassphraseProvider({ ...options, passphrase: 'cafe\u0301 au lait' });
    await provider.close();
  });
});
