/**
 * PKCS#11 provider against a real softhsm2 token created for this run (SOFTHSM2_CONF in a
 * temp dir): the provider contract, a wrong PIN as WRONG_PIN, key creation only when
 * allowed, a non-extractable key proven by asking the token itself for CKA_VALUE, and an
 * extractable key refused. Skips loudly without softhsm2; fails under COFFER_REQUIRE_ALL_TESTS=1.
 */
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftHsmTokens, softHsmAvailable } from '../../../../tests/support/softhsm.js';
import type { SoftHsmTokens } from '../../../../tests/support/softhsm.js';
import { openPkcs11Provider } from './pkcs11.js';
import type { Pkcs11ProviderOptions } from './pkcs11.js';
import { expectCode, keyProviderContract } from './provider-contract.testkit.js';

const runs = softHsmAvailable();

describe.runIf(runs)('pkcs11 key provider (softhsm2)', () => {
  let tokens: SoftHsmTokens;
  let base: Pkcs11ProviderOptions;
  beforeAll(() => {
    tokens = createSoftHsmTokens(['coffer-a', 'coffer-b', 'coffer-c']);
    base = {
      modulePath: tokens.modulePath,
      tokenLabel: 'coffer-a',
      pin: tokens.userPin,
      keyLabel: 'coffer-keystore-key',
      createKeyIfMissing: true,
    };
  });
  afterAll(() => tokens.cleanup());

  keyProviderContract(() => openPkcs11Provider(base));

  it('rejects a wrong PIN with WRONG_PIN and does not echo it', async () => {
    const error = await openPkcs11Provider({ ...base, pin: '999999' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NodeError', code: 'WRONG_PIN' });
    expect(String(error)).not.toContain('999999');
    // The token is usable again with the right PIN.
    await (await openPkcs11Provider(base)).close();
  });

  it('creates the key only when allowed, and finds it again by label', async () => {
    const options = { ...base, tokenLabel: 'coffer-b', keyLabel: 'second-key' };
    await expectCode(
      openPkcs11Provider({ ...options, createKeyIfMissing: false }),
      'KEY_NOT_FOUND',
    );
    const created = await openPkcs11Provider(options);
    const keyId = created.keyId;
    await created.close();
    expect(keyId).toMatch(/^second-key#[0-9a-f]{32}$/);
    const found = await openPkcs11Provider({ ...options, createKeyIfMissing: false });
    expect(found.keyId).toBe(keyId);
    await found.close();
  });

  it('keeps the key on the token: CKA_VALUE cannot be read, extractable is false', async () => {
    await (await openPkcs11Provider(base)).close();
    const p = new pkcs11js.PKCS11();
    p.load(tokens.modulePath);
    p.C_Initialize();
    try {
      const slot = p
        .C_GetSlotList(true)
        .find((s) => p.C_GetTokenInfo(s).label.trimEnd() === 'coffer-a');
      expect(slot).toBeDefined();
      const session = p.C_OpenSession(slot as Buffer, pkcs11js.CKF_SERIAL_SESSION);
      p.C_Login(session, pkcs11js.CKU_USER, tokens.userPin);
      p.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: base.keyLabel }]);
      const [key] = p.C_FindObjects(session, 2);
      p.C_FindObjectsFinal(session);
      expect(key).toBeDefined();
      expect(() =>
        p.C_GetAttributeValue(session, key as Buffer, [{ type: pkcs11js.CKA_VALUE }]),
      ).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      const attrs = p.C_GetAttributeValue(session, key as Buffer, [
        { type: pkcs11js.CKA_EXTRACTABLE },
        { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
        { type: pkcs11js.CKA_TOKEN },
      ]);
      expect(attrs.map((a) => a.value[0])).toEqual([0, 1, 1, 1, 1]);
      p.C_Logout(session);
      p.C_CloseSession(session);
    } finally {
      p.C_Finalize();
      p.close();
    }
  });

  it('refuses an extractable key found on the token as KEY_UNSAFE', async () => {
    const p = new pkcs11js.PKCS11();
    p.load(tokens.modulePath);
    p.C_Initialize();
    try {
      const slot = p
        .C_GetSlotList(true)
        .find((s) => p.C_GetTokenInfo(s).label.trimEnd() === 'coffer-c');
      const session = p.C_OpenSession(
        slot as Buffer,
        pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
      );
      p.C_Login(session, pkcs11js.CKU_USER, tokens.userPin);
      p.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_LABEL, value: 'weak-key' },
      ]);
      p.C_Logout(session);
      p.C_CloseSession(session);
    } finally {
      p.C_Finalize();
      p.close();
    }
    await expectCode(
      openPkcs11Provider({ ...base, tokenLabel: 'coffer-c', keyLabel: 'weak-key' }),
      'KEY_UNSAFE',
    );
  });

  it('reports an unknown token, a second provider on one token, and bad options clearly', async () => {
    await expectCode(
      openPkcs11Provider({ ...base, tokenLabel: 'no-such-token' }),
      'PROVIDER_UNAVAILABLE',
    );
    await expectCode(
      openPkcs11Provider({ ...base, modulePath: '/nonexistent/libpkcs11.so' }),
      'PROVIDER_UNAVAILABLE',
    );
    const first = await openPkcs11Provider(base);
    await expectCode(openPkcs11Provider(base), 'KEYSTORE_BUSY');
    await first.close();
    const noToken: Pkcs11ProviderOptions = {
      modulePath: base.modulePath,
      pin: base.pin,
      keyLabel: base.keyLabel,
    };
    await expectCode(openPkcs11Provider(noToken), 'CONFIG_INVALID');
    await expectCode(openPkcs11Provider({ ...base, slotId: 1 }), 'CONFIG_INVALID');
    await expectCode(openPkcs11Provider({ ...base, pin: '' }), 'CONFIG_INVALID');
  });
});
