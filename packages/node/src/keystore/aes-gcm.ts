/**
 * AES-256-GCM sealing with a host-held key (node:crypto / OpenSSL), shared by the passphrase
 * and KMS providers. The key lives in a `KeyObject`, i.e. in native memory outside the JS
 * heap; the raw bytes it was made from are zeroised by the caller. IVs are 96 random bits per
 * box (NIST SP 800-38D §8.2.2): with at most ~2^32 boxes per key the collision bound holds.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { NodeError } from '../errors.js';
import {
  assertBoxIsFor,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  SEALED_BOX_ALG,
  SEALED_BOX_VERSION,
  boxAssociatedData,
  decodeBase64,
  encodeBase64,
} from './key-provider.js';
import type { KeyProvider, KeyProviderName, SealedBox } from './key-provider.js';

export function gcmSeal(
  key: KeyObject,
  provider: KeyProviderName,
  keyId: string,
  plaintext: Uint8Array,
  aad: Uint8Array,
): SealedBox {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(boxAssociatedData(provider, keyId, aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    v: SEALED_BOX_VERSION,
    alg: SEALED_BOX_ALG,
    provider,
    keyId,
    iv: encodeBase64(iv),
    ct: encodeBase64(ct),
    tag: encodeBase64(cipher.getAuthTag()),
  };
}

/** Opens a box (already checked to be for this provider/key). Throws RECORD_CORRUPT. */
export function gcmOpen(key: KeyObject, box: SealedBox, aad: Uint8Array): Uint8Array {
  const decipher = createDecipheriv('aes-256-gcm', key, decodeBase64(box.iv, 'iv'), {
    authTagLength: GCM_TAG_BYTES,
  });
  decipher.setAAD(boxAssociatedData(box.provider, box.keyId, aad));
  decipher.setAuthTag(decodeBase64(box.tag, 'tag'));
  const chunks: Buffer[] = [decipher.update(decodeBase64(box.ct, 'ciphertext'))];
  try {
    chunks.push(decipher.final());
  } catch {
    for (const chunk of chunks) chunk.fill(0);
    throw new NodeError('RECORD_CORRUPT', 'sealed box failed authentication');
  }
  const out = new Uint8Array(Buffer.concat(chunks));
  for (const chunk of chunks) chunk.fill(0);
  return out;
}

/**
 * A key provider whose AES-256-GCM key is held by this process (in a native `KeyObject`): the
 * passphrase provider (key derived by scrypt) and the KMS provider (key from the environment).
 */
export class HostKeyProvider implements KeyProvider {
  #key: KeyObject | undefined;
  constructor(
    readonly name: 'passphrase' | 'kms',
    readonly keyId: string,
    key: KeyObject,
  ) {
    this.#key = key;
  }

  seal(plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox> {
    return new Promise((resolve) =>
      resolve(gcmSeal(this.#liveKey(), this.name, this.keyId, plaintext, aad)),
    );
  }

  open(box: SealedBox, aad: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => {
      const key = this.#liveKey();
      assertBoxIsFor(box, this);
      resolve(gcmOpen(key, box, aad));
    });
  }

  close(): Promise<void> {
    this.#key = undefined;
    return Promise.resolve();
  }

  #liveKey(): KeyObject {
    if (this.#key === undefined) {
      throw new NodeError('KEYSTORE_LOCKED', `${this.name} provider is closed`);
    }
    return this.#key;
  }
}
