/**
 * PKCS#11 key provider (PKCS#11 v2.40 §5, §10.12; AES-GCM per "PKCS #11 Current Mechanisms"
 * §2.12): logs into a token with the user PIN, finds — or on first start, when
 * `createKeyIfMissing` is set, generates — an AES-256 secret key by label with CKA_TOKEN,
 * CKA_SENSITIVE and CKA_EXTRACTABLE=false, and seals with CKM_AES_GCM on the token (random
 * 96-bit IV from the host, the box AAD, 128-bit tag). The wrapping key never leaves the token;
 * the host sees only plaintext and ciphertext. A key found on the token that is extractable,
 * not sensitive, or not AES-256 is refused (KEY_UNSAFE). Tested against Debian's softhsm2.
 *
 * Login state in PKCS#11 is per application and token, and C_Logout ends it for every
 * session, so one process opens at most one provider per token (KEYSTORE_BUSY otherwise).
 * Module loading, slot lookup, login and key discovery live in pkcs11-token.ts.
 */
import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { PKCS11, Handle } from 'pkcs11js';
import { NodeError } from '../errors.js';
import {
  acquireModule,
  closeSession,
  findOrCreateKey,
  findSlot,
  login,
  pkcs11ErrorCode,
  releaseModule,
  toNodeError,
  tokensInUse,
} from './pkcs11-token.js';
import {
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  SEALED_BOX_ALG,
  SEALED_BOX_VERSION,
  assertBoxIsFor,
  assertKeyId,
  boxAssociatedData,
  decodeBase64,
  encodeBase64,
} from './key-provider.js';
import type { KeyProvider, SealedBox } from './key-provider.js';

/** Debian's softhsm2 module, the one the tests run against. */
export const SOFTHSM2_MODULE_PATH = '/usr/lib/softhsm/libsofthsm2.so';

export interface Pkcs11ProviderOptions {
  /** Path of the PKCS#11 module (shared library). */
  readonly modulePath: string;
  /** Select the token by label (preferred; slot ids may change) ... */
  readonly tokenLabel?: string;
  /** ... or by slot id. Exactly one of the two. */
  readonly slotId?: number;
  /** The token's user PIN. Never logged. */
  readonly pin: string;
  /** CKA_LABEL of the AES wrapping key (printable ASCII, no spaces). */
  readonly keyLabel: string;
  /** Generate the key on the token when no key has this label. Default false. */
  readonly createKeyIfMissing?: boolean;
}

/** Opens a session on the token, logs in and finds (or creates) the wrapping key. */
export function openPkcs11Provider(options: Pkcs11ProviderOptions): Promise<KeyProvider> {
  return new Promise((resolve) => resolve(openSync(options)));
}

function openSync(options: Pkcs11ProviderOptions): KeyProvider {
  if ((options.tokenLabel === undefined) === (options.slotId === undefined)) {
    throw new NodeError('CONFIG_INVALID', 'pkcs11: give exactly one of tokenLabel and slotId');
  }
  if (typeof options.pin !== 'string' || options.pin === '') {
    throw new NodeError('CONFIG_INVALID', 'pkcs11: the user PIN is required');
  }
  assertKeyId(options.keyLabel);
  const pkcs11 = acquireModule(options.modulePath);
  let session: Handle | undefined;
  let tokenKey: string | undefined;
  try {
    const slot = findSlot(pkcs11, options);
    tokenKey = `${options.modulePath}#${slot.toString('hex')}`;
    if (tokensInUse.has(tokenKey)) {
      tokenKey = undefined;
      throw new NodeError('KEYSTORE_BUSY', 'pkcs11: this token is already open in this process');
    }
    tokensInUse.add(tokenKey);
    session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    login(pkcs11, session, options.pin);
    const key = findOrCreateKey(pkcs11, session, options);
    const provider = new Pkcs11KeyProvider(
      pkcs11,
      session,
      key.handle,
      key.keyId,
      options.modulePath,
      tokenKey,
    );
    return provider;
  } catch (error) {
    if (session !== undefined) closeSession(pkcs11, session);
    if (tokenKey !== undefined) tokensInUse.delete(tokenKey);
    releaseModule(options.modulePath);
    throw toNodeError(error, 'pkcs11: cannot open the token');
  }
}

class Pkcs11KeyProvider implements KeyProvider {
  readonly name = 'pkcs11' as const;
  #session: Handle | undefined;
  constructor(
    private readonly pkcs11: PKCS11,
    session: Handle,
    private readonly key: Handle,
    readonly keyId: string,
    private readonly modulePath: string,
    private readonly tokenKey: string,
  ) {
    this.#session = session;
  }

