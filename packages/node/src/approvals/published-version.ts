/**
 * Evidence v2, step 3 (APPROVALS.md "Evidence v2"; ARCHITECTURE.md "The trust chain for
 * approvals", step 2): a published policy version counts for a key only when a quorum of that
 * key's **genesis** approvers — one count per person — signed `policyApprovalPayloadJson` of
 * its hash, and it is for the key's organisation. The coordinator can therefore not hand a node
 * a policy the organisation's genesis admins did not approve; a changed document changes its
 * hash, and every admin signature over the old one stops verifying.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import {
  policyApprovalPayloadJson,
  publishedPolicyHash,
  type SigningEvidenceV2,
} from '@coffer/protocol';
import { distinctPrincipals, verifyDistinctApprovals } from './approval-signature.js';
import { ApprovalRefused } from './errors.js';
import type { EnrolledApprover } from './policy.js';
import type { VaultGenesis } from './genesis.js';

/**
 * Throws ApprovalRefused unless `evidence.policy` is version `evidence.policyVersion` of the
 * genesis organisation, approved by at least `genesis.policy.quorum` of its approvers:
 * POLICY_ORG_MISMATCH, POLICY_VERSION_MISMATCH, DUPLICATE_APPROVER (a key twice), else
 * POLICY_NOT_AUTHORISED naming what failed (an unknown key, a bad signature, too few people).
 * Returns the genesis approvers who approved it.
 */
export function assertPublishedVersion(
  genesis: VaultGenesis,
  evidence: Pick<SigningEvidenceV2, 'policy' | 'policyVersion'>,
): EnrolledApprover[] {
  const { document, approvals } = evidence.policy;
  if (document.orgId !== genesis.orgId) {
    throw new ApprovalRefused(
      'POLICY_ORG_MISMATCH',
      `the policy version is for organisation ${document.orgId}, the key for ${genesis.orgId}`,
    );
  }
  if (document.policyVersion !== evidence.policyVersion) {
    throw new ApprovalRefused(
      'POLICY_VERSION_MISMATCH',
      `the evidence names version ${evidence.policyVersion}, its document is version ${document.policyVersion}`,
    );
  }
  const what = `policy version ${document.policyVersion}`;
  const payload = utf8ToBytes(
    policyApprovalPayloadJson({
      orgId: document.orgId,
      policyVersion: document.policyVersion,
      hash: publishedPolicyHash(document),
      decision: 'approve',
    }),
  );
  let admins: EnrolledApprover[];
  try {
    admins = verifyDistinctApprovals(genesis.policy.approvers, approvals, payload);
  } catch (error) {
    if (!(error instanceof ApprovalRefused) || error.reason === 'DUPLICATE_APPROVER') throw error;
    const why =
      error.reason === 'UNKNOWN_APPROVER'
        ? 'approved by a key that is not a genesis approver of this key'
        : `an approval does not verify (${error.reason})`;
    throw new ApprovalRefused('POLICY_NOT_AUTHORISED', `${what}: ${why}`, error.approverKeyId);
  }
  const people = distinctPrincipals(admins);
  if (people < genesis.policy.quorum) {
    throw new ApprovalRefused(
      'POLICY_NOT_AUTHORISED',
      `${what}: too few approvals, ${people} of ${genesis.policy.quorum} genesis approvers ` +
        '(counted per person)',
    );
  }
  return admins;
}
