/**
 * What the coordinator reads and writes about enrolled nodes: the identities of every node
 * enrolled in any organisation (the relay's allow-list; a node serving two organisations is
 * one identity) and the time of each node's last connect or disconnect.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import type { PeerIdentity } from '@coffer/node';
import type { Queryable } from '../../store/database.js';

export async function enrolledIdentities(db: Queryable): Promise<PeerIdentity[]> {
  const rows = await db.query<{
    node_id: string;
    signing_public_key: string;
    encryption_public_key: string;
  }>(
    `SELECT DISTINCT node_id, signing_public_key, encryption_public_key FROM signing_nodes
     ORDER BY node_id`,
  );
  return rows.map((r) => ({
    nodeId: r.node_id,
    signingPublicKey: hexToBytes(r.signing_public_key),
    encryptionPublicKey: hexToBytes(r.encryption_public_key),
  }));
}

/** Records a node connecting to or disconnecting from this replica's relay. */
export async function recordNodeContact(
  db: Queryable,
  nodeId: string,
  connected: boolean,
): Promise<void> {
  await db.query(
    `INSERT INTO node_contacts (node_id, last_contact_at, connected) VALUES ($1, now(), $2)
     ON CONFLICT (node_id) DO UPDATE SET last_contact_at = now(), connected = $2`,
    [nodeId, connected],
  );
}
