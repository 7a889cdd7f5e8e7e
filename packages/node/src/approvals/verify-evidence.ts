/**
 * The approval gate's decision (issue 4, "Approval gate"; ARCHITECTURE.md "The trust chain
 * for approvals", step 3): the node recomputes, from its own signed policy, whether the
 * evidence authorises signing `digestToSign`. Checks, in order: evidence well-formed; same
 * vault and policy version as the node's policy; the digest is among the approved digests;
 * every approval is by an enrolled approver, in its enrolled scheme, with a valid signature
 * over the canonical approval payload (Ed25519, or a WebAuthn ES256 assertion with user
 * verification); approvers are distinct; at least `quorum` of them. Any failure is a typed
 * refusal reason; one bad approval refuses the whole evidence (no silent skipping).
 */
import { verifyApprovalSignature } from './approval-signature.js';
import { ApprovalRefused, type ApprovalRefusalReason } from './errors.js';
import { approvalPayloadBytes, parseSigningEvidence, type SigningEvidence } from './evidence.js';
import type { ApprovalPolicy } from './policy.js';

export type EvidenceVerdict =
  | { readonly ok: true; readonly evidence: SigningEvidence; readonly approvers: readonly string[] }
  | {
      readonly ok: false;
      readonly reason: ApprovalRefusalReason;
      readonly message: string;
      readonly approverKeyId?: string;
    };

/** Decides whether `evidence` authorises signing `digestToSign` (hex) under `policy`. */
export function verifyEvidence(
  policy: ApprovalPolicy,
  evidence: unknown,
  digestToSign: string,
): EvidenceVerdict {
  try {
    const checked = parseSigningEvidence(evidence);
    return { ok: true, evidence: checked, approvers: checkEvidence(policy, checked, digestToSign) };
  } catch (error) {
    if (!(error instanceof ApprovalRefused)) throw error;
    return {
      ok: false,
      reason: error.reason,
      message: error.message,
      ...(error.approverKeyId === undefined ? {} : { approverKeyId: error.approverKeyId }),
    };
  }
}

/** Like `verifyEvidence`, throwing ApprovalRefused; returns the distinct approvers. */
export function assertEvidence(
  policy: ApprovalPolicy,
  evidence: unknown,
  digestToSign: string,
): string[] {
  return checkEvidence(policy, parseSigningEvidence(evidence), digestToSign);
}

function checkEvidence(
  policy: ApprovalPolicy,
  evidence: SigningEvidence,
  digestToSign: string,
): string[] {
  if (evidence.vaultId !== policy.vaultId) {
    throw new ApprovalRefused('VAULT_MISMATCH', 'evidence is for another vault');
  }
  if (evidence.policyVersion !== policy.policyVersion) {
    throw new ApprovalRefused('POLICY_VERSION_MISMATCH', `node policy is v${policy.policyVersion}`);
  }
  if (!evidence.digests.includes(digestToSign.toLowerCase())) {
    throw new ApprovalRefused('DIGEST_NOT_APPROVED', 'the digest to sign is not approved');
  }
  const payload = approvalPayloadBytes(evidence);
  const seen = new Set<string>();
  // A person counts once however many of their keys approved (issue 6, item 4).
  const principals = new Set<string>();
  for (const approval of evidence.approvals) {
    const who = approval.approverKeyId;
    if (seen.has(who))
      throw new ApprovalRefused('DUPLICATE_APPROVER', 'approver appears twice', who);
    seen.add(who);
    const approver = policy.approvers.find((a) => a.keyId === who);
    if (!approver) throw new ApprovalRefused('UNKNOWN_APPROVER', 'not an enrolled approver', who);
    principals.add(approver.principal ?? approver.keyId);
    verifyApprovalSignature(approver, approval, payload);
  }
  if (principals.size < policy.quorum) {
    throw new ApprovalRefused(
      'QUORUM_NOT_MET',
      `${principals.size} of ${policy.quorum} approvals (counted per person)`,
    );
  }
  return [...seen];
}
