/**
 * Typed outcomes of the approval gate (issue 4, "Approval gate"; APPROVALS.md): every reason
 * the node refuses evidence or a policy has a stable code, and the refusal carries the
 * approver key id concerned when there is one. Messages never contain signatures, keys or
 * payload bytes beyond ids and counts.
 */

export const APPROVAL_REFUSAL_REASONS = [
  /** No evidence came with a signing request. */
  'EVIDENCE_MISSING',
  /** The evidence does not match the v1 format (fields, types, sizes, unknown fields). */
  'EVIDENCE_MALFORMED',
  /** The evidence names another vault than the node's policy. */
  'VAULT_MISMATCH',
  /** The evidence was judged under another policy version than the node's. */
  'POLICY_VERSION_MISMATCH',
  /** The digest the node is asked to sign is not among the approved digests. */
  'DIGEST_NOT_APPROVED',
  /** An approval is by a key that is not an enrolled approver. */
  'UNKNOWN_APPROVER',
  /** An approval's scheme differs from the one its approver enrolled with. */
  'SCHEME_MISMATCH',
  /** An approval's signature does not verify under the enrolled key. */
  'INVALID_SIGNATURE',
  /** WebAuthn clientDataJSON is not a webauthn.get for this payload (type, challenge, origin). */
  'WEBAUTHN_CLIENT_DATA_INVALID',
  /** WebAuthn authenticatorData is malformed or for another relying party. */
  'WEBAUTHN_RP_MISMATCH',
  /** The WebAuthn assertion lacks user presence or user verification (UP/UV flags). */
  'USER_NOT_VERIFIED',
  /** Two approvals by the same approver. */
  'DUPLICATE_APPROVER',
  /** Fewer distinct valid approvals than the policy's quorum. */
  'QUORUM_NOT_MET',
  /**
   * The evidence already authorised a signing session of this digest on this node (its
   * (vault, request, digest) is consumed in the durable ledger): approvals are single use.
   */
  'EVIDENCE_REPLAYED',
  /** Evidence v2: its published policy version is for another organisation than the key's. */
  'POLICY_ORG_MISMATCH',
  /**
   * Evidence v2: the published policy version lacks approvals from a quorum of the key's
   * genesis approvers (or the key has no genesis).
   */
  'POLICY_NOT_AUTHORISED',
  /** Evidence v2: the intent is for another vault, or its digests are not the evidence's. */
  'INTENT_MISMATCH',
  /** Evidence v2: the published policy blocks the request. */
  'POLICY_BLOCKED',
  /** Evidence v2: the request expired by the node's clock (`now` at or after `expiresAt`). */
  'REQUEST_EXPIRED',
  /**
   * Evidence v2: the request claims a creation time more than MAX_CLOCK_SKEW_MS in the node's
   * future (its `createdAt` is the `now` the policy is evaluated at, so it may not run ahead).
   */
  'REQUEST_NOT_YET_VALID',
] as const;
export type ApprovalRefusalReason = (typeof APPROVAL_REFUSAL_REASONS)[number];

export const POLICY_ERROR_CODES = [
  /** The signed policy or the admin roster does not match the v1 format. */
  'POLICY_MALFORMED',
  /** The policy lacks a quorum of valid, distinct admin signatures from the roster. */
  'POLICY_NOT_AUTHORISED',
] as const;
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];

/** A refused piece of evidence, as an error (the runner maps it to EVIDENCE_REFUSED). */
export class ApprovalRefused extends Error {
  override readonly name = 'ApprovalRefused';
  constructor(
    readonly reason: ApprovalRefusalReason,
    message: string,
    readonly approverKeyId?: string,
  ) {
    super(
      `${reason}: ${message}${approverKeyId === undefined ? '' : ` (approver ${approverKeyId})`}`,
    );
  }
}

/** A policy that cannot be accepted. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
