/**
 * The one error type of @coffer/crypto. Every failure a caller can act on has a stable
 * `code`; where blame is possible (a malformed or inconsistent message from a party),
 * `culprits` names the parties at fault (CRYPTO.md invariant 4). Messages never contain
 * secret values.
 */
import type { PartyId } from './sharing/access-structure.js';

export const CRYPTO_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_ACCESS_STRUCTURE',
  'UNKNOWN_PARTY',
  'UNAUTHORIZED_SET',
  'INVALID_SCALAR',
  'INVALID_POINT',
  'INVALID_MESSAGE',
  'INVALID_SHARE',
  'INVALID_PROOF',
  'INVALID_COMMITMENT',
  'INVALID_SIGNATURE_SHARE',
  'INVALID_SIGNATURE',
  'INCONSISTENT_BROADCAST',
  'STATE_CONSUMED',
  'SESSION_MISMATCH',
  'OT_CHECK_FAILED',
  'CONSISTENCY_CHECK_FAILED',
  'NOT_ATTRIBUTABLE',
  'DECRYPTION_FAILED',
] as const;
export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[number];

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
    readonly culprits: readonly PartyId[] = [],
  ) {
    super(culprits.length > 0 ? `${message} (culprits: ${culprits.join(', ')})` : message);
  }
}

/** Throws INVALID_ARGUMENT unless `cond` holds. */
export function ensure(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CryptoError('INVALID_ARGUMENT', message);
}
