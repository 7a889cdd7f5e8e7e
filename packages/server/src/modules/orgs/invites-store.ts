/**
 * Invitations: single-use, expiring, bound to the invited email address. Redeeming one adds
 * the membership with the invited role in the caller's transaction; the row is locked so two
 * redemptions of one token cannot both succeed.
 */
import type { User } from '@coffer/protocol';
import { tokenHash } from '../../ids.js';
import { ServerError } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { addMember, membershipRole } from './store.js';
import type { Role } from '@coffer/protocol';

export async function redeemInvite(tx: Queryable, token: string, user: User): Promise<string> {
  const rows = await tx.query<{
    id: string;
    org_id: string;
    email: string;
    role: Role;
    expired: boolean;
    accepted_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT id, org_id, email, role, expires_at <= now() AS expired, accepted_at, revoked_at
     FROM invites WHERE token_hash = $1 FOR UPDATE`,
    [tokenHash(token)],
  );
  const invite = rows[0];
  if (!invite || invite.revoked_at !== null) throw new ServerError('NOT_FOUND', 'invite not found');
  if (invite.accepted_at !== null)
    throw new ServerError('CONFLICT', 'this invite was already used');
  if (invite.expired) throw new ServerError('CONFLICT', 'this invite has expired');
  if (invite.email !== user.email) {
    throw new ServerError('FORBIDDEN', 'this invite was issued to another email address');
  }
  if ((await membershipRole(tx, invite.org_id, user.id)) !== null) {
    throw new ServerError('CONFLICT', 'you are already a member of this organisation');
  }
  await addMember(tx, invite.org_id, user.id, invite.role);
  await tx.query('UPDATE invites SET accepted_at = now(), accepted_by = $2 WHERE id = $1', [
    invite.id,
    user.id,
  ]);
  return invite.org_id;
}
