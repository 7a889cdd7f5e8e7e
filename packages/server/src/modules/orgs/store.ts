/** Organisations and memberships (the `organisations` and `memberships` tables). */
import type { Membership, Organisation, Role } from '@coffer/protocol';
import { newId } from '../../ids.js';
import type { Queryable } from '../../store/database.js';

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
