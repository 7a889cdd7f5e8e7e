/**
 * Organisations and memberships (the `organisations` and `memberships` tables). Changes to
 * who is a member, and with which role, run inside a transaction that first takes
 * `lockOrganisation`, so rules that look at several rows ("the last owner stays") hold under
 * concurrent requests and server replicas.
 */
import type { Member, Membership, Organisation, Role } from '@coffer/protocol';
import { newId } from '../../ids.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit } from '../audit/audit-store.js';

interface OrgRow {
  id: string;
  name: string;
  created_at: Date;
}

const toOrganisation = (row: OrgRow): Organisation => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
});

/** Creates an organisation with `ownerId` as its owner. */
export async function createOrganisation(
  tx: Queryable,
  name: string,
  ownerId: string,
): Promise<Organisation> {
  const rows = await tx.query<OrgRow>(
    'INSERT INTO organisations (id, name) VALUES ($1, $2) RETURNING id, name, created_at',
    [newId('org'), name],
  );
  const org = toOrganisation(rows[0]!);
  await addMember(tx, org.id, ownerId, 'owner');
  await appendAudit(tx, {
    chain: org.id,
    actor: { kind: 'user', id: ownerId },
    action: 'organisation.created',
    subject: org.id,
    details: { name: org.name, owner: ownerId },
  });
  return org;
}

export async function addMember(tx: Queryable, orgId: string, userId: string, role: Role) {
  await tx.query('INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)', [
    orgId,
    userId,
    role,
  ]);
}

export async function findOrganisation(db: Queryable, orgId: string): Promise<Organisation | null> {
  const rows = await db.query<OrgRow>(
    'SELECT id, name, created_at FROM organisations WHERE id = $1',
    [orgId],
  );
  return rows[0] ? toOrganisation(rows[0]) : null;
}

export async function membershipRole(
  db: Queryable,
  orgId: string,
  userId: string,
): Promise<Role | null> {
  const rows = await db.query<{ role: Role }>(
    'SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2',
    [orgId, userId],
  );
  return rows[0]?.role ?? null;
}

export async function listMemberships(db: Queryable, userId: string): Promise<Membership[]> {
  const rows = await db.query<OrgRow & { role: Role }>(
    `SELECT o.id, o.name, o.created_at, m.role FROM memberships m
     JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.created_at, o.id`,
    [userId],
  );
  return rows.map((row) => ({ organisation: toOrganisation(row), role: row.role }));
}

/** Renames an organisation; null if it does not exist. */
export async function renameOrganisation(
  tx: Queryable,
  orgId: string,
  name: string,
): Promise<Organisation | null> {
  const rows = await tx.query<OrgRow>(
    'UPDATE organisations SET name = $2 WHERE id = $1 RETURNING id, name, created_at',
    [orgId, name],
  );
  return rows[0] ? toOrganisation(rows[0]) : null;
}

/**
 * Row-locks the organisation until the transaction ends: membership changes of one
 * organisation take turns (the last-owner rule reads every owner row). False if it is gone.
 */
export async function lockOrganisation(tx: Queryable, orgId: string): Promise<boolean> {
  const rows = await tx.query('SELECT id FROM organisations WHERE id = $1 FOR UPDATE', [orgId]);
  return rows.length === 1;
}

export async function countOwners(tx: Queryable, orgId: string): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND role = 'owner'",
    [orgId],
  );
  return rows[0]?.n ?? 0;
}

interface MemberRow {
  user_id: string;
  email: string;
  display_name: string;
  role: Role;
  created_at: Date;
}

const MEMBER_SELECT = `SELECT m.user_id, u.email, u.display_name, m.role, m.created_at
  FROM memberships m JOIN users u ON u.id = m.user_id`;

const toMember = (row: MemberRow): Member => ({
  user: { id: row.user_id, email: row.email, displayName: row.display_name },
  role: row.role,
  joinedAt: row.created_at.toISOString(),
});

export async function listMembers(db: Queryable, orgId: string): Promise<Member[]> {
  const rows = await db.query<MemberRow>(
    `${MEMBER_SELECT} WHERE m.org_id = $1 ORDER BY m.created_at, m.user_id`,
    [orgId],
  );
  return rows.map(toMember);
}

export async function findMember(db: Queryable, orgId: string, userId: string) {
  const rows = await db.query<MemberRow>(
    `${MEMBER_SELECT} WHERE m.org_id = $1 AND m.user_id = $2`,
    [orgId, userId],
  );
  return rows[0] ? toMember(rows[0]) : null;
}

export async function setMemberRole(tx: Queryable, orgId: string, userId: string, role: Role) {
  await tx.query('UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2', [
    orgId,
    userId,
    role,
  ]);
}

export async function deleteMember(tx: Queryable, orgId: string, userId: string) {
  await tx.query('DELETE FROM memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId]);
}
