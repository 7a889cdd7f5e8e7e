/**
 * Evidence v2 (issue 6, items 5–6; ARCHITECTURE.md "The trust chain for approvals", steps
 * 2–3; APPROVALS.md "Evidence v2"): a request judged by a **published policy version**. The
 * node takes nothing on the server's word that decides who approved or what is signed.
 * Checks, in the order of APPROVALS.md:
 *
 * 1. the v2 shape (`SigningEvidenceV2`, strict), and the key has a genesis;
 * 2. the evidence and its intent are for the key's vault, the digests are exactly the intent's,
 *    and they include the digest to sign;
 * 3. the published version is for the key's organisation, names the evidence's version, and is
 *    approved by a quorum of the key's **genesis** approvers (published-version.ts);
 * 4. the request has not expired by the node's clock, and was not created in its future;
 * 5. `evaluatePolicy` on the intent, at the request's creation time, with the velocity records
 *    the server summed: `block` refuses, `allow` authorises;
 * 6. otherwise every approval is by a key of the version's directory with a valid signature
 *    over `requestApprovalPayloadJson` (which names the intent's hash and the expiry), external
 *    answers are signed by the endpoint's key in the directory, and `approvalStatus` — the
 *    initiator excluded, one count per person, stages in order — says `approved`.
 *
 * The server is trusted, bounded, for the initiator's identity, the times approvals arrived
 * (stage order) and the velocity records: each only changes which legitimate approvals are
 * needed, never lets a non-approver's key count. Pure and synchronous: the server runs the same
 * function before it marks a request approved.
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
  requestApprovalPayloadJson,
  velocityHistoryOf,
  type ApproverDecision,
  type ApprovalRequirement,
} from '@coffer/protocol';
import { verifyDistinctApprovals } from './approval-signature.js';
import { ApprovalRefused } from './errors.js';
import type { VaultGenesis } from './genesis.js';
import { assertPublishedVersion } from './published-version.js';
import { verdictOf, type EvidenceVerdict } from './verdict.js';

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

/**
 * Decides whether `evidence` (untrusted) authorises signing `digestToSign` (hex) with the key
 * born with `genesis` (undefined: a key generated without one, which cannot take v2), at the
 * node's time `now`. Same verdict shape as `verifyEvidence` (v1).
 */
export function verifyEvidenceV2(
  genesis: VaultGenesis | undefined,
  evidence: unknown,
  digestToSign: string,
  now: Date,
): EvidenceVerdict<SigningEvidenceV2> {
  return verdictOf(() => assertEvidenceV2(genesis, evidence, digestToSign, now));
}

/** Like `verifyEvidenceV2`, throwing ApprovalRefused. */
export function assertEvidenceV2(
  genesis: VaultGenesis | undefined,
  value: unknown,
  digestToSign: string,
  now: Date,
): AcceptedEvidenceV2 {
  const parsed = SigningEvidenceV2.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApprovalRefused(
      'EVIDENCE_MALFORMED',
      `evidence v2: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const evidence = parsed.data;
  const { request } = evidence;
  if (!genesis) {
    throw new ApprovalRefused(
      'POLICY_NOT_AUTHORISED',
      'no genesis: the key has no roster to judge a published version by',
    );
  }

  // 2. The request: this vault, the intent's own digests, the digest to sign among them.
  if (evidence.vaultId !== genesis.vaultId) {
    throw new ApprovalRefused('VAULT_MISMATCH', 'evidence is for another vault');
  }
  if (request.intent.source.vaultId !== evidence.vaultId) {
    throw new ApprovalRefused('INTENT_MISMATCH', "the intent's source is another vault");
  }
  const intentDigests = request.intent.digests;
  if (
    intentDigests.length !== evidence.digests.length ||
    intentDigests.some((d, i) => d !== evidence.digests[i])
  ) {
    throw new ApprovalRefused('INTENT_MISMATCH', "the digests are not the intent's digests");
  }
  if (!evidence.digests.includes(digestToSign.toLowerCase())) {
    throw new ApprovalRefused('DIGEST_NOT_APPROVED', 'the digest to sign is not approved');
  }

  // 3. The published version, approved by the key's genesis approvers.
  assertPublishedVersion(genesis, evidence);

  // 4. Time, by the node's clock. Expired at `expiresAt`, as the server counts it.
  if (now.getTime() >= Date.parse(request.expiresAt)) {
    throw new ApprovalRefused('REQUEST_EXPIRED', `the request expired at ${request.expiresAt}`);
  }
  if (Date.parse(request.createdAt) > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new ApprovalRefused(
      'REQUEST_NOT_YET_VALID',
      `the request claims it was created at ${request.createdAt}, more than ` +
        `${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of this node's clock`,
    );
  }

  // 5. The decision, recomputed (POLICY.md "Evaluation").
  const { document } = evidence.policy;
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
  if (decision.outcome === 'block') {
    const why = decision.reasons.at(-1) ?? 'blocked';
    const rule = decision.ruleId === null ? '' : `rule ${decision.ruleId} (${decision.ruleName}): `;
    throw new ApprovalRefused('POLICY_BLOCKED', `${rule}${why}`);
  }
  if (decision.outcome === 'allow') return { evidence, approvers: [] };
  if (!decision.requirement) {
    throw new Error('evaluatePolicy: require-approvals without a requirement');
  }

  // 6. The approvals, counted as the policy says.
  return { evidence, approvers: assertApproved(evidence, decision.requirement) };
}

