/** KMS provider: the contract, plus clear errors for a missing, malformed or short key. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../errors.js';
import { openKmsProvider } from './kms.js';
import { expectCode, keyProviderContract } from './provider-contract.testkit.js';

const key = randomBytes(32).toString('base64');
const env = { COFFER_KMS_KEY: key, COFFER_KMS_KEY_ID: 'kms-test-key-1' };

describe('kms key provider', () => {
  keyProviderContract(() => openKmsProvider({ env }));

  it('reads a custom variable and an explicit key id', async () => {
    const provider = await openKmsProvider({ env: { MY_KEY: key }, keyVar: 'MY_KEY', keyId: 'k2' });
    expect(provider).toMatchObject({ name: 'kms', keyId: 'k2' });
    await provider.close();
  });

  it('reports a missing variable as PROVIDER_UNAVAILABLE naming the variable', async () => {
    const error = await openKmsProvider({ env: { COFFER_KMS_KEY_ID: 'k' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).code).toBe('PROVIDER_UNAVAILABLE');
    expect((error as NodeError).message).toContain('COFFER_KMS_KEY');
  });

  it('reports a short or non-base64 key as CONFIG_INVALID without echoing it', async () => {
    const short = randomBytes(16).toString('base64');
    const error = await openKmsProvider({
      env: { COFFER_KMS_KEY: short, COFFER_KMS_KEY_ID: 'k' },
    }).catch((e: unknown) => e);
    expect((error as NodeError).code).toBe('CONFIG_INVALID');
    expect((error as NodeError).message).toContain('got 16');
    expect((error as NodeError).message).not.toContain(short);
    await expectCode(
      openKmsProvider({ env: { COFFER_KMS_KEY: 'not base64!', COFFER_KMS_KEY_ID: 'k' } }),
      'CONFIG_INVALID',
    );
  });

  it('requires a key id', async () => {
    await expectCode(openKmsProvider({ env: { COFFER_KMS_KEY: key } }), 'CONFIG_INVALID');
  });

  it('cannot open a box with another key under the same key id', async () => {
    const a = await openKmsProvider({ env });
    const other = {
      COFFER_KMS_KEY: randomBytes(32).toString('base64'),
      COFFER_KMS_KEY_ID: 'kms-test-key-1',
    };
    const b = await openKmsProvider({ env: other });
    const box = await a.seal(Uint8Array.of(1, 2), Uint8Array.of());
    await expectCode(b.open(box, Uint8Array.of()), 'RECORD_CORRUPT');
    await a.close();
    await b.close();
  });
});
