/**
 * The FROST ciphersuites by name (RFC 9591 §6.1, §6.5 and the BIP340 Taproot variant), and
 * the default suite for a key's group.
 */
import type { GroupName } from '../../curves/group.js';
import { CryptoError } from '../../errors.js';
import type { FrostSuite, FrostSuiteName } from '../suite.js';
import { frostEd25519 } from './ed25519.js';
import { frostSecp256k1 } from './secp256k1.js';
import { frostTaproot } from './taproot.js';

export { frostEd25519, frostSecp256k1, frostTaproot };

const SUITES: Record<FrostSuiteName, FrostSuite> = {
  'frost-ed25519': frostEd25519,
  'frost-secp256k1': frostSecp256k1,
  'frost-taproot': frostTaproot,
};

export function frostSuite(name: string): FrostSuite {
  if (!Object.hasOwn(SUITES, name)) {
    throw new CryptoError('INVALID_ARGUMENT', `unknown FROST suite "${name}"`);
  }
  return SUITES[name as FrostSuiteName];
}

/** 'frost-ed25519' for Ed25519 keys, 'frost-secp256k1' for secp256k1 keys. */
export function defaultSuiteFor(group: GroupName): FrostSuite {
  return group === 'ed25519' ? frostEd25519 : frostSecp256k1;
}
