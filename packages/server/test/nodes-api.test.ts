/**
 * Signing-node routes (issue 5, item 5) over app.inject with a real coordinator and relay on
 * a loopback port: the coordinator's public identity; enrolment checked against the identity's
 * own derivation; connection status and last contact as a node really connects to the relay
 * (WsRelayClient with the node's key); removal closing the node's connection, refused while a
 * vault uses the node unless forced; and every 4xx (validation, 401, 403, 404, 409).
 */
import { WsRelayClient, nodeIdOf } from '@coffer/node';
import type { CoordinatorInfo, SigningNodeInfo } from '@coffer/protocol';
import { bytesToHex } from '@noble/hashes/utils.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coordinator } from '../src/modules/coordinator/coordinator.js';
import { insertVault } from '../src/modules/vaults/store.js';
import { testNodeIdentity, type TestNodeIdentity } from './support/node-identities.js';
import {
  bootstrapOwner,
  createTestApp,
  register,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

const silent = pino({ level: 'silent' });
let t: TestApp;
let coordinator: Coordinator;
let owner: TestClient;
let orgId: string;

beforeAll(async () => {
  t = await createTestApp({ registration: 'open' }, undefined, async (db) => {
    coordinator = await Coordinator.start({ db, host: '127.0.0.1', port: 0, logger: silent });
    return { coordinator };
  });
  ({ owner, orgId } = await bootstrapOwner(t.app));
});
afterAll(async () => {
  await coordinator.close();
  await t.close();
});

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function connect(node: TestNodeIdentity, info: CoordinatorInfo): WsRelayClient {
  return new WsRelayClient({
    url: info.relayUrl,
    serverId: info.serverId,
    node: node.local,
    logger: silent,
    backoff: { initialMs: 20, maxMs: 100 },
  });
}

const statusOf = async (nodeId: string) =>
  (await owner.get(`/v1/orgs/${orgId}/nodes/${nodeId}`)).json<SigningNodeInfo>();

describe('coordinator', () => {
  it('publishes its identity, relay URL and server id without authentication', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/coordinator' });
    expect(response.statusCode).toBe(200);
    const info = response.json<CoordinatorInfo>();
    expect(info.relayUrl).toBe(coordinator.relay.url);
    expect(info.serverId).toBe(`coffer-${info.nodeId}`);
    const derived = nodeIdOf(
      Buffer.from(info.signingKey, 'hex'),
      Buffer.from(info.encryptionKey, 'hex'),
    );
    expect(derived).toBe(info.nodeId);
  });

  it('keeps one identity in the database across restarts', async () => {
    const again = await Coordinator.start({ db: t.db, host: '127.0.0.1', port: 0, logger: silent });
    expect(again.identity.publicIdentity).toEqual(coordinator.identity.publicIdentity);
    await again.close();
  });
});

