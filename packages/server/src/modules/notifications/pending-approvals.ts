/**
 * "Approvers are notified of what waits for them" (issue 6, item 9): the signature requests in
 * 'pending_approval' in the caller's organisations where the caller's role may approve
 * (owner, admin, approver — the roles the approvals route accepts) and the caller has not
 * submitted a decision yet, not expired, and not proposed by the caller (the initiator never
 * counts under a published policy). Each comes with what it still needs. An API key sees its
 * own organisation only.
 */
import type { PendingApproval } from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';
import { actorId, type Actor } from '../auth/actor.js';

export const APPROVER_ROLES = ['owner', 'admin', 'approver'] as const;

interface PendingRow {
  id: string;
  org_id: string;
  vault_id: string;
  scheme: string;
  digest: string;
  quorum: number | null;
  approvals: number;
  progress: { missing: string[] };
  created_at: Date;
  expires_at: Date;
}

export async function pendingApprovalsFor(db: Queryable, actor: Actor): Promise<PendingApproval[]> {
  const approverRoles: readonly string[] = APPROVER_ROLES;
  if (actor.kind === 'api-key' && !approverRoles.includes(actor.role)) return [];
  const orgFilter =
    actor.kind === 'api-key'
      ? { sql: 'r.org_id = $2', params: [actor.orgId] }
      : {
          sql: `r.org_id IN (SELECT m.org_id FROM memberships m
                 WHERE m.user_id = $2 AND m.role = ANY($3::text[]))`,
          params: [actor.user.id, [...APPROVER_ROLES]],
        };
  const rows = await db.query<PendingRow>(
    `SELECT r.id, r.org_id, r.vault_id, r.scheme, r.digest, r.quorum, r.created_at,
       r.expires_at, r.progress,
       (SELECT count(*)::integer FROM signature_approvals a WHERE a.request_id = r.id) AS approvals
     FROM signature_requests r
     WHERE r.status = 'pending_approval' AND r.expires_at > now() AND ${orgFilter.sql}
       AND r.created_by <> $1
       AND NOT EXISTS (SELECT 1 FROM signature_approvals a
                       WHERE a.request_id = r.id AND a.submitted_by = $1)
     ORDER BY r.created_at, r.id`,
    [actorId(actor), ...orgFilter.params],
  );
  return rows.map((row) => ({
    requestId: row.id,
    orgId: row.org_id,
    vaultId: row.vault_id,
    scheme: row.scheme,
    digest: row.digest,
    quorum: row.quorum,
    approvals: row.approvals,
    missing: row.progress.missing,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  }));
}
