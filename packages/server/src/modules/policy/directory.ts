/**
 * The directory a published policy version carries (protocol policy/published.ts): who holds
 * which role, every member's approval keys with the person they belong to, and the external
 * approvers' answer keys — a snapshot taken when the version is proposed, so the signing nodes
 * count approvals from signed data instead of asking the server who is who.
 */
import { ROLES, type PolicyDirectory } from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';
import { externalApproverKeys } from '../external-approvers/store.js';
import { approvalKeys } from './approval-keys.js';

export async function policyDirectory(
  db: Queryable,
  orgId: string,
  origin: string,
): Promise<PolicyDirectory> {
  const members = await db.query<{ user_id: string; role: PolicyDirectory['members'][0]['role'] }>(
    'SELECT user_id, role FROM memberships WHERE org_id = $1 ORDER BY user_id',
    [orgId],
  );
  const ids = new Set(members.map((m) => m.user_id));
  const approvers = await approvalKeys(db, orgId, origin, ROLES);
  return {
    members: members.map((m) => ({ id: m.user_id, role: m.role })),
    approvers: approvers.filter((a) => a.principal !== undefined && ids.has(a.principal)),
    externalApprovers: await externalApproverKeys(db, orgId),
  };
}
