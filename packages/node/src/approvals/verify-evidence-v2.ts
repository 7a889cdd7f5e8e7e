/**
 * Evidence v2 (issue 6, items 5–6; ARCHITECTURE.md "The trust chain for approvals", steps
 * 2–3; APPROVALS.md "Evidence v2"): a request judged by a **published policy version**. The
 * node takes nothing on the server's word that decides who approved or what is signed:
 *
 * 1. the published version is approved by a quorum of the key's **genesis** approvers (one per
 *    person), over `policyApprovalPayloadJson` of its hash, and is for the key's organisation;
 * 2. the intent is for this vault and its digests are exactly the evidence's, which include
 *    the digest to sign; the request has not expired by the node's clock;
 * 3. `evaluatePolicy` on the intent, at the request's creation time, with the velocity records
 *    the server summed: `block` refuses, `allow` authorises;
 * 4. otherwise every approval is by a key of the version's directory with a valid signature
 *    over `requestApprovalPayloadJson` (which names the intent's hash and the expiry), external
 *    answers are signed by the endpoint's key in the directory, and `approvalStatus` — the
 *    initiator excluded, one count per person, stages in order — says `approved`.
 *
 * The server is trusted, bounded, for the initiator's identity, the times approvals arrived
 * (stage order) and the velocity records: each only changes which legitimate approvals are
 * needed, never lets a non-approver's key count.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  SigningEvidenceV2,
  approvalStatus,
  evaluatePolicy,
  externalApproverId,
  externalDecisionPayloadJson,
  intentHash,
  membersFromDirectory,
  policyApprovalPayloadJson,
  publishedPolicyHash,
  requestApprovalPayloadJson,
  velocityHistoryOf,
  type ApproverDecision,
} from '@coffer/protocol';
import { verifyApprovalSignature } from './approval-signature.js';
import { ApprovalRefused } from './errors.js';
import type { Approval } from './evidence.js';
import type { VaultGenesis } from './genesis.js';
import type { EnrolledApprover } from './policy.js';

/** Whether untrusted evidence claims format v2 (then only the v2 checks apply). */
export function isEvidenceV2(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { version?: unknown }).version === 2
  );
}

/** How far in the node's future a request's creation time may be (clock skew). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export interface AcceptedEvidenceV2 {
  readonly evidence: SigningEvidenceV2;
  /** The approver key ids whose approvals counted (empty when the policy allowed outright). */
  readonly approvers: readonly string[];
}

const refuse = (reason: ApprovalRefused['reason'], message: string, who?: string): never => {
  throw new ApprovalRefused(reason, message, who);
};

/** Verifies each approval's signature once, by a distinct key of `approvers`. */
function verifyApprovals(
  approvers: readonly EnrolledApprover[],
  approvals: readonly Approval[],
  payload: Uint8Array,
  unknown: ApprovalRefused['reason'],
): EnrolledApprover[] {
  const seen = new Set<string>();
  return approvals.map((approval) => {
    const who = approval.approverKeyId;
    if (seen.has(who)) refuse('DUPLICATE_APPROVER', 'approver appears twice', who);
    seen.add(who);
    const approver = approvers.find((a) => a.keyId === who);
    if (!approver) return refuse(unknown, 'not an approver this policy knows', who);
    verifyApprovalSignature(approver, approval, payload);
    return approver;
  });
}

/**
 * Throws ApprovalRefused unless `value` (untrusted) authorises signing `digestToSign` with the
 * key of `genesis` at `now`.
 */
