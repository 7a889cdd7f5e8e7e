/**
 * The rules for changing who belongs to an organisation and with which role (issue 5,
 * "Organisations and roles"): owners and admins manage members; only an owner may make
 * someone an owner or change or remove an owner; anyone may leave; the last owner can never
 * be demoted, removed or leave (an organisation without an owner could never grant ownership
 * again). Each function runs in the caller's transaction, takes the organisation's row lock
 * first (store.ts `lockOrganisation`) so two concurrent changes cannot both pass the
 * last-owner check, and records the change in the organisation's audit chain. A member who is
 * removed, or loses the owner/admin role, loses the API keys they created in the organisation
 * too (revoked and audited in the same transaction): a key must not outlive its maker's authority.
 */
import type { Member, Role } from '@coffer/protocol';
import { conflict, forbidden, notFound } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { revokeApiKeysCreatedBy } from '../auth/api-keys-store.js';
import { ADMIN_ROLES, type OrgAccess } from './access.js';
import {
  countOwners,
  deleteMember,
  findMember,
  lockOrganisation,
  membershipRole,
  setMemberRole,
} from './store.js';

/**
 * Takes the organisation's lock, then re-reads the caller's role (it may have changed since
 * `requireOrgRole` read it, before the lock) and the target member.
 */
async function locked(
  tx: Queryable,
  access: OrgAccess,
  userId: string,
): Promise<{ callerRole: Role; member: Member }> {
  if (!(await lockOrganisation(tx, access.orgId))) throw notFound('organisation');
  const callerRole =
    access.actor.kind === 'session'
      ? await membershipRole(tx, access.orgId, access.actor.user.id)
      : access.role;
  if (callerRole === null) throw notFound('organisation');
  const member = await findMember(tx, access.orgId, userId);
  if (!member) throw notFound('member');
  return { callerRole, member };
}

function requireAdmin(role: Role, what: string) {
  if (!ADMIN_ROLES.includes(role)) {
    throw forbidden(`${what} needs one of the roles: ${ADMIN_ROLES.join(', ')} (you are ${role})`);
  }
}

const ONLY_OWNERS = 'only an owner may grant, change or remove the owner role';

export async function changeMemberRole(
  tx: Queryable,
  access: OrgAccess,
  userId: string,
  role: Role,
): Promise<Member> {
  requireAdmin(access.role, 'changing roles');
  const { callerRole, member } = await locked(tx, access, userId);
  requireAdmin(callerRole, 'changing roles');
  if ((member.role === 'owner' || role === 'owner') && callerRole !== 'owner') {
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
  if (!ADMIN_ROLES.includes(role)) {
    // The member may no longer manage API keys: the keys they made stop with their authority.
    await revokeApiKeysCreatedBy(
      tx,
      access.orgId,
      userId,
      auditActorOf(access.actor),
      'creator-demoted',
    );
  }
  return { ...member, role };
}

/** Removes a member, or lets the caller leave (`userId` is the caller's own id). */
export async function removeMember(
  tx: Queryable,
  access: OrgAccess,
  userId: string,
): Promise<void> {
  const leaving = access.actor.kind === 'session' && access.actor.user.id === userId;
  if (!leaving) requireAdmin(access.role, 'removing others');
  const { callerRole, member } = await locked(tx, access, userId);
  if (!leaving) requireAdmin(callerRole, 'removing others');
  if (member.role === 'owner' && !leaving && callerRole !== 'owner') throw forbidden(ONLY_OWNERS);
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
  await revokeApiKeysCreatedBy(
    tx,
    access.orgId,
    userId,
    auditActorOf(access.actor),
    'creator-removed',
  );
}
