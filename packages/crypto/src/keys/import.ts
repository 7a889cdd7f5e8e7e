/**
 * Key import: split an existing private key into shares under an access structure with a
 * trusted dealer (the dealing of sharing/feldman.ts). This is one of the two places where a
 * whole key exists (the other is offline recovery, sharing/recovery.ts); it exists only in
 * the caller's hands and in this function's arguments, is used once to deal, and is never
 * stored. Run it offline, then move each share to its holder.
 */
import type { Group } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { AccessStructure } from '../sharing/access-structure.js';
import { committedPublicKey, shareSecret, verificationShare } from '../sharing/feldman.js';
import type { KeyShare } from './key-share.js';

/** Deals `secretKey` (a scalar in [1, q)) to every party of `structure`. */
export function splitSecretKey(
  group: Group,
  structure: AccessStructure,
  secretKey: bigint,
): KeyShare[] {
  if (secretKey <= 0n || secretKey >= group.order) {
    throw new CryptoError('INVALID_SCALAR', 'private key must be in [1, q)');
  }
  const { shares, commitments } = shareSecret(group, structure, secretKey);
  const publicKey = committedPublicKey(commitments);
  const verificationShares = new Map(
    structure.parties.map((p) => [p, verificationShare(group, structure, commitments, p)]),
  );
  return structure.parties.map((party) => ({
    group,
    structure,
    party,
    secretShare: shares.get(party)!,
    publicKey,
    verificationShares,
  }));
}
