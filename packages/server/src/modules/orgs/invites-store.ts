/**
 * Invitations (the `invites` table): an owner or admin invites an email address with a role
 * (never owner); the token is shown once and stored only as its SHA-256; an invite expires
 * after INVITE_TTL_DAYS, is single use, bound to the invited email address, and revocable.
 * Redeeming one adds the membership with the invited role in the caller's transaction; the
 * row is locked so two redemptions of one token cannot both succeed. Every change is
 * recorded in the organisation's audit chain.
 */
import type { AuditActor, CreatedInvite, Invite, InviteRole, User } from '@coffer/protocol';
import { newId, newSecretToken, tokenHash } from '../../ids.js';
import { ServerError, conflict, notFound } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit } from '../audit/audit-store.js';
import { addMember, membershipRole } from './store.js';

export const INVITE_TTL_DAYS = 7;

interface InviteRow {
  id: string;
  org_id: string;
  email: string;
  role: InviteRole;
  created_by: string;
  created_at: Date;
  expires_at: Date;
}

const INVITE_COLUMNS = 'id, org_id, email, role, created_by, created_at, expires_at';

const toInvite = (row: InviteRow): Invite => ({
  id: row.id,
  orgId: row.org_id,
  email: row.email,
  role: row.role,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** Creates an invite; refuses one for an address that is already a member. */
export async function createInvite(
  tx: Queryable,
  input: { orgId: string; email: string; role: InviteRole; createdBy: string },
): Promise<CreatedInvite> {
  const members = await tx.query(
    `SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.org_id = $1 AND u.email = $2`,
    [input.orgId, input.email],
  );
  if (members.length > 0) throw conflict('this address is already a member of the organisation');
  const token = newSecretToken();
  const rows = await tx.query<InviteRow>(
    `INSERT INTO invites (id, org_id, email, role, token_hash, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7))
     RETURNING ${INVITE_COLUMNS}`,
    [
      newId('inv'),
      input.orgId,
      input.email,
      input.role,
      tokenHash(token),
      input.createdBy,
      INVITE_TTL_DAYS,
    ],
  );
  const invite = toInvite(rows[0]!);
  await appendAudit(tx, {
    chain: input.orgId,
    actor: { kind: 'user', id: input.createdBy },
    action: 'invite.created',
    subject: invite.id,
    details: { email: invite.email, role: invite.role, expiresAt: invite.expiresAt },
  });
  return { ...invite, token };
}

/** Invites that can still be accepted: not accepted, not revoked, not expired. */
export async function listPendingInvites(db: Queryable, orgId: string): Promise<Invite[]> {
  const rows = await db.query<InviteRow>(
    `SELECT ${INVITE_COLUMNS} FROM invites
     WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
     ORDER BY created_at, id`,
    [orgId],
  );
  return rows.map(toInvite);
}

/** Revokes an invite of `orgId`: NOT_FOUND if it is not one (or is revoked), CONFLICT if used. */
export async function revokeInvite(
  tx: Queryable,
  orgId: string,
  inviteId: string,
  actor: AuditActor,
): Promise<void> {
  const rows = await tx.query<{ accepted_at: Date | null; revoked_at: Date | null }>(
    'SELECT accepted_at, revoked_at FROM invites WHERE id = $1 AND org_id = $2 FOR UPDATE',
    [inviteId, orgId],
  );
  const invite = rows[0];
  if (!invite || invite.revoked_at !== null) throw notFound('invite');
  if (invite.accepted_at !== null) throw conflict('this invite was already used');
  await tx.query('UPDATE invites SET revoked_at = now() WHERE id = $1', [inviteId]);
  await appendAudit(tx, { chain: orgId, actor, action: 'invite.revoked', subject: inviteId });
}

/**
 * Locks the invite `token` names and checks it can be redeemed by `email` (not revoked, used
 * or expired; issued to that address). Registration calls it BEFORE creating the account, so
 * a caller without a valid invite never learns whether an address is registered (a taken
 * address would answer 409, a free one 404).
 */
export async function lockRedeemableInvite(tx: Queryable, token: string, email: string) {
  const rows = await tx.query<{
    id: string;
    org_id: string;
    email: string;
    role: InviteRole;
    expired: boolean;
    accepted_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT id, org_id, email, role, expires_at <= now() AS expired, accepted_at, revoked_at
     FROM invites WHERE token_hash = $1 FOR UPDATE`,
    [tokenHash(token)],
  );
  const invite = rows[0];
  if (!invite || invite.revoked_at !== null) throw notFound('invite');
  if (invite.accepted_at !== null) throw conflict('this invite was already used');
  if (invite.expired) throw conflict('this invite has expired');
  if (invite.email !== email) {
    throw new ServerError('FORBIDDEN', 'this invite was issued to another email address');
  }
  return invite;
}

/** Adds `user` to the invite's organisation with its role; returns the organisation id. */
export async function redeemInvite(tx: Queryable, token: string, user: User): Promise<string> {
  const invite = await lockRedeemableInvite(tx, token, user.email);
  if ((await membershipRole(tx, invite.org_id, user.id)) !== null) {
    throw conflict('you are already a member of this organisation');
  }
  await addMember(tx, invite.org_id, user.id, invite.role);
  await tx.query('UPDATE invites SET accepted_at = now(), accepted_by = $2 WHERE id = $1', [
    invite.id,
    user.id,
  ]);
  await appendAudit(tx, {
    chain: invite.org_id,
    actor: { kind: 'user', id: user.id },
    action: 'invite.accepted',
    subject: invite.id,
    details: { role: invite.role },
  });
  return invite.org_id;
}
