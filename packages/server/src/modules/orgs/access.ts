/**
 * Organisation access control: every org-scoped route calls `requireOrgRole` with the roles
 * it allows. A caller who is not a member gets NOT_FOUND — the organisation's existence is
 * not revealed — and a member without an allowed role gets FORBIDDEN naming the roles.
 * API keys act only inside their own organisation, with their one role.
 */
import type { Role } from '@coffer/protocol';
import type { FastifyRequest } from 'fastify';
import { forbidden, notFound } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { requireActor, type Actor } from '../auth/actor.js';
import { membershipRole } from './store.js';

export const EVERY_ROLE: readonly Role[] = [
  'owner',
  'admin',
  'approver',
  'initiator',
  'viewer',
  'auditor',
];
export const ADMIN_ROLES: readonly Role[] = ['owner', 'admin'];

export interface OrgAccess {
  readonly actor: Actor;
  readonly orgId: string;
  readonly role: Role;
}

export async function requireOrgRole(
  db: Queryable,
  request: FastifyRequest,
  orgId: string,
  allowed: readonly Role[],
): Promise<OrgAccess> {
  const actor = requireActor(request);
  const role =
    actor.kind === 'api-key'
      ? actor.orgId === orgId
        ? actor.role
        : null
      : await membershipRole(db, orgId, actor.user.id);
  if (role === null) throw notFound('organisation');
  if (!allowed.includes(role)) {
    throw forbidden(`this needs one of the roles: ${allowed.join(', ')} (you are ${role})`);
  }
  return { actor, orgId, role };
}
