/**
 * The evidence a signing node receives with a request (packages/node APPROVALS.md). Genesis
 * policy (version 1): evidence v1, the approvals of the vault's genesis approvers. A published
 * version: evidence v2 — the intent, the initiator, the published document with its admins'
 * approvals, the approvals with when each came, external approvers' signed answers and the
 * velocity records the policy summed over — so the node recomputes the decision itself.
 */
import type { SigningEvidenceV2 } from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';
import { answersOf } from '../external-approvers/store.js';
import { approvalsOf, findPolicyVersion } from '../policy/store.js';
import type { StoredRequest } from './store.js';

export async function signingEvidence(db: Queryable, request: StoredRequest): Promise<unknown> {
  const { view } = request;
  if (view.policyVersion === 1) {
    return {
      version: 1,
      requestId: view.id,
      vaultId: view.vaultId,
      digests: view.intent.digests,
      policyVersion: view.policyVersion,
      approvals: request.approvals,
    };
  }
  const version = await findPolicyVersion(db, view.orgId, view.policyVersion);
  if (!version) throw new Error(`policy version ${view.policyVersion} is missing`);
  const evidence: SigningEvidenceV2 = {
    version: 2,
    requestId: view.id,
    vaultId: view.vaultId,
    digests: view.intent.digests,
    policyVersion: view.policyVersion,
    request: {
      intent: view.intent,
      initiator: request.initiator,
      createdAt: view.createdAt,
      expiresAt: view.expiresAt,
    },
    policy: { document: version.document, approvals: approvalsOf(version) },
    approvals: request.decisions
      .filter((d) => d.decision === 'approve')
      .map((d) => ({ approval: d.approval, at: d.at.toISOString() })),
    external: (await answersOf(db, view.id))
      .filter((a) => a.decision === 'approve')
      .map((a) => ({
        endpointId: a.endpointId,
        callId: a.callId,
        decision: 'approve' as const,
        signature: a.signature,
        at: a.at.toISOString(),
      })),
    velocity: [...request.velocity],
  };
  return evidence;
}
