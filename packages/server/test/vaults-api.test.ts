/**
 * Vault routes (issue 5, item 6) over app.inject: creation answers 202 "creating" with every
 * scheme pending and a genesis whose policy lists the owners' and admins' approval keys
 * (admin API keys' Ed25519 keys, owner/admin passkeys) — checked with the nodes' own genesis
 * parser and hash; the background job, run by a real JobRunner against a real coordinator to
 * which no node is connected, fails each scheme naming the nodes that are not connected; and
 * every 4xx: structure and party validation (the AccessStructure message), no approval key or
 * a quorum above their number (409), 401, 403, 404.
 */
import { genesisHash, parseVaultGenesis } from '@coffer/node';
import type { Vault } from '@coffer/protocol';
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coordinator } from '../src/modules/coordinator/coordinator.js';
import { JobRunner } from '../src/modules/jobs/job-runner.js';
import { VAULT_KEYGEN_JOB, vaultKeygenJob } from '../src/modules/vaults/keygen-job.js';
import {
  enrolTestNodes,
  insertApprovalApiKey,
  type ApprovalApiKey,
  type TestNodeIdentity,
} from './support/node-identities.js';
import {
  ORIGIN,
  bootstrapOwner,
  createTestApp,
  newMember,
  register,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

const silent = pino({ level: 'silent' });
let t: TestApp;
let coordinator: Coordinator;
let jobs: JobRunner;
let owner: TestClient;
let orgId: string;
let approver: ApprovalApiKey;
let secondAdminId: string;
let nodes: TestNodeIdentity[];
const passkeyId = 'cGFzc2tleS1vd25lcg';
const passkeyPublic = bytesToHex(p256.getPublicKey(p256.utils.randomSecretKey(), false));

beforeAll(async () => {
  t = await createTestApp({ registration: 'open' }, undefined, async (db) => {
    coordinator = await Coordinator.start({ db, host: '127.0.0.1', port: 0, logger: silent });
    jobs = new JobRunner({
      db,
      logger: silent,
      pollMs: 100,
      handlers: { [VAULT_KEYGEN_JOB]: vaultKeygenJob({ db, coordinator, logger: silent }) },
    });
    jobs.start();
    return { coordinator, wakeJobs: () => jobs.wake() };
  });
  ({ owner, orgId } = await bootstrapOwner(t.app));
  // The API key is a second admin's: approvals (and the quorum's ceiling) count people.
  secondAdminId = (await newMember(t, orgId, 'admin-vaults@example.org', 'admin')).userId;
  approver = await insertApprovalApiKey(t.db, { orgId, createdBy: secondAdminId });
  await t.db.query(
    `INSERT INTO passkeys (id, user_id, name, rp_id, algorithm, public_key, public_key_sec1)
     VALUES ($1, $2, 'laptop', 'localhost', -7, '\\x00', $3)`,
    [passkeyId, owner.userId, passkeyPublic],
  );
  nodes = await enrolTestNodes(owner, orgId, 3);
});
afterAll(async () => {
  const stopped = jobs.stop();
  await coordinator.close();
  await stopped;
  await t.close();
});

const nodeIds = () => nodes.map((n) => n.identity.nodeId);

async function waitForVault(id: string, done: (v: Vault) => boolean): Promise<Vault> {
  for (let i = 0; i < 200; i++) {
    const vault = (await owner.get(`/v1/orgs/${orgId}/vaults/${id}`)).json<Vault>();
    if (done(vault)) return vault;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('vault did not settle');
}

describe('vaults', () => {
  it('creates a vault with a genesis of the admins’ approval keys; a job runs its schemes', async () => {
    const created = await owner.post(`/v1/orgs/${orgId}/vaults`, {
      name: 'Treasury',
      structure: '2of3',
      nodes: nodeIds(),
    });
    expect(created.statusCode).toBe(202);
    const vault = created.json<Vault>();
    expect(vault).toMatchObject({
      orgId,
      name: 'Treasury',
      structure: '2of3',
      parties: { p1: nodeIds()[0], p2: nodeIds()[1], p3: nodeIds()[2] },
      status: 'creating',
      failure: null,
    });
    expect(vault.keys.map((k) => [k.scheme, k.status])).toEqual([
      ['ecdsa-secp256k1', 'pending'],
      ['frost-ed25519', 'pending'],
      ['frost-taproot', 'pending'],
    ]);
    const genesis = parseVaultGenesis(vault.genesis);
    expect(genesisHash(genesis)).toBe(vault.genesisHash);
    expect(genesis).toMatchObject({ v: 1, vaultId: vault.id, orgId });
    expect(genesis.policy).toEqual({
      version: 1,
      vaultId: vault.id,
      policyVersion: 1,
      quorum: 1,
      approvers: [
        {
          keyId: approver.id,
          scheme: 'ed25519',
          publicKey: expect.stringMatching(/^[0-9a-f]{64}$/),
          principal: secondAdminId,
        },
        {
          keyId: passkeyId,
          scheme: 'webauthn-es256',
          publicKey: passkeyPublic,
          rpId: 'localhost',
          origins: [ORIGIN],
          principal: owner.userId,
        },
      ],
    });

    // No node is connected to the relay: every scheme fails at once, naming the nodes.
    const settled = await waitForVault(vault.id, (v) => v.status !== 'creating');
    expect(settled.status).toBe('failed');
    for (const key of settled.keys) {
      expect(key.status).toBe('failed');
      expect(key.startedAt).not.toBeNull();
      expect(key.finishedAt).not.toBeNull();
      expect(key.publicKey).toBeNull();
      expect(key.failure?.reason).toContain('not connected');
      expect(key.failure?.culprits).toEqual([...nodeIds()].sort());
    }
    expect(settled.failure?.culprits).toEqual([...nodeIds()].sort());

    const list = await owner.get(`/v1/orgs/${orgId}/vaults`);
    expect(list.statusCode).toBe(200);
    expect(list.json().vaults.map((v: Vault) => v.id)).toContain(vault.id);
  });

  it('takes a tree structure with named parties, chosen schemes and a quorum', async () => {
    const [a, b, c] = nodeIds();
    const response = await owner.post(`/v1/orgs/${orgId}/vaults`, {
      name: 'Ops',
      structure: { threshold: 2, members: ['ops-1', 'ops-2', { threshold: 1, members: ['head'] }] },
      parties: { 'ops-1': a, 'ops-2': b, head: c },
      schemes: ['frost-ed25519'],
      approvalQuorum: 2,
    });
    expect(response.statusCode).toBe(202);
    const vault = response.json<Vault>();
    expect(vault.structure).toBe('2of(ops-1,ops-2,1of(head))');
    expect(vault.keys.map((k) => k.scheme)).toEqual(['frost-ed25519']);
    expect(vault.genesis.policy.quorum).toBe(2);
  });

  it('refuses invalid structures and parties with 400 naming the field', async () => {
    const [a, b, c] = nodeIds();
    const stranger = '0'.repeat(32);
    const cases: [Record<string, unknown>, string, string | RegExp][] = [
      [{ structure: '4of3', nodes: [a, b, c] }, 'body.structure', /threshold 4/],
      [{ structure: '2of(x,x)', parties: { x: a } }, 'body.structure', /more than once/],
      [{ structure: { threshold: 1 }, nodes: [a, b] }, 'body.structure', /members/],
      [{ structure: '2of3', nodes: [a, b] }, 'body.nodes', /3 parties/],
      [{ structure: '2of3', nodes: [a, b, b] }, 'body.nodes', /distinct/],
      [{ structure: '2of3', nodes: [a, b, stranger] }, 'body.nodes', /not enrolled/],
      [{ structure: '2of(x,y)', parties: { x: a } }, 'body.parties', /no node for party y/],
      [
        { structure: '2of(x,y)', parties: { x: a, y: b, z: c } },
        'body.parties',
        /z is not a party/,
      ],
      [{ structure: '2of3', nodes: [a, b, c], parties: { p1: a } }, 'body.parties', /either/],
      [{ structure: '2of3' }, 'body.parties', /either/],
      [{ structure: '2of3', nodes: [a, b, c], schemes: ['rsa'] }, 'body.schemes.0', /./],
      [
        { structure: '2of3', nodes: [a, b, c], schemes: ['frost-ed25519', 'frost-ed25519'] },
        'body.schemes',
        /repeat/,
      ],
      [{ structure: '2of3', nodes: [a, b, c], approvalQuorum: 0 }, 'body.approvalQuorum', /./],
    ];
    for (const [body, path, message] of cases) {
      const response = await owner.post(`/v1/orgs/${orgId}/vaults`, { name: 'V', ...body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      const error = response.json().error;
      expect(error.code).toBe('VALIDATION_FAILED');
      const issue = error.issues.find((i: { path: string }) => i.path === path);
      expect(issue, `${path} in ${JSON.stringify(error.issues)}`).toBeDefined();
      expect(issue.message).toMatch(message);
    }
  });

  it('answers 409 when the organisation has no approval key, or fewer than the quorum', async () => {
    const tooMany = await owner.post(`/v1/orgs/${orgId}/vaults`, {
      name: 'V',
      structure: '2of3',
      nodes: nodeIds(),
      approvalQuorum: 3,
    });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().error.message).toMatch(/exceeds the 2 owner\(s\) and admin\(s\)/);

    // A second key of the same person does not raise the ceiling.
    await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
    const stillTooMany = await owner.post(`/v1/orgs/${orgId}/vaults`, {
      name: 'V',
      structure: '2of3',
      nodes: nodeIds(),
      approvalQuorum: 3,
    });
    expect(stillTooMany.statusCode).toBe(409);

    const founder = await register(t.app, 'founder-vaults@example.org');
    const org = (await founder.post('/v1/orgs', { name: 'Keyless' })).json().id as string;
    const own = await enrolTestNodes(founder, org, 2);
    const none = await founder.post(`/v1/orgs/${org}/vaults`, {
      name: 'V',
      structure: '2of2',
      nodes: own.map((n) => n.identity.nodeId),
    });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).toMatch(/no approval key/);
  });

  it('answers 401, 403 to non-admins creating, 404 to other organisations and unknown vaults', async () => {
    const body = { name: 'V', structure: '2of3', nodes: nodeIds() };
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/orgs/${orgId}/vaults` })).statusCode,
    ).toBe(401);
    const initiator = await register(t.app, 'initiator-vaults@example.org');
    await t.db.query(
      `INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'initiator')`,
      [orgId, initiator.userId],
    );
    expect((await initiator.post(`/v1/orgs/${orgId}/vaults`, body)).statusCode).toBe(403);
    expect((await initiator.get(`/v1/orgs/${orgId}/vaults`)).statusCode).toBe(200);

    const stranger = await register(t.app, 'stranger-vaults@example.org');
    expect((await stranger.post(`/v1/orgs/${orgId}/vaults`, body)).statusCode).toBe(404);
    expect((await stranger.get(`/v1/orgs/${orgId}/vaults`)).statusCode).toBe(404);
    const vaultId = (await owner.get(`/v1/orgs/${orgId}/vaults`)).json().vaults[0].id as string;
    expect((await stranger.get(`/v1/orgs/${orgId}/vaults/${vaultId}`)).statusCode).toBe(404);
    const otherOrg = (await stranger.post('/v1/orgs', { name: 'Other' })).json().id as string;
    expect((await stranger.get(`/v1/orgs/${otherOrg}/vaults/${vaultId}`)).statusCode).toBe(404);
    expect((await owner.get(`/v1/orgs/${orgId}/vaults/vlt_${'0'.repeat(32)}`)).statusCode).toBe(
      404,
    );
    expect((await owner.get(`/v1/orgs/${orgId}/vaults/not-a-vault`)).statusCode).toBe(400);
  });
});
