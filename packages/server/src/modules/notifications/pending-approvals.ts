/**
 * "Approvers are notified of what waits for them" (issue 6, item 9): the signature requests in
 * 'pending_approval' in the caller's organisations where the caller's role may approve
 * (owner, admin, approver — the roles the approvals route accepts) and the caller has not
 * submitted a decision yet, not expired, and not proposed by the caller. Under a published
 * policy only requests whose open stage has a group the caller (for an API key: its creator)
 * belongs to, and that the caller did not initiate, are listed. Each comes with what it still
 * needs. An API key sees its own organisation only.
 */
import {
  membersFromDirectory,
  type ApprovalRequirement,
  type ApproverGroup,
  type PendingApproval,
  type PolicyDirectory,
  type ResolvedRequirementNode,
} from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';
import { actorId, type Actor } from '../auth/actor.js';
import { findPolicyVersion } from '../policy/store.js';

export const APPROVER_ROLES = ['owner', 'admin', 'approver'] as const;

interface PendingRow {
  id: string;
  org_id: string;
  vault_id: string;
  scheme: string;
  digest: string;
  quorum: number | null;
  approvals: number;
  progress: { missing: string[]; stage: number };
  policy_version: number;
  requirement: ApprovalRequirement | null;
  initiator_principal: string;
  created_at: Date;
  expires_at: Date;
}

/** The groups of a requirement tree. */
function groupsOf(node: ResolvedRequirementNode): ApproverGroup[] {
  if ('group' in node) return [node.group];
  return ('all' in node ? node.all : node.any).flatMap(groupsOf);
}

/** Whether `person` belongs to a group of the stage the request waits on. */
function waitsFor(
  row: PendingRow,
  person: string,
  directory: PolicyDirectory | undefined,
): boolean {
  if (row.policy_version === 1) return true;
  if (person === row.initiator_principal || !row.requirement || !directory) return false;
  const stage = row.requirement.stages[row.progress.stage];
  if (stage?.type !== 'approvers') return false;
  const membersOf = membersFromDirectory(directory.members);
  return groupsOf(stage.requirement).some((group) => new Set(membersOf(group)).has(person));
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
       r.expires_at, r.progress, r.policy_version, r.decision -> 'requirement' AS requirement,
       r.initiator ->> 'principal' AS initiator_principal,
       (SELECT count(*)::integer FROM signature_approvals a WHERE a.request_id = r.id) AS approvals
     FROM signature_requests r
     WHERE r.status = 'pending_approval' AND r.expires_at > now() AND ${orgFilter.sql}
       AND r.created_by <> $1
       AND NOT EXISTS (SELECT 1 FROM signature_approvals a
                       WHERE a.request_id = r.id AND a.submitted_by = $1)
     ORDER BY r.created_at, r.id`,
    [actorId(actor), ...orgFilter.params],
  );
  const person = actor.kind === 'api-key' ? actor.createdBy : actor.user.id;
  const directories = new Map<string, PolicyDirectory | undefined>();
  const waiting: PendingRow[] = [];
  for (const row of rows) {
    const key = `${row.org_id}/${row.policy_version}`;
    if (row.policy_version !== 1 && !directories.has(key)) {
      const version = await findPolicyVersion(db, row.org_id, row.policy_version);
      directories.set(key, version?.document.directory);
    }
    if (waitsFor(row, person, directories.get(key))) waiting.push(row);
  }
  return waiting.map((row) => ({
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
