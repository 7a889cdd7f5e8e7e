/**
 * The server's coordinator identity: an Ed25519 signing key (RFC 8032) and an X25519
 * encryption key (RFC 7748), the same shape as a signing node's, with the node id derived
 * from both (`nodeIdOf`). Generated on first start and kept in the database's single-row
 * `coordinator_identity` table, so every replica signs commands as the same coordinator —
 * the identity node operators configure as `enrolment.coordinator`. Concurrent first starts
 * are safe: the insert is `ON CONFLICT DO NOTHING` and everyone reads the row that won.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { nodeIdOf, type LocalNode, type PublicIdentity } from '@coffer/node';
import type { Queryable } from '../../store/database.js';

export interface CoordinatorIdentity {
  readonly local: LocalNode;
  readonly publicIdentity: PublicIdentity;
}

interface IdentityRow {
  node_id: string;
  signing_public_key: string;
  encryption_public_key: string;
  signing_secret_key: string;
  encryption_secret_key: string;
}

export async function loadOrCreateCoordinatorIdentity(db: Queryable): Promise<CoordinatorIdentity> {
  const signing = ed25519.keygen();
  const encryption = x25519.keygen();
  await db.query(
    `INSERT INTO coordinator_identity (singleton, node_id, signing_public_key,
       encryption_public_key, signing_secret_key, encryption_secret_key)
     VALUES (true, $1, $2, $3, $4, $5) ON CONFLICT (singleton) DO NOTHING`,
    [
      nodeIdOf(signing.publicKey, encryption.publicKey),
      bytesToHex(signing.publicKey),
      bytesToHex(encryption.publicKey),
      bytesToHex(signing.secretKey),
      bytesToHex(encryption.secretKey),
    ],
  );
  const row = (await db.query<IdentityRow>('SELECT * FROM coordinator_identity'))[0];
  if (!row) throw new Error('coordinator identity missing after insert');
  return identityFromRow(row);
}

function identityFromRow(row: IdentityRow): CoordinatorIdentity {
  const signingSecret = hexToBytes(row.signing_secret_key);
  const encryptionSecret = hexToBytes(row.encryption_secret_key);
  const signingPublicKey = hexToBytes(row.signing_public_key);
  const encryptionPublicKey = hexToBytes(row.encryption_public_key);
  if (nodeIdOf(signingPublicKey, encryptionPublicKey) !== row.node_id) {
    throw new Error('coordinator identity row is inconsistent');
  }
  return {
    local: {
      identity: { nodeId: row.node_id, signingPublicKey, encryptionPublicKey },
      signer: {
        sign: (bytes) => ed25519.sign(bytes, signingSecret),
        x25519SharedSecret: (peer) => x25519.getSharedSecret(encryptionSecret, peer),
      },
    },
    publicIdentity: {
      nodeId: row.node_id,
      signingKey: row.signing_public_key,
      encryptionKey: row.encryption_public_key,
    },
  };
}