/**
 * Step 6: verifies the approvals and external answers against the version's directory and
 * returns the approver key ids, or throws QUORUM_NOT_MET with what is missing.
 */
function assertApproved(evidence: SigningEvidenceV2, requirement: ApprovalRequirement): string[] {
  const { request } = evidence;
  const { directory, policyVersion } = evidence.policy.document;
  const hash = intentHash(request.intent);
  const payload = requestApprovalPayloadJson({
    requestId: evidence.requestId,
    vaultId: evidence.vaultId,
    digests: evidence.digests,
    policyVersion: evidence.policyVersion,
    intentHash: hash,
    expiresAt: request.expiresAt,
    decision: 'approve',
  });
  const approvers = verifyDistinctApprovals(
    directory.approvers,
    evidence.approvals.map((a) => a.approval),
    utf8ToBytes(payload),
  );
  // A person's keys decide as that person (issue 6, item 4): approvalStatus counts them once.
  const principalOf = new Map(approvers.map((a) => [a.keyId, a.principal ?? a.keyId]));
  const decisions: ApproverDecision[] = evidence.approvals.map(({ approval, at }) => ({
    approverId: principalOf.get(approval.approverKeyId) ?? approval.approverKeyId,
    decision: 'approve',
    at: new Date(at),
  }));
  const endpoints = new Set<string>();
  for (const answer of evidence.external) {
    const who = answer.endpointId;
    if (endpoints.has(who)) {
      throw new ApprovalRefused('DUPLICATE_APPROVER', 'external approver appears twice', who);
    }
    endpoints.add(who);
    const key = directory.externalApprovers.find((e) => e.endpointId === who);
    if (!key) throw new ApprovalRefused('UNKNOWN_APPROVER', 'not an external approver', who);
    const signed = externalDecisionPayloadJson({
      endpointId: who,
      callId: answer.callId,
      requestId: evidence.requestId,
      intentHash: hash,
      decision: 'approve',
    });
    if (!verifiesEd25519(answer.signature, signed, key.publicKey)) {
      throw new ApprovalRefused('INVALID_SIGNATURE', 'external answer does not verify', who);
    }
    decisions.push({
      approverId: externalApproverId(who),
      decision: 'approve',
      at: new Date(answer.at),
    });
  }
  const status = approvalStatus(
    requirement,
    decisions,
    [request.initiator.id, request.initiator.principal],
    membersFromDirectory(directory.members),
  );
  if (status.state !== 'approved') {
    throw new ApprovalRefused(
      'QUORUM_NOT_MET',
      `policy version ${policyVersion}: ${status.missing.join('; ') || status.state}`,
    );
  }
  return approvers.map((a) => a.keyId);
}

/** Ed25519 (RFC 8032) over the UTF-8 of `text`; false for malformed keys or signatures too. */
function verifiesEd25519(signatureHex: string, text: string, publicKeyHex: string): boolean {
  try {
    return ed25519.verify(hexToBytes(signatureHex), utf8ToBytes(text), hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}
