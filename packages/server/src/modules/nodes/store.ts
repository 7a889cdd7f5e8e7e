/**
 * Enrolled signing nodes (table `signing_nodes`, per organisation) and their last contact
 * (table `node_contacts`, per node: a node serving two organisations is one connection).
 */
import type { NodePublicIdentity } from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';

export interface NodeRecord {
  readonly orgId: string;
  readonly nodeId: string;
  readonly name: string;
  readonly identity: NodePublicIdentity;
  readonly enrolledAt: Date;
  readonly lastContactAt: Date | null;
  /** The monitor's judgement (monitor.ts). */
  readonly health: 'healthy' | 'unhealthy';
  readonly healthReason: string | null;
  readonly healthChangedAt: Date | null;
}

interface NodeRow {
  org_id: string;
  node_id: string;
  name: string;
  signing_public_key: string;
  encryption_public_key: string;
  enrolled_at: Date;
  last_contact_at: Date | null;
  health: 'healthy' | 'unhealthy';
  health_reason: string | null;
  health_changed_at: Date | null;
}

const SELECT = `SELECT n.org_id, n.node_id, n.name, n.signing_public_key, n.encryption_public_key,
  n.enrolled_at, c.last_contact_at, n.health, n.health_reason, n.health_changed_at
  FROM signing_nodes n LEFT JOIN node_contacts c ON c.node_id = n.node_id`;

const toRecord = (row: NodeRow): NodeRecord => ({
  orgId: row.org_id,
  nodeId: row.node_id,
  name: row.name,
  identity: {
    nodeId: row.node_id,
    signingKey: row.signing_public_key,
    encryptionKey: row.encryption_public_key,
  },
  enrolledAt: row.enrolled_at,
  lastContactAt: row.last_contact_at,
  health: row.health,
  healthReason: row.health_reason,
  healthChangedAt: row.health_changed_at,
});

/** Inserts the enrolment; false when the node is enrolled in the organisation already. */
export async function insertNode(
  tx: Queryable,
  orgId: string,
  name: string,
  identity: NodePublicIdentity,
  enrolledBy: string,
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO signing_nodes (org_id, node_id, name, signing_public_key,
       encryption_public_key, enrolled_by)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, node_id) DO NOTHING RETURNING node_id`,
    [orgId, identity.nodeId, name, identity.signingKey, identity.encryptionKey, enrolledBy],
  );
  return rows.length === 1;
}

export async function listNodes(db: Queryable, orgId: string): Promise<NodeRecord[]> {
  const rows = await db.query<NodeRow>(`${SELECT} WHERE n.org_id = $1 ORDER BY n.enrolled_at`, [
    orgId,
  ]);
  return rows.map(toRecord);
}

export async function findNode(
  db: Queryable,
  orgId: string,
  nodeId: string,
): Promise<NodeRecord | null> {
  const rows = await db.query<NodeRow>(`${SELECT} WHERE n.org_id = $1 AND n.node_id = $2`, [
    orgId,
    nodeId,
  ]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Deletes the enrolment; returns whether another organisation still enrols the node. */
export async function deleteNode(
  tx: Queryable,
  orgId: string,
  nodeId: string,
): Promise<{ stillEnrolledElsewhere: boolean }> {
  await tx.query('DELETE FROM signing_nodes WHERE org_id = $1 AND node_id = $2', [orgId, nodeId]);
  const rest = await tx.query('SELECT 1 FROM signing_nodes WHERE node_id = $1 LIMIT 1', [nodeId]);
  return { stillEnrolledElsewhere: rest.length > 0 };
}

/** Names of this organisation's vaults (not failed) whose parties include `nodeId`. */
export async function vaultsUsingNode(
  db: Queryable,
  orgId: string,
  nodeId: string,
): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM vaults
     WHERE org_id = $1 AND status <> 'failed'
       AND EXISTS (SELECT 1 FROM jsonb_each_text(parties) p WHERE p.value = $2)
     ORDER BY created_at`,
    [orgId, nodeId],
  );
  return rows.map((r) => r.name);
}
