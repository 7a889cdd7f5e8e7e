/** The signature schemes `coffer tss` knows, by their command-line names. */
import { usageError } from '../cli-error.js';

export const SCHEME_NAMES = ['frost-ed25519', 'frost-secp256k1', 'frost-taproot'] as const;
export type SchemeName = (typeof SCHEME_NAMES)[number];

export function parseSchemeName(value: string | undefined): SchemeName {
  if (value === undefined) throw usageError(`--scheme is required (${SCHEME_NAMES.join(' | ')})`);
  if (!(SCHEME_NAMES as readonly string[]).includes(value)) {
    throw usageError(`unknown scheme "${value}" (expected ${SCHEME_NAMES.join(' | ')})`);
  }
  return value as SchemeName;
}
