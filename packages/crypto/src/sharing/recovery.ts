/**
 * OFFLINE DISASTER RECOVERY ONLY. The single place in Coffer where a whole private key is
 * computed (ARCHITECTURE.md, trust model; CRYPTO.md invariant 1). It is called only by the
 * explicit offline `coffer tss combine` command; a test checks that no other source file
 * imports it. Never call it from a node, the server or any protocol.
 */
import type { Group } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { AccessStructure, PartyId } from './access-structure.js';

/** Σ λ_i·s_i over an authorised set of shares: the whole secret. */
export function reconstructSecretOffline(
  group: Group,
  structure: AccessStructure,
  shares: ReadonlyMap<PartyId, bigint>,
): bigint {
  const lambdas = structure.coefficients(group, shares.keys());
  let secret = 0n;
  for (const [party, lambda] of lambdas) secret = group.mod(secret + lambda * shares.get(party)!);
  if (secret === 0n) throw new CryptoError('INVALID_SHARE', 'shares reconstruct to zero');
  return secret;
}
