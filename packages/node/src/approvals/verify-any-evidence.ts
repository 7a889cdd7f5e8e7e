/**
 * The approval gate's dispatch (APPROVALS.md "Evidence v2"; issue 6, items 5–6): evidence
 * `version` 2 is judged by `verifyEvidenceV2` against the key's genesis (a published policy
 * version, recomputed); anything else by the v1 path exactly as before — against the key's
 * genesis policy, or the node's configured policy for a key generated without a genesis.
 */
import type { SigningEvidenceV2 } from '@coffer/protocol';
import type { SigningEvidence } from './evidence.js';
import type { VaultGenesis } from './genesis.js';
import type { ApprovalPolicy } from './policy.js';
import type { EvidenceRefusal } from './verdict.js';
import { verifyEvidence } from './verify-evidence.js';
import { isEvidenceV2, verifyEvidenceV2 } from './verify-evidence-v2.js';

/** What a node judges one key's evidence by. */
export interface KeyApprovalPolicies {
  /** The genesis stored with the key; undefined for a key generated without one. */
  readonly genesis: VaultGenesis | undefined;
  /** The node's configured policy (`enrolment.approvals`): v1 on a key without a genesis. */
  readonly configured: ApprovalPolicy | undefined;
}

/** Which policy accepted the evidence: the key's genesis, the node's, or a published version. */
export type JudgedBy =
  | { readonly policy: 'genesis' | 'configured'; readonly evidence: SigningEvidence }
  | { readonly policy: 'published'; readonly evidence: SigningEvidenceV2 };

export type AnyEvidenceVerdict =
  (JudgedBy & { readonly ok: true; readonly approvers: readonly string[] }) | EvidenceRefusal;

/**
 * Decides whether `evidence` (untrusted, v1 or v2) authorises signing `digestToSign` with the
 * key `policies` describe, at the node's time `now` (only v2 has an expiry).
 */
export function verifyAnyEvidence(
  policies: KeyApprovalPolicies,
  evidence: unknown,
  digestToSign: string,
  now: Date,
): AnyEvidenceVerdict {
  const { genesis, configured } = policies;
  if (isEvidenceV2(evidence)) {
    const verdict = verifyEvidenceV2(genesis, evidence, digestToSign, now);
    return verdict.ok ? { ...verdict, policy: 'published' } : verdict;
  }
  const policy = genesis?.policy ?? configured;
  if (!policy) {
    return { ok: false, reason: 'QUORUM_NOT_MET', message: 'this node has no approval policy' };
  }
  const verdict = verifyEvidence(policy, evidence, digestToSign);
  return verdict.ok ? { ...verdict, policy: genesis ? 'genesis' : 'configured' } : verdict;
}
