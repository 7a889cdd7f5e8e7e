/**
 * Signature requests and their approvals (tables `signature_requests`,
 * `signature_approvals`). An approval row holds the approval exactly as the nodes will verify
 * it (APPROVALS.md evidence format), stored only after the server verified it the same way.
 */
import type { Approval } from '@coffer/node';
import {
  approvalPayloadJson,
  type Failure,
  type SignatureRequest,
  type SignatureResult,
  type VaultScheme,
} from '@coffer/protocol';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-store.js';

interface RequestRow {
  id: string;
  org_id: string;
  vault_id: string;
  scheme: VaultScheme;
  digest: string;
  status: SignatureRequest['status'];
  policy_version: number;
  quorum: number;
  approval_payload: string;
  result: SignatureResult | null;
  failure: Failure | null;
  created_at: Date;
  updated_at: Date;
}

interface ApprovalRow {
  request_id: string;
  approver_key_id: string;
  scheme: Approval['scheme'];
  approval: Approval;
  approved_at: Date;
}

export interface StoredRequest {
  readonly view: SignatureRequest;
  /** The approvals as the nodes verify them, in the order they came. */
  readonly approvals: readonly Approval[];
}

const toStored = (row: RequestRow, approvals: readonly ApprovalRow[]): StoredRequest => {
  const mine = approvals.filter((a) => a.request_id === row.id);
  return {
    view: {
      id: row.id,
      orgId: row.org_id,
      vaultId: row.vault_id,
      scheme: row.scheme,
      digest: row.digest,
      status: row.status,
      policyVersion: row.policy_version,
      quorum: row.quorum,
      approvalPayload: row.approval_payload,
      challenge: Buffer.from(sha256(utf8ToBytes(row.approval_payload))).toString('base64url'),
      approvals: mine.map((a) => ({
        approverKeyId: a.approver_key_id,
        scheme: a.scheme,
        approvedAt: a.approved_at.toISOString(),
      })),
      result: row.result,
      failure: row.failure,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    },
    approvals: mine.map((a) => a.approval),
  };
};

async function approvalsOf(db: Queryable, ids: readonly string[]): Promise<ApprovalRow[]> {
  if (ids.length === 0) return [];
  return db.query<ApprovalRow>(
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
  readonly digest: string;
  readonly policyVersion: number;
  readonly quorum: number;
  readonly createdBy: string;
}

export async function insertSignatureRequest(
  tx: Queryable,
  input: NewSignatureRequest,
): Promise<void> {
  const payload = approvalPayloadJson({
    requestId: input.id,
    vaultId: input.vaultId,
    digests: [input.digest],
    policyVersion: input.policyVersion,
  });
  await tx.query(
    `INSERT INTO signature_requests (id, org_id, vault_id, scheme, digest, status,
       policy_version, quorum, approval_payload, created_by)
     VALUES ($1, $2, $3, $4, $5, 'pending_approval', $6, $7, $8, $9)`,
    [
      input.id,
      input.orgId,
      input.vaultId,
      input.scheme,
      input.digest,
      input.policyVersion,
      input.quorum,
      payload,
      input.createdBy,
    ],
  );
}

/**
 * One request of a vault in an organisation (null otherwise). `forUpdate` locks its row for
 * the caller's transaction (approvals arriving together are counted one after the other).
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
  return row ? toStored(row, await approvalsOf(db, [row.id])) : null;
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
  const approvals = await approvalsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toStored(r, approvals).view);
}

export async function insertApproval(
  tx: Queryable,
  requestId: string,
  approval: Approval,
  submittedBy: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO signature_approvals (request_id, approver_key_id, scheme, approval, submitted_by)
     VALUES ($1, $2, $3, $4::jsonb, $5)`,
    [requestId, approval.approverKeyId, approval.scheme, JSON.stringify(approval), submittedBy],
  );
}

/**
 * Moves a request on; `from` guards against a concurrent change (false if it lost). The
 * change is recorded in the organisation's audit log: pass the transaction it belongs to.
 */
export async function setRequestStatus(
  tx: Queryable,
  requestId: string,
  from: SignatureRequest['status'],
  to: SignatureRequest['status'],
  outcome: { result?: SignatureResult; failure?: Failure } = {},
): Promise<boolean> {
  const rows = await tx.query<{ org_id: string }>(
    `UPDATE signature_requests SET status = $3, result = $4::jsonb, failure = $5::jsonb,
       updated_at = now()
     WHERE id = $1 AND status = $2 RETURNING org_id`,
    [
      requestId,
      from,
      to,
      outcome.result ? JSON.stringify(outcome.result) : null,
      outcome.failure ? JSON.stringify(outcome.failure) : null,
    ],
  );
  const row = rows[0];
  if (!row) return false;
  await appendAudit(tx, {
    chain: row.org_id,
    actor: SYSTEM_ACTOR,
    action: `signature.${to.replaceAll('_', '-')}`,
    subject: requestId,
    details: {
      from,
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
