/**
 * The background-job queue behind vault creation and signing (modules/jobs): claims never
 * hand one job to two workers (SELECT … FOR UPDATE SKIP LOCKED), a running job's lease keeps
 * it from others until it expires (a replica died), and a job that ran out of attempts is
 * given up — for a vault key generation that fails the vault's unfinished keys.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_ATTEMPTS,
  claimJob,
  enqueueJob,
  finishJob,
  takeExhaustedJobs,
} from '../src/modules/jobs/jobs-store.js';
import { VAULT_KEYGEN_JOB, vaultKeygenJob } from '../src/modules/vaults/keygen-job.js';
import { findVault } from '../src/modules/vaults/store.js';
import { enrolTestNodes, insertApprovalApiKey } from './support/node-identities.js';
import { bootstrapOwner, createTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const expireLeases = () =>
  t.db.query(`UPDATE jobs SET lease_until = now() - interval '1 second' WHERE status = 'running'`);

describe('jobs', () => {
  it('hands each job to one worker, and again only when its lease expired', async () => {
    await t.db.query('DELETE FROM jobs');
    const first = await t.db.transaction((tx) => enqueueJob(tx, 'test', 'one'));
    const second = await t.db.transaction((tx) => enqueueJob(tx, 'test', 'two'));
    const [a, b] = await Promise.all([
      claimJob(t.db, 'worker-a', 60_000),
      claimJob(t.db, 'worker-b', 60_000),
    ]);
    expect(new Set([a?.id, b?.id])).toEqual(new Set([first, second]));
    expect(await claimJob(t.db, 'worker-c', 60_000)).toBeNull();

    await finishJob(t.db, a!.id, 'worker-a', { status: 'done' });
    // Only the holder records the end.
    await finishJob(t.db, b!.id, 'worker-a', { status: 'failed', error: 'not mine' });
    const rows = await t.db.query<{ id: string; status: string }>('SELECT id, status FROM jobs');
    expect(rows.find((r) => r.id === a!.id)?.status).toBe('done');
    expect(rows.find((r) => r.id === b!.id)?.status).toBe('running');

    await expireLeases();
    const taken = await claimJob(t.db, 'worker-c', 60_000);
    expect(taken).toMatchObject({ id: b!.id, attempts: 2 });
  });

  it(`gives up a key generation after ${MAX_ATTEMPTS} expired leases and fails the vault`, async () => {
    await t.db.query('DELETE FROM jobs');
    const { owner, orgId } = await bootstrapOwner(t.app);
    await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
    const nodes = await enrolTestNodes(owner, orgId, 2);
    const created = await owner.post(`/v1/orgs/${orgId}/vaults`, {
      name: 'Abandoned',
      structure: '2of2',
      nodes: nodes.map((n) => n.identity.nodeId),
      schemes: ['frost-ed25519'],
    });
    const vaultId = created.json<{ id: string }>().id;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await claimJob(t.db, `worker-${attempt}`, 60_000)).toMatchObject({
        kind: VAULT_KEYGEN_JOB,
        subject: vaultId,
        attempts: attempt,
      });
      await expireLeases();
    }
    expect(await claimJob(t.db, 'worker-late', 60_000)).toBeNull();
    const exhausted = await takeExhaustedJobs(t.db);
    expect(exhausted.map((j) => j.subject)).toEqual([vaultId]);
    const handler = vaultKeygenJob({
      db: t.db,
      coordinator: undefined,
      logger: pino({ level: 'silent' }),
    });
    await handler.giveUp(exhausted[0]!);
    const vault = await findVault(t.db, orgId, vaultId);
    expect(vault?.status).toBe('failed');
    expect(vault?.keys[0]).toMatchObject({ status: 'failed' });
    expect(vault?.failure?.reason).toMatch(/stopped too often/);
    expect(await takeExhaustedJobs(t.db)).toEqual([]);
  });
});
