/**
 * The rules for changing who belongs to an organisation and with which role (issue 5,
 * "Organisations and roles"): owners and admins manage members; only an owner may make
 * someone an owner or change or remove an owner; anyone may leave; the last owner can never
 * be demoted, removed or leave (an organisation without an owner could never grant ownership
 * again). Each function runs in the caller's transaction, takes the organisation's row lock
 * first (store.ts `lockOrganisation`) so two concurrent changes cannot both pass the
 * last-owner check, and records the change in the organisation's audit chain.
 */
import type { Member, Role } from '@coffer/protocol';
import { conflict, forbidden, notFound } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { ADMIN_ROLES, type OrgAccess } from './access.js';
import { countOwners, deleteMember, findMember, lockOrganisation, setMemberRole } from './store.js';

async function lockedMember(tx: Queryable, orgId: string, userId: string): Promise<Member> {
  if (!(await lockOrganisation(tx, orgId))) throw notFound('organisation');
  const member = await findMember(tx, orgId, userId);
  if (!member) throw notFound('member');
  return member;
}

const ONLY_OWNERS = 'only an owner may grant, change or remove the owner role';

export async function changeMemberRole(
  tx: Queryable,
  access: OrgAccess,
  userId: string,
  role: Role,
): Promise<Member> {
  if (!ADMIN_ROLES.includes(access.role)) {
    throw forbidden(`this needs one of the roles: ${ADMIN_ROLES.join(', ')}`);
  }
  const member = await lockedMember(tx, access.orgId, userId);
  if ((member.role === 'owner' || role === 'owner') && access.role !== 'owner') {
    throw forbidden(ONLY_OWNERS);
  }
  if (member.role === role) return member;
  if (member.role === 'owner' && (await countOwners(tx, access.orgId)) === 1) {
    throw conflict('the last owner cannot be demoted: make another member an owner first');
  }
  await setMemberRole(tx, access.orgId, userId, role);
  await appendAudit(tx, {
    chain: access.orgId,
    actor: auditActorOf(access.actor),
    action: 'member.role-changed',
    subject: userId,
    details: { from: member.role, to: role },
  });
  return { ...member, role };
}

/** Removes a member, or lets the caller leave (`userId` is the caller's own id). */
export async function removeMember(
  tx: Queryable,
  access: OrgAccess,
  userId: string,
): Promise<void> {
  const leaving = access.actor.kind === 'session' && access.actor.user.id === userId;
  if (!leaving && !ADMIN_ROLES.includes(access.role)) {
    throw forbidden(`removing others needs one of the roles: ${ADMIN_ROLES.join(', ')}`);
  }
  const member = await lockedMember(tx, access.orgId, userId);
  if (member.role === 'owner' && !leaving && access.role !== 'owner') throw forbidden(ONLY_OWNERS);
  if (member.role === 'owner' && (await countOwners(tx, access.orgId)) === 1) {
    throw conflict('the last owner cannot leave or be removed: make another member an owner first');
  }
  await deleteMember(tx, access.orgId, userId);
  await appendAudit(tx, {
    chain: access.orgId,
    actor: auditActorOf(access.actor),
    action: leaving ? 'member.left' : 'member.removed',
    subject: userId,
    details: { role: member.role },
  });
}
