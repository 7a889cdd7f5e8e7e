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
import { distinctPrincipals, verifyDistinctApprovals } from './approval-signature.js';
import { ApprovalRefused } from './errors.js';
import { approvalPayloadBytes, parseSigningEvidence, type SigningEvidence } from './evidence.js';
import type { ApprovalPolicy } from './policy.js';
import { verdictOf, type EvidenceVerdict } from './verdict.js';

export type { EvidenceVerdict } from './verdict.js';

/** Decides whether `evidence` authorises signing `digestToSign` (hex) under `policy`. */
export function verifyEvidence(
  policy: ApprovalPolicy,
  evidence: unknown,
  digestToSign: string,
): EvidenceVerdict {
  return verdictOf(() => {
    const checked = parseSigningEvidence(evidence);
    return { evidence: checked, approvers: checkEvidence(policy, checked, digestToSign) };
  });
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
  const approvers = verifyDistinctApprovals(
    policy.approvers,
    evidence.approvals,
    approvalPayloadBytes(evidence),
  );
  // A person counts once however many of their keys approved (issue 6, item 4).
  const people = distinctPrincipals(approvers);
  if (people < policy.quorum) {
    throw new ApprovalRefused(
      'QUORUM_NOT_MET',
      `${people} of ${policy.quorum} approvals (counted per person)`,
    );
  }
  return approvers.map((a) => a.keyId);
}