export function assertEvidenceV2(
  genesis: VaultGenesis | undefined,
  value: unknown,
  digestToSign: string,
  now: Date,
): AcceptedEvidenceV2 {
  const parsed = SigningEvidenceV2.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(
      'EVIDENCE_MALFORMED',
      `evidence v2: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const evidence = parsed.data;
  const { request, policy } = evidence;
  if (!genesis) return refuse('POLICY_NOT_AUTHORISED', 'the key has no genesis to judge by');
  if (evidence.vaultId !== genesis.vaultId)
    refuse('VAULT_MISMATCH', 'evidence is for another vault');
  if (
    request.intent.source.vaultId !== evidence.vaultId ||
    request.intent.digests.length !== evidence.digests.length ||
    request.intent.digests.some((d, i) => d !== evidence.digests[i])
  ) {
    refuse('INTENT_MISMATCH', "the intent's vault or digests are not the evidence's");
  }
  if (!evidence.digests.includes(digestToSign.toLowerCase())) {
    refuse('DIGEST_NOT_APPROVED', 'the digest to sign is not approved');
  }
  if (now.getTime() >= Date.parse(request.expiresAt)) {
    refuse('REQUEST_EXPIRED', `the request expired at ${request.expiresAt}`);
  }
  if (Date.parse(request.createdAt) > now.getTime() + MAX_CLOCK_SKEW_MS) {
    refuse('REQUEST_EXPIRED', 'the request claims a creation time in the future');
  }

  // 1. The published version, approved by the key's genesis approvers.
  const { document } = policy;
  if (document.orgId !== genesis.orgId) {
    refuse('POLICY_ORG_MISMATCH', 'the policy version is for another organisation');
  }
  if (document.policyVersion !== evidence.policyVersion) {
    refuse('POLICY_VERSION_MISMATCH', 'the evidence names another version than its document');
  }
  const versionPayload = utf8ToBytes(
    policyApprovalPayloadJson({
      orgId: document.orgId,
      policyVersion: document.policyVersion,
      hash: publishedPolicyHash(document),
      decision: 'approve',
    }),
  );
  let admins: EnrolledApprover[];
  try {
    admins = verifyApprovals(
      genesis.policy.approvers,
      policy.approvals,
      versionPayload,
      'POLICY_NOT_AUTHORISED',
    );
  } catch (error) {
    if (!(error instanceof ApprovalRefused) || error.reason === 'DUPLICATE_APPROVER') throw error;
    throw new ApprovalRefused(
      'POLICY_NOT_AUTHORISED',
      `policy version ${document.policyVersion}: ${error.message}`,
      error.approverKeyId,
    );
  }
  const people = new Set(admins.map((a) => a.principal ?? a.keyId)).size;
  if (people < genesis.policy.quorum) {
    refuse(
      'POLICY_NOT_AUTHORISED',
      `policy version ${document.policyVersion}: ${people} of ${genesis.policy.quorum} genesis ` +
        'approvers approved it (counted per person)',
    );
  }

  // 3. The decision, recomputed.
  const { initiator } = request;
  const decision = evaluatePolicy(
    document.policy,
    {
      intent: request.intent,
      initiator: { kind: initiator.kind, id: initiator.id, role: initiator.role },
    },
    {
      now: new Date(request.createdAt),
      velocity: velocityHistoryOf(evidence.velocity.map((r) => ({ ...r, at: new Date(r.at) }))),
    },
  );
  if (decision.outcome === 'block') refuse('POLICY_BLOCKED', decision.reasons.at(-1) ?? 'blocked');
  if (decision.outcome === 'allow') return { evidence, approvers: [] };

  // 4. The approvals, counted as the policy says.
  const hash = intentHash(request.intent);
  const requestPayload = utf8ToBytes(
    requestApprovalPayloadJson({
      requestId: evidence.requestId,
      vaultId: evidence.vaultId,
      digests: evidence.digests,
      policyVersion: evidence.policyVersion,
      intentHash: hash,
      expiresAt: request.expiresAt,
      decision: 'approve',
    }),
  );
  const { directory } = document;
  const approvers = verifyApprovals(
    directory.approvers,
    evidence.approvals.map((a) => a.approval),
    requestPayload,
    'UNKNOWN_APPROVER',
  );
  const decisions: ApproverDecision[] = approvers.map((approver, i) => ({
    approverId: approver.principal ?? approver.keyId,
    decision: 'approve',
    at: new Date(evidence.approvals[i]!.at),
  }));
  const endpoints = new Set<string>();
  for (const answer of evidence.external) {
    if (endpoints.has(answer.endpointId)) {
      refuse('DUPLICATE_APPROVER', 'external approver appears twice', answer.endpointId);
    }
    endpoints.add(answer.endpointId);
    const key = directory.externalApprovers.find((e) => e.endpointId === answer.endpointId);
    if (!key) return refuse('UNKNOWN_APPROVER', 'not an external approver', answer.endpointId);
    const payload = externalDecisionPayloadJson({
      endpointId: answer.endpointId,
      callId: answer.callId,
      requestId: evidence.requestId,
      intentHash: hash,
      decision: 'approve',
    });
    let valid: boolean;
    try {
      valid = ed25519.verify(
        hexToBytes(answer.signature),
        utf8ToBytes(payload),
        hexToBytes(key.publicKey),
      );
    } catch {
      valid = false;
    }
    if (!valid) refuse('INVALID_SIGNATURE', 'external answer does not verify', answer.endpointId);
    decisions.push({
      approverId: externalApproverId(answer.endpointId),
      decision: 'approve',
      at: new Date(answer.at),
    });
  }
  const status = approvalStatus(
    decision.requirement!,
    decisions,
    [initiator.id, initiator.principal],
    membersFromDirectory(directory.members),
  );
  if (status.state !== 'approved') {
    refuse(
      'QUORUM_NOT_MET',
      `policy version ${document.policyVersion}: ${status.missing.join('; ')}`,
    );
  }
  return { evidence, approvers: approvers.map((a) => a.keyId) };
}
