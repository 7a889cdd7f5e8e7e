/**
 * The behaviour every `KeyProvider` must show, as one generic test body (after the
 * ZcashFoundation/frost habit of running the same tests for every ciphersuite): round trips
 * of several sizes through JSON, fresh IVs, AAD binding, tamper detection on every field,
 * relabelling refused, and KEYSTORE_LOCKED after close. Used by the per-provider test files.
 */
import { expect, it } from 'vitest';
import { NodeError } from '../errors.js';
import { parseSealedBox } from './key-provider.js';
import type { KeyProvider, SealedBox } from './key-provider.js';

const AAD = new TextEncoder().encode('record:a|keystore:1');

function flipBase64(text: string): string {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0) return Buffer.from([1]).toString('base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

async function expectCode(promise: Promise<unknown>, code: NodeError['code']): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  expect((error as NodeError).code).toBe(code);
}

/** Registers the contract tests; `openProvider` returns a fresh provider over the same key. */
export function keyProviderContract(openProvider: () => Promise<KeyProvider>): void {
  it('round-trips empty, small and large plaintexts through JSON', async () => {
    const provider = await openProvider();
    try {
      for (const size of [0, 1, 31, 100_000]) {
        const plaintext = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
        const box = await provider.seal(plaintext, AAD);
        const reparsed = parseSealedBox(JSON.parse(JSON.stringify(box)));
        expect(await provider.open(reparsed, AAD)).toEqual(plaintext);
      }
    } finally {
      await provider.close();
    }
  });

  it('uses a fresh IV for every box and names its provider and key', async () => {
    const provider = await openProvider();
    try {
      const a = await provider.seal(Uint8Array.of(1, 2, 3), AAD);
      const b = await provider.seal(Uint8Array.of(1, 2, 3), AAD);
      expect(a.iv).not.toBe(b.iv);
      expect(a.ct).not.toBe(b.ct);
      expect(a).toMatchObject({
        v: 1,
        alg: 'A256GCM',
        provider: provider.name,
        keyId: provider.keyId,
      });
    } finally {
      await provider.close();
    }
  });

  it('refuses a box under another AAD, and any tampered field, as RECORD_CORRUPT', async () => {
    const provider = await openProvider();
    try {
      const box = await provider.seal(new TextEncoder().encode('share bytes'), AAD);
      await expectCode(
        provider.open(box, new TextEncoder().encode('record:b|keystore:1')),
        'RECORD_CORRUPT',
      );
      for (const field of ['iv', 'ct', 'tag'] as const) {
        const tampered: SealedBox = { ...box, [field]: flipBase64(box[field]) };
        await expectCode(provider.open(tampered, AAD), 'RECORD_CORRUPT');
      }
      // The provider still works after failed opens (no stuck operation state).
      expect(new TextDecoder().decode(await provider.open(box, AAD))).toBe('share bytes');
    } finally {
      await provider.close();
    }
  });

  it('refuses a box relabelled to another key as KEYSTORE_MISMATCH', async () => {
    const provider = await openProvider();
    try {
      const box = await provider.seal(Uint8Array.of(9), AAD);
      await expectCode(provider.open({ ...box, keyId: 'other-key' }, AAD), 'KEYSTORE_MISMATCH');
    } finally {
      await provider.close();
    }
  });

  it('opens boxes sealed before a restart', async () => {
    const first = await openProvider();
    const box = await first.seal(Uint8Array.of(4, 5, 6), AAD);
    const keyId = first.keyId;
    await first.close();
    const second = await openProvider();
    try {
      expect(second.keyId).toBe(keyId);
      expect(await second.open(box, AAD)).toEqual(Uint8Array.of(4, 5, 6));
    } finally {
      await second.close();
    }
  });

  it('is KEYSTORE_LOCKED after close (and close is idempotent)', async () => {
    const provider = await openProvider();
    const box = await provider.seal(Uint8Array.of(1), AAD);
    await provider.close();
    await provider.close();
    await expectCode(provider.seal(Uint8Array.of(1), AAD), 'KEYSTORE_LOCKED');
    await expectCode(provider.open(box, AAD), 'KEYSTORE_LOCKED');
  });
}

export { expectCode };
