/**
 * One approval's signature, whatever it approves (APPROVALS.md "Approval schemes"): Ed25519
 * (RFC 8032) over the payload bytes for an API key, or a WebAuthn ES256 assertion with user
 * verification whose challenge is SHA-256 of the payload for a passkey (webauthn.ts). The
 * evidence gate (v1 and v2), the published-policy check and the server's check on arrival all
 * call `verifyApprovalSignature`, so they cannot disagree on what a valid approval is;
 * `verifyDistinctApprovals` is the loop v1 and v2 share over a list of approvals.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { ApprovalRefused, type ApprovalRefusalReason } from './errors.js';
import type { Approval } from './evidence.js';
import type { EnrolledApprover } from './policy.js';
import { verifyWebAuthnApproval } from './webauthn.js';

/** Throws ApprovalRefused unless `approval` by `approver` signs `payload` in its enrolled scheme. */
export function verifyApprovalSignature(
  approver: EnrolledApprover,
  approval: Approval,
  payload: Uint8Array,
): void {
  const who = approval.approverKeyId;
  if (approver.scheme !== approval.scheme) {
    throw new ApprovalRefused('SCHEME_MISMATCH', `enrolled for ${approver.scheme}`, who);
  }
  if (approval.scheme === 'webauthn-es256') {
    verifyWebAuthnApproval(approver, approval, payload);
    return;
  }
  let ok: boolean;
  try {
    ok = ed25519.verify(hexToBytes(approval.signature), payload, hexToBytes(approver.publicKey));
  } catch {
    ok = false;
  }
  if (!ok) throw new ApprovalRefused('INVALID_SIGNATURE', 'signature does not verify', who);
}

/**
 * Verifies every approval in order — no key twice (DUPLICATE_APPROVER), each by a key of
 * `approvers` (else `unknownReason`), each signature valid over `payload` — and returns the
 * approvers, one per approval. The first bad approval refuses the whole list.
 */
export function verifyDistinctApprovals(
  approvers: readonly EnrolledApprover[],
  approvals: readonly Approval[],
  payload: Uint8Array,
  unknownReason: ApprovalRefusalReason = 'UNKNOWN_APPROVER',
): EnrolledApprover[] {
  const seen = new Set<string>();
  return approvals.map((approval) => {
    const who = approval.approverKeyId;
    if (seen.has(who))
      throw new ApprovalRefused('DUPLICATE_APPROVER', 'approver appears twice', who);
    seen.add(who);
    const approver = approvers.find((a) => a.keyId === who);
    if (!approver) throw new ApprovalRefused(unknownReason, 'not an enrolled approver', who);
    verifyApprovalSignature(approver, approval, payload);
    return approver;
  });
}

/** How many people `approvers` are: keys with the same `principal` count once. */
export function distinctPrincipals(approvers: readonly EnrolledApprover[]): number {
  return new Set(approvers.map((a) => a.principal ?? a.keyId)).size;
}
