/**
 * The signature schemes `coffer tss` knows, by their command-line names. One line per
 * scheme: its adapter (tss/scheme.ts) does the rest.
 */
import { usageError } from '../cli-error.js';
import { ecdsaSecp256k1Scheme } from './ecdsa-scheme.js';
import { frostEd25519Scheme, frostSecp256k1Scheme, frostTaprootScheme } from './frost-scheme.js';
import type { TssScheme } from './scheme.js';

export const TSS_SCHEMES: readonly TssScheme[] = [
  frostEd25519Scheme,
  frostSecp256k1Scheme,
  frostTaprootScheme,
  ecdsaSecp256k1Scheme,
];

export const SCHEME_NAMES: readonly string[] = TSS_SCHEMES.map((s) => s.name);

/** Help text listing every scheme with its one-line summary. */
export const SCHEME_HELP = TSS_SCHEMES.map(
  (s) => `                     ${s.name}: ${s.summary}`,
).join('\n');

export function schemeByName(name: string): TssScheme | undefined {
  return TSS_SCHEMES.find((s) => s.name === name);
}

/** The scheme named by a --scheme option; a usage error for a missing or unknown name. */
export function parseSchemeOption(value: string | undefined): TssScheme {
  const list = SCHEME_NAMES.join(' | ');
  if (value === undefined) throw usageError(`--scheme is required (${list})`);
  const scheme = schemeByName(value);
  if (!scheme) throw usageError(`unknown scheme "${value}" (expected ${list})`);
  return scheme;
}