  seal(plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox> {
    return new Promise((resolve) => {
      const session = this.#liveSession();
      const iv = randomBytes(GCM_IV_BYTES);
      const input = Buffer.from(plaintext);
      try {
        this.pkcs11.C_EncryptInit(session, this.#gcm(iv, aad), this.key);
        const outSize = input.length + GCM_TAG_BYTES;
        // pkcs11js rejects an empty input to C_Encrypt (CKR_ARGUMENTS_BAD); for an empty
        // plaintext, C_EncryptFinal alone yields the tag.
        const out =
          input.length === 0
            ? this.pkcs11.C_EncryptFinal(session, Buffer.alloc(outSize))
            : this.pkcs11.C_Encrypt(session, input, Buffer.alloc(outSize));
        if (out.length !== input.length + GCM_TAG_BYTES) {
          throw new NodeError('PROVIDER_UNAVAILABLE', 'pkcs11: unexpected AES-GCM output length');
        }
        resolve({
          v: SEALED_BOX_VERSION,
          alg: SEALED_BOX_ALG,
          provider: this.name,
          keyId: this.keyId,
          iv: encodeBase64(iv),
          ct: encodeBase64(out.subarray(0, input.length)),
          tag: encodeBase64(out.subarray(input.length)),
        });
      } catch (error) {
        throw toNodeError(error, 'pkcs11: encryption failed');
      } finally {
        input.fill(0);
      }
    });
  }

  open(box: SealedBox, aad: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => {
      const session = this.#liveSession();
      assertBoxIsFor(box, this);
      const input = Buffer.concat([
        decodeBase64(box.ct, 'ciphertext'),
        decodeBase64(box.tag, 'tag'),
      ]);
      try {
        this.pkcs11.C_DecryptInit(
          session,
          this.#gcm(Buffer.from(decodeBase64(box.iv, 'iv')), aad),
          this.key,
        );
      } catch (error) {
        throw toNodeError(error, 'pkcs11: decryption init failed');
      }
      try {
        const out = this.pkcs11.C_Decrypt(session, input, Buffer.alloc(input.length));
        resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      } catch (error) {
        if (isAuthenticationFailure(error)) {
          throw new NodeError('RECORD_CORRUPT', 'sealed box failed authentication');
        }
        throw toNodeError(error, 'pkcs11: decryption failed');
      }
    });
  }

  close(): Promise<void> {
    const session = this.#session;
    if (session !== undefined) {
      this.#session = undefined;
      closeSession(this.pkcs11, session);
      tokensInUse.delete(this.tokenKey);
      releaseModule(this.modulePath);
    }
    return Promise.resolve();
  }

  #gcm(iv: Buffer, aad: Uint8Array): pkcs11js.Mechanism {
    return {
      mechanism: pkcs11js.CKM_AES_GCM,
      parameter: {
        type: pkcs11js.CK_PARAMS_AES_GCM,
        iv,
        ivBits: GCM_IV_BYTES * 8,
        aad: Buffer.from(boxAssociatedData(this.name, this.keyId, aad)),
        tagBits: GCM_TAG_BYTES * 8,
      } as pkcs11js.GcmParams,
    };
  }

  #liveSession(): Handle {
    if (this.#session === undefined) {
      throw new NodeError('KEYSTORE_LOCKED', 'pkcs11 provider is closed');
    }
    return this.#session;
  }
}

/**
 * Deviation from the PKCS#11 spec's CKR_ENCRYPTED_DATA_INVALID / CKR_AEAD_DECRYPT_FAILED:
 * softhsm2 2.6 reports a GCM tag mismatch as CKR_GENERAL_ERROR, so that counts as an
 * authentication failure too (a broken session shows up as a session/device error instead).
 */
function isAuthenticationFailure(error: unknown): boolean {
  const code = pkcs11ErrorCode(error);
  return (
    code === pkcs11js.CKR_ENCRYPTED_DATA_INVALID ||
    code === pkcs11js.CKR_ENCRYPTED_DATA_LEN_RANGE ||
    code === pkcs11js.CKR_SIGNATURE_INVALID ||
    code === CKR_AEAD_DECRYPT_FAILED ||
    code === pkcs11js.CKR_GENERAL_ERROR
  );
}
/** PKCS#11 v3.0 §5.1 return value (not in pkcs11js 2.1.7's constants). */
const CKR_AEAD_DECRYPT_FAILED = 0x35;
