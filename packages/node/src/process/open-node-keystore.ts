/**
 * Opens the node's keystore from its configuration: picks the key provider by name
 * (passphrase, pkcs11, kms — keystore/open-key-provider.ts), reads the one secret it needs
 * from the environment variable the configuration names (never from argv or the file), and
 * opens `<dataDir>/keystore`. On first start (no keystore yet) it creates the keystore, the
 * passphrase header, or the token's wrapping key; afterwards it only opens them, so a wrong
 * passphrase is WRONG_PASSPHRASE instead of a fresh keystore. The secret variable is then
 * removed from the process environment so that nothing started later inherits it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NodeError } from '../errors.js';
import { openKeyProvider } from '../keystore/open-key-provider.js';
import type { KeyProviderConfig } from '../keystore/open-key-provider.js';
import { Keystore } from '../keystore/store.js';
import type { NodeConfig } from './node-config.js';

/** The keystore directory and the passphrase header inside the data directory. */
export function keystorePaths(dataDir: string): { directory: string; passphraseHeader: string } {
  return {
    directory: join(dataDir, 'keystore'),
    passphraseHeader: join(dataDir, 'passphrase.json'),
  };
}

export interface OpenNodeKeystoreOptions {
  readonly config: NodeConfig;
  /** Usually `process.env`; the secret variable is deleted from it once read. */
  readonly env: Record<string, string | undefined>;
}

export async function openNodeKeystore(options: OpenNodeKeystoreOptions): Promise<Keystore> {
  const { config, env } = options;
  const paths = keystorePaths(config.dataDir);
  const firstStart = !existsSync(join(paths.directory, 'keystore.json'));
  const provider = await openKeyProvider(providerConfig(config, env, paths, firstStart));
  return Keystore.open({ directory: paths.directory, provider, createIfMissing: firstStart });
}

function providerConfig(
  config: NodeConfig,
  env: Record<string, string | undefined>,
  paths: { passphraseHeader: string },
  firstStart: boolean,
): KeyProviderConfig {
  const keystore = config.keystore;
  switch (keystore.provider) {
    case 'passphrase':
      return {
        kind: 'passphrase',
        headerPath: paths.passphraseHeader,
        passphrase: takeSecret(env, keystore.passphraseEnv, 'the keystore passphrase'),
        createIfMissing: firstStart,
        ...(keystore.scryptLogN === undefined ? {} : { scryptLogN: keystore.scryptLogN }),
      };
    case 'pkcs11':
      return {
        kind: 'pkcs11',
        modulePath: keystore.modulePath,
        tokenLabel: keystore.tokenLabel,
        keyLabel: keystore.keyLabel,
        pin: takeSecret(env, keystore.pinEnv, 'the PKCS#11 user PIN'),
        createKeyIfMissing: firstStart,
      };
    case 'kms': {
      // The KMS provider reads (and validates) the variable itself; only a copy is passed,
      // so the original can be removed from the environment.
      const copy = { ...env };
      delete env[keystore.keyEnv];
      return {
        kind: 'kms',
        env: copy,
        keyVar: keystore.keyEnv,
        ...(keystore.keyId === undefined ? {} : { keyId: keystore.keyId }),
      };
    }
  }
}

function takeSecret(
  env: Record<string, string | undefined>,
  variable: string,
  what: string,
): string {
  const value = env[variable];
  if (value === undefined || value === '') {
    throw new NodeError('CONFIG_INVALID', `environment variable ${variable} (${what}) is not set`);
  }
  delete env[variable];
  return value;
}
