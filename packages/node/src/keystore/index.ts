/**
 * The node keystore: a `KeyProvider` (passphrase, PKCS#11 token, or environment KMS key)
 * protecting named, atomically written records bound to their names.
 */
export { Keystore, assertRecordName } from './store.js';
export type { KeystoreOptions } from './store.js';
export { KEY_PROVIDER_NAMES, SEALED_BOX_VERSION, parseSealedBox } from './key-provider.js';
export type { KeyProvider, KeyProviderName, SealedBox } from './key-provider.js';
export { openKeyProvider } from './open-key-provider.js';
export type { KeyProviderConfig } from './open-key-provider.js';
export { openPassphraseProvider, DEFAULT_SCRYPT_LOG_N } from './passphrase.js';
export type { PassphraseProviderOptions } from './passphrase.js';
export { openPkcs11Provider, SOFTHSM2_MODULE_PATH } from './pkcs11.js';
export type { Pkcs11ProviderOptions } from './pkcs11.js';
export { openKmsProvider, DEFAULT_KMS_KEY_VAR, DEFAULT_KMS_KEY_ID_VAR } from './kms.js';
export type { KmsProviderOptions } from './kms.js';
