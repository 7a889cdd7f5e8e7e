/**
 * Test support for the nodes, vaults and signing API tests: signing-node identities made in
 * memory (the shape `coffer node identity` prints, with the keys to connect to the relay as
 * that node), an admin API key with an Ed25519 approval key inserted straight into the store
 * (its secret and approval key returned), and enrolment of nodes through the API.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { nodeIdOf, type LocalNode } from '@coffer/node';
import type { NodePublicIdentity } from '@coffer/protocol';
import { newId, newSecretToken, tokenHash } from '../../src/ids.js';
import type { Database } from '../../src/store/database.js';
import type { TestClient } from './test-app.js';

export interface TestNodeIdentity {
  readonly local: LocalNode;
  readonly identity: NodePublicIdentity;
}

export function testNodeIdentity(): TestNodeIdentity {
  const signing = ed25519.keygen();
  const encryption = x25519.keygen();
  const nodeId = nodeIdOf(signing.publicKey, encryption.publicKey);
  return {
    local: {
      identity: {
        nodeId,
        signingPublicKey: signing.publicKey,
        encryptionPublicKey: encryption.publicKey,
      },
      signer: {
        sign: (bytes) => ed25519.sign(bytes, signing.secretKey),
        x25519SharedSecret: (peer) => x25519.getSharedSecret(encryption.secretKey, peer),
      },
    },
    identity: {
      nodeId,
      signingKey: bytesToHex(signing.publicKey),
      encryptionKey: bytesToHex(encryption.publicKey),
    },
  };
}

export interface ApprovalApiKey {
  readonly id: string;
  readonly secret: string;
  /** The Ed25519 approval secret key (the API client keeps it; the server has the public half). */
  readonly approvalSecretKey: Uint8Array;
}

/** An API key of `role` in `orgId` with an Ed25519 approval key. */
export async function insertApprovalApiKey(
  db: Database,
  input: { orgId: string; createdBy: string; role?: 'admin' | 'approver' | 'initiator' },
): Promise<ApprovalApiKey> {
  const id = newId('key');
  const secret = newSecretToken();
  const approval = ed25519.keygen();
  await db.query(
    `INSERT INTO api_keys (id, org_id, name, role, secret_hash, approval_public_key, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      input.orgId,
      `approver ${id}`,
      input.role ?? 'admin',
      tokenHash(secret),
      bytesToHex(approval.publicKey),
      input.createdBy,
    ],
  );
  return { id, secret, approvalSecretKey: approval.secretKey };
}

/** Enrols `count` new identities in `orgId` through the API; returns them. */
export async function enrolTestNodes(
  client: TestClient,
  orgId: string,
  count: number,
): Promise<TestNodeIdentity[]> {
  const nodes = Array.from({ length: count }, testNodeIdentity);
  for (const [i, node] of nodes.entries()) {
    const response = await client.post(`/v1/orgs/${orgId}/nodes`, {
      name: `node-${i + 1}`,
      identity: node.identity,
    });
    if (response.statusCode !== 201) throw new Error(`enrol failed: ${response.body}`);
  }
  return nodes;
}
