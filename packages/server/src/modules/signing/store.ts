/**
 * Signature requests and the decisions on them (tables `signature_requests`,
 * `signature_approvals`; issue 5 item 7, issue 6 items 1–2 and 6). A request row holds its
 * intent, initiator, the policy's decision (with the approval requirement when it requires
 * approvals), where the approvals stand and when it expires. A decision row holds the signed
 * approval or rejection exactly as a node verifies it, stored only after the server verified
 * it the same way, with the person behind the key.
 */
import type { Approval } from '@coffer/node';
import {
  expectedDecisionPayload,
  type ApprovalRequirement,
  type AuditActor,
  type Failure,
  type Initiator,
  type Intent,
  type PolicyDecision,
  type SignatureRequest,
  type SignatureResult,
  type VaultScheme,
  type VelocityRecord,
} from '@coffer/protocol';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-store.js';
import { cancelPendingCalls } from '../external-approvers/store.js';

export type RequestStatus = SignatureRequest['status'];
export type Progress = SignatureRequest['progress'];
/** The initiator as stored: with the person behind it (an API key's creator). */
export type StoredInitiator = Initiator & { readonly principal: string };

interface RequestRow {
  id: string;
  org_id: string;
  vault_id: string;
  scheme: VaultScheme;
  digest: string;
  status: RequestStatus;
  policy_version: number;
  quorum: number | null;
  intent: Intent;
  initiator: StoredInitiator;
  decision: Omit<PolicyDecision, 'requirement'> & { requirement?: ApprovalRequirement | null };
  progress: Progress;
  expires_at: Date;
  result: SignatureResult | null;
  failure: Failure | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  request_hash: string | null;
  velocity: VelocityRecord[];
}

interface DecisionRow {
  request_id: string;
  approver_key_id: string;
  scheme: Approval['scheme'];
  approval: Approval;
  decision: 'approve' | 'reject';
  principal: string | null;
  approved_at: Date;
}

export interface StoredDecision {
  readonly approval: Approval;
  readonly decision: 'approve' | 'reject';
  /** The person the key belongs to; null: the key is its own principal. */
  readonly principal: string | null;
  readonly at: Date;
}

export interface StoredRequest {
  readonly view: SignatureRequest;
  readonly initiator: StoredInitiator;
  /** null unless the policy requires approvals under a published version. */
  readonly requirement: ApprovalRequirement | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly createdBy: string;
  readonly requestHash: string | null;
  /** The velocity records the policy summed over when it judged the request. */
  readonly velocity: readonly VelocityRecord[];
  /** Every decision, in the order they came. */
  readonly decisions: readonly StoredDecision[];
  /** The approvals as the nodes verify them, in the order they came. */
  readonly approvals: readonly Approval[];
}

const challengeOf = (payload: string) =>
  Buffer.from(sha256(utf8ToBytes(payload))).toString('base64url');

const toStored = (row: RequestRow, decisions: readonly DecisionRow[]): StoredRequest => {
  const mine = decisions.filter((d) => d.request_id === row.id);
  const { requirement, ...decision } = row.decision;
  const base = {
    id: row.id,
    vaultId: row.vault_id,
    intent: row.intent,
    policyVersion: row.policy_version,
    expiresAt: row.expires_at.toISOString(),
  };
  const approvalPayload = expectedDecisionPayload(base, 'approve');
  const rejectionPayload = expectedDecisionPayload(base, 'reject');
  const { kind, id, role } = row.initiator;
  return {
    view: {
      ...base,
      orgId: row.org_id,
      scheme: row.scheme,
      digest: row.digest,
      status: row.status,
      initiator: { kind, id, role },
      decision: {
        outcome: decision.outcome,
        ruleId: decision.ruleId,
        ruleName: decision.ruleName,
        reasons: [...decision.reasons],
      },
      quorum: row.quorum,
      progress: row.progress,
      approvalPayload,
      challenge: challengeOf(approvalPayload),
      rejectionPayload,
      rejectionChallenge: challengeOf(rejectionPayload),
      approvals: mine.map((d) => ({
        approverKeyId: d.approver_key_id,
        scheme: d.scheme,
        decision: d.decision,
        principal: d.principal,
        approvedAt: d.approved_at.toISOString(),
      })),
      result: row.result,
      failure: row.failure,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    },
    initiator: row.initiator,
    requirement: requirement ?? null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    createdBy: row.created_by,
    requestHash: row.request_hash,
    velocity: row.velocity,
    decisions: mine.map((d) => ({
      approval: d.approval,
      decision: d.decision,
      principal: d.principal,
      at: d.approved_at,
    })),
    approvals: mine.filter((d) => d.decision === 'approve').map((d) => d.approval),
  };
};