describe('nodes', () => {
  it('enrols a node, shows it connecting and disconnecting, and removes it', async () => {
    const node = testNodeIdentity();
    const enrolled = await owner.post(`/v1/orgs/${orgId}/nodes`, {
      name: 'vault-node-a',
      identity: node.identity,
    });
    expect(enrolled.statusCode).toBe(201);
    expect(enrolled.json()).toMatchObject({
      nodeId: node.identity.nodeId,
      orgId,
      name: 'vault-node-a',
      identity: node.identity,
      status: 'disconnected',
      lastContactAt: null,
    });

    const info = (await t.app.inject({ method: 'GET', url: '/v1/coordinator' })).json();
    const client = connect(node, info);
    try {
      await client.ready(5_000);
      await waitFor(
        async () => (await statusOf(node.identity.nodeId)).status === 'connected',
        'connected',
      );
      const connected = await statusOf(node.identity.nodeId);
      expect(connected.lastContactAt).not.toBeNull();
      const list = await owner.get(`/v1/orgs/${orgId}/nodes`);
      expect(list.json().nodes.map((n: SigningNodeInfo) => n.nodeId)).toContain(
        node.identity.nodeId,
      );

      const removed = await owner.delete(`/v1/orgs/${orgId}/nodes/${node.identity.nodeId}`);
      expect(removed.statusCode).toBe(200);
      await waitFor(() => Promise.resolve(client.status !== 'ready'), 'connection closed');
      expect(coordinator.relay.isEnrolled(node.identity.nodeId)).toBe(false);
      expect((await owner.get(`/v1/orgs/${orgId}/nodes/${node.identity.nodeId}`)).statusCode).toBe(
        404,
      );
    } finally {
      await client.close();
    }
  });

  it('follows enrolments made by another replica when it re-reads the allow-list', async () => {
    const node = testNodeIdentity();
    await t.db.query(
      `INSERT INTO signing_nodes (org_id, node_id, name, signing_public_key,
         encryption_public_key, enrolled_by) VALUES ($1, $2, 'elsewhere', $3, $4, $5)`,
      [
        orgId,
        node.identity.nodeId,
        node.identity.signingKey,
        node.identity.encryptionKey,
        owner.userId,
      ],
    );
    expect(coordinator.relay.isEnrolled(node.identity.nodeId)).toBe(false);
    await coordinator.sync();
    expect(coordinator.relay.isEnrolled(node.identity.nodeId)).toBe(true);
    await t.db.query('DELETE FROM signing_nodes WHERE node_id = $1', [node.identity.nodeId]);
    await coordinator.sync();
    expect(coordinator.relay.isEnrolled(node.identity.nodeId)).toBe(false);
  });

  it('refuses an identity whose node id is not derived from its keys', async () => {
    const node = testNodeIdentity();
    const other = testNodeIdentity();
    const response = await owner.post(`/v1/orgs/${orgId}/nodes`, {
      name: 'forged',
      identity: { ...node.identity, nodeId: other.identity.nodeId },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'body.identity.nodeId', message: expect.stringContaining('does not match') },
      ],
    });
  });

  it('refuses malformed bodies naming the field', async () => {
    const node = testNodeIdentity();
    const cases: [unknown, string][] = [
      [{ identity: node.identity }, 'body.name'],
      [{ name: 'x', identity: { ...node.identity, signingKey: 'zz' } }, 'body.identity.signingKey'],
      [{ name: 'x', identity: { ...node.identity, extra: 1 } }, 'body.identity'],
      [{ name: 'x', identity: { ...node.identity, nodeId: 'node-1' } }, 'body.identity.nodeId'],
    ];
    for (const [payload, path] of cases) {
      const response = await owner.post(`/v1/orgs/${orgId}/nodes`, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
      expect(response.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    const notAPoint = { ...node.identity, signingKey: bytesToHex(new Uint8Array(32).fill(0xff)) };
    const bad = await owner.post(`/v1/orgs/${orgId}/nodes`, { name: 'x', identity: notAPoint });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 409 for a node enrolled twice in the organisation', async () => {
    const node = testNodeIdentity();
    const body = { name: 'twice', identity: node.identity };
    expect((await owner.post(`/v1/orgs/${orgId}/nodes`, body)).statusCode).toBe(201);
    const again = await owner.post(`/v1/orgs/${orgId}/nodes`, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
  });

  it('refuses to remove a node a vault uses, unless forced', async () => {
    const node = testNodeIdentity();
    await owner.post(`/v1/orgs/${orgId}/nodes`, { name: 'in-use', identity: node.identity });
    await t.db.transaction((tx) =>
      insertVault(tx, {
        id: `vlt_${'a'.repeat(32)}`,
        orgId,
        name: 'Treasury',
        structure: '2of2',
        parties: { p1: node.identity.nodeId, p2: testNodeIdentity().identity.nodeId },
        schemes: ['frost-ed25519'],
        genesis: {
          v: 1,
          vaultId: `vlt_${'a'.repeat(32)}`,
          orgId,
          policy: {
            version: 1,
            vaultId: `vlt_${'a'.repeat(32)}`,
            policyVersion: 1,
            quorum: 1,
            approvers: [],
          },
        },
        genesisHash: '00'.repeat(32),
        createdBy: owner.userId,
      }),
    );
    const url = `/v1/orgs/${orgId}/nodes/${node.identity.nodeId}`;
    const refused = await owner.delete(url);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('"Treasury"');
    expect((await owner.delete(`${url}?force=true`)).statusCode).toBe(200);
    expect((await owner.get(url)).statusCode).toBe(404);
  });

  it('answers 401 without a session, 403 to a viewer changing nodes, 404 to another organisation', async () => {
    const node = testNodeIdentity();
    const body = { name: 'n', identity: node.identity };
    const anonymous = await t.app.inject({ method: 'GET', url: `/v1/orgs/${orgId}/nodes` });
    expect(anonymous.statusCode).toBe(401);

    const viewer = await register(t.app, 'viewer-nodes@example.org');
    await t.db.query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'viewer')`, [
      orgId,
      viewer.userId,
    ]);
    expect((await viewer.get(`/v1/orgs/${orgId}/nodes`)).statusCode).toBe(200);
    const forbidden = await viewer.post(`/v1/orgs/${orgId}/nodes`, body);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('FORBIDDEN');

    const stranger = await register(t.app, 'stranger-nodes@example.org');
    const strangerOrg = (await stranger.post('/v1/orgs', { name: 'Elsewhere' })).json().id;
    expect((await stranger.get(`/v1/orgs/${orgId}/nodes`)).statusCode).toBe(404);
    expect((await stranger.post(`/v1/orgs/${orgId}/nodes`, body)).statusCode).toBe(404);
    // Enrolled elsewhere, the node is still not visible here.
    expect((await stranger.post(`/v1/orgs/${strangerOrg}/nodes`, body)).statusCode).toBe(201);
    expect((await owner.get(`/v1/orgs/${orgId}/nodes/${node.identity.nodeId}`)).statusCode).toBe(
      404,
    );
    expect(
      (await stranger.delete(`/v1/orgs/${orgId}/nodes/${node.identity.nodeId}`)).statusCode,
    ).toBe(404);
  });
});
