/**
 * The nodes, vaults and signing routes over a real PostgreSQL server (issue 5: the same
 * store behaviour on both backends; `DATABASE_URL` deployments): enrol nodes, create a vault
 * whose key-generation job a real JobRunner runs through a real coordinator (no node is
 * connected, so each scheme fails naming the nodes), refuse removing a node the vault uses,
 * then — keys recorded as generated — ask for a signature and approve it to "approved" with
 * the signing job queued. Skipped loudly without Debian's `postgresql` package.
 */
import type { SignatureRequest, Vault } from '@coffer/protocol';
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coordinator } from '../src/modules/coordinator/coordinator.js';
import { JobRunner } from '../src/modules/jobs/job-runner.js';
import { VAULT_KEYGEN_JOB, vaultKeygenJob } from '../src/modules/vaults/keygen-job.js';
import { completeKey, settleVault } from '../src/modules/vaults/store.js';
import { enrolTestNodes, insertApprovalApiKey } from './support/node-identities.js';
import { postgresBackends } from './support/store-backends.js';
import { bootstrapOwner, createTestApp, type TestApp } from './support/test-app.js';

const silent = pino({ level: 'silent' });

describe.each(postgresBackends())('vaults and signing on $name', (backend) => {
  let t: TestApp;
  let coordinator: Coordinator;
  let jobs: JobRunner;
  beforeAll(async () => {
    const { db } = await backend.fresh();
    t = await createTestApp({}, db, async (migrated) => {
      coordinator = await Coordinator.start({
        db: migrated,
        host: '127.0.0.1',
        port: 0,
        logger: silent,
      });
      jobs = new JobRunner({
        db: migrated,
        logger: silent,
        pollMs: 100,
        handlers: {
          [VAULT_KEYGEN_JOB]: vaultKeygenJob({ db: migrated, coordinator, logger: silent }),
        },
      });
      jobs.start();
      return { coordinator, wakeJobs: () => jobs.wake() };
    });
    expect(t.db.dialect).toBe('postgres');
  });
  afterAll(async () => {
    const stopped = jobs.stop();
    await coordinator.close();
    await stopped;
    await t.close();
    await backend.shutdown();
  });

  it('creates a vault, runs its job, and takes a signature request to approved', async () => {
    const { owner, orgId } = await bootstrapOwner(t.app);
    const approver = await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
    const nodes = (await enrolTestNodes(owner, orgId, 3)).map((n) => n.identity.nodeId);
    const settled = async (body: object): Promise<Vault> => {
      const created = await owner.post(`/v1/orgs/${orgId}/vaults`, body);
      expect(created.statusCode).toBe(202);
      let vault = created.json<Vault>();
      for (let i = 0; i < 100 && vault.status === 'creating'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        vault = (await owner.get(`/v1/orgs/${orgId}/vaults/${vault.id}`)).json<Vault>();
      }
      return vault;
    };
    const vault = await settled({
      name: 'Treasury',
      structure: '2of3',
      nodes,
      schemes: ['frost-ed25519', 'ecdsa-secp256k1'],
    });
    expect(vault.status).toBe('failed');
    expect(vault.keys.map((k) => k.failure?.culprits)).toEqual([
      [...nodes].sort(),
      [...nodes].sort(),
    ]);
    expect(vault.genesis.policy.approvers.map((a) => a.keyId)).toEqual([approver.id]);

    const inUse = await owner.delete(`/v1/orgs/${orgId}/nodes/${nodes[0]}`);
    expect(inUse.statusCode).toBe(200); // a failed vault does not hold its nodes

    // Its job done (failed: no node connected), the key is then recorded as generated.
    const second = await settled({
      name: 'Cold',
      structure: '2of2',
      nodes: nodes.slice(1),
      schemes: ['frost-ed25519'],
    });
    await completeKey(t.db, second.id, 'frost-ed25519', {
      keyId: '11'.repeat(32),
      publicKey: '22'.repeat(32),
      publicKeyPackage: { note: 'recorded by the test' },
      chainCode: '33'.repeat(32),
    });
    expect(await settleVault(t.db, second.id)).toBe('active');
    const held = await owner.delete(`/v1/orgs/${orgId}/nodes/${nodes[1]}`);
    expect(held.statusCode).toBe(409);
    const url = `/v1/orgs/${orgId}/vaults/${second.id}/signature-requests`;
    const request = (
      await owner.post(url, { scheme: 'frost-ed25519', message: 'beef' })
    ).json<SignatureRequest>();
    expect(request.status).toBe('pending_approval');
    const signature = Buffer.from(
      ed25519.sign(utf8ToBytes(request.approvalPayload), approver.approvalSecretKey),
    ).toString('hex');
    const approved = await owner.post(`${url}/${request.id}/approvals`, {
      approverKeyId: approver.id,
      scheme: 'ed25519',
      signature,
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json<SignatureRequest>().status).toBe('approved');
    const queued = await t.db.query('SELECT kind FROM jobs WHERE subject = $1', [request.id]);
    expect(queued).toEqual([{ kind: 'signature-request' }]);
    const listed = (await owner.get(url)).json<{ requests: SignatureRequest[] }>();
    expect(listed.requests.map((r) => r.id)).toEqual([request.id]);
  });
});