async function decisionsOf(db: Queryable, ids: readonly string[]): Promise<DecisionRow[]> {
  if (ids.length === 0) return [];
  return db.query<DecisionRow>(
    `SELECT * FROM signature_approvals WHERE request_id = ANY($1::text[])
     ORDER BY approved_at, approver_key_id`,
    [ids],
  );
}

export interface NewSignatureRequest {
  readonly id: string;
  readonly orgId: string;
  readonly vaultId: string;
  readonly scheme: VaultScheme;
  readonly intent: Intent;
  readonly initiator: StoredInitiator;
  /** The moment the policy judges it at: nodes re-evaluate with the stored value. */
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly createdBy: string;
  readonly idempotencyKey: string | null;
  readonly requestHash: string;
}

/**
 * Inserts a request in `pending_policy`; with an idempotency key already used by the same
 * caller, inserts nothing and returns false (the caller returns the earlier request).
 */
export async function insertSignatureRequest(
  tx: Queryable,
  input: NewSignatureRequest,
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO signature_requests (id, org_id, vault_id, scheme, digest, status,
       policy_version, quorum, intent, initiator, decision, progress,
       expires_at, idempotency_key, request_hash, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'pending_policy', 1, NULL, $6::jsonb, $7::jsonb,
       $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $14)
     ON CONFLICT (org_id, created_by, idempotency_key) WHERE idempotency_key IS NOT NULL
     DO NOTHING RETURNING id`,
    [
      input.id,
      input.orgId,
      input.vaultId,
      input.scheme,
      input.intent.digests[0],
      JSON.stringify(input.intent),
      JSON.stringify(input.initiator),
      JSON.stringify({ outcome: 'require-approvals', ruleId: null, ruleName: null, reasons: [] }),
      JSON.stringify({ state: 'pending', stage: 0, missing: [] }),
      input.expiresAt,
      input.idempotencyKey,
      input.requestHash,
      input.createdBy,
      input.createdAt,
    ],
  );
  return rows.length > 0;
}

/** The request an idempotency key already created for this caller, if any. */
export async function findByIdempotencyKey(
  db: Queryable,
  orgId: string,
  createdBy: string,
  key: string,
): Promise<StoredRequest | null> {
  const rows = await db.query<RequestRow>(
    `SELECT * FROM signature_requests
     WHERE org_id = $1 AND created_by = $2 AND idempotency_key = $3`,
    [orgId, createdBy, key],
  );
  const row = rows[0];
  return row ? toStored(row, await decisionsOf(db, [row.id])) : null;
}

/** Records the policy's decision on a request still in `pending_policy`. */
export async function recordPolicyDecision(
  tx: Queryable,
  requestId: string,
  judged: {
    decision: PolicyDecision;
    quorum: number | null;
    progress: Progress;
    velocity: readonly VelocityRecord[];
  },
): Promise<void> {
  await tx.query(
    `UPDATE signature_requests SET policy_version = $2, decision = $3::jsonb, quorum = $4,
       progress = $5::jsonb, velocity = $6::jsonb, updated_at = now()
     WHERE id = $1 AND status = 'pending_policy'`,
    [
      requestId,
      judged.decision.policyVersion,
      JSON.stringify(judged.decision),
      judged.quorum,
      JSON.stringify(judged.progress),
      JSON.stringify(judged.velocity),
    ],
  );
}

export async function setProgress(tx: Queryable, requestId: string, progress: Progress) {
  await tx.query('UPDATE signature_requests SET progress = $2::jsonb WHERE id = $1', [
    requestId,
    JSON.stringify(progress),
  ]);
}

/**
 * One request of a vault in an organisation (null otherwise). `forUpdate` locks its row for
 * the caller's transaction (decisions arriving together are counted one after the other).
 */
export async function findSignatureRequest(
  db: Queryable,
  where: { orgId?: string; vaultId?: string; requestId: string },
  forUpdate = false,
): Promise<StoredRequest | null> {
  const rows = await db.query<RequestRow>(
    `SELECT * FROM signature_requests
     WHERE id = $1 AND ($2::text IS NULL OR org_id = $2) AND ($3::text IS NULL OR vault_id = $3)
     ${forUpdate ? 'FOR UPDATE' : ''}`,
    [where.requestId, where.orgId ?? null, where.vaultId ?? null],
  );
  const row = rows[0];
  return row ? toStored(row, await decisionsOf(db, [row.id])) : null;
}

export async function listSignatureRequests(
  db: Queryable,
  orgId: string,
  vaultId: string,
): Promise<SignatureRequest[]> {
  const rows = await db.query<RequestRow>(
    `SELECT * FROM signature_requests WHERE org_id = $1 AND vault_id = $2
     ORDER BY created_at DESC, id`,
    [orgId, vaultId],
  );
  const decisions = await decisionsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toStored(r, decisions).view);
}

export async function insertDecision(
  tx: Queryable,
  requestId: string,
  input: {
    approval: Approval;
    decision: 'approve' | 'reject';
    principal: string | null;
    submittedBy: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO signature_approvals (request_id, approver_key_id, scheme, approval, decision,
       principal, submitted_by)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
    [
      requestId,
      input.approval.approverKeyId,
      input.approval.scheme,
      JSON.stringify(input.approval),
      input.decision,
      input.principal,
      input.submittedBy,
    ],
  );
}

/**
 * Moves a request on; `from` guards against a concurrent change (false if it lost). The
 * change is recorded in the organisation's audit log: pass the transaction it belongs to.
 */
export async function setRequestStatus(
  tx: Queryable,
  requestId: string,
  from: RequestStatus | readonly RequestStatus[],
  to: RequestStatus,
  outcome: { result?: SignatureResult; failure?: Failure; actor?: AuditActor } = {},
): Promise<boolean> {
  const rows = await tx.query<{ org_id: string; previous: RequestStatus }>(
    `UPDATE signature_requests r SET status = $3, result = $4::jsonb,
       failure = $5::jsonb, updated_at = now()
     FROM (SELECT id, status AS previous FROM signature_requests WHERE id = $1) old
     WHERE r.id = old.id AND r.status = ANY($2::text[]) RETURNING r.org_id, old.previous`,
    [
      requestId,
      typeof from === 'string' ? [from] : from,
      to,
      outcome.result ? JSON.stringify(outcome.result) : null,
      outcome.failure ? JSON.stringify(outcome.failure) : null,
    ],
  );
  const row = rows[0];
  if (!row) return false;
  // A request that stopped waiting for approvals no longer waits for external approvers.
  if (to !== 'pending_approval') await cancelPendingCalls(tx, requestId);
  await appendAudit(tx, {
    chain: row.org_id,
    actor: outcome.actor ?? SYSTEM_ACTOR,
    action: `signature.${to.replaceAll('_', '-')}`,
    subject: requestId,
    details: {
      from: row.previous,
      ...(outcome.result
        ? { signers: [...outcome.result.signers], publicKey: outcome.result.publicKey }
        : {}),
      ...(outcome.failure
        ? { reason: outcome.failure.reason, culprits: [...outcome.failure.culprits] }
        : {}),
    },
  });
  return true;
}
