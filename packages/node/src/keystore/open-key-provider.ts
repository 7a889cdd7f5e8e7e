/**
 * One entry point from node configuration to a `KeyProvider`: a discriminated union over
 * the three provider kinds (issue 4 names them passphrase, pkcs11, kms), so the node's
 * config loader and `coffer node --help` have a single place to point at.
 */
import { openKmsProvider } from './kms.js';
import type { KmsProviderOptions } from './kms.js';
import { openPassphraseProvider } from './passphrase.js';
import type { PassphraseProviderOptions } from './passphrase.js';
import { openPkcs11Provider } from './pkcs11.js';
import type { Pkcs11ProviderOptions } from './pkcs11.js';
import type { KeyProvider } from './key-provider.js';

export type KeyProviderConfig =
  | ({ readonly kind: 'passphrase' } & PassphraseProviderOptions)
  | ({ readonly kind: 'pkcs11' } & Pkcs11ProviderOptions)
  | ({ readonly kind: 'kms' } & KmsProviderOptions);

export function openKeyProvider(config: KeyProviderConfig): Promise<KeyProvider> {
  switch (config.kind) {
    case 'passphrase':
      return openPassphraseProvider(config);
    case 'pkcs11':
      return openPkcs11Provider(config);
    case 'kms':
      return openKmsProvider(config);
  }
}
