/**
 * The background-job queue behind vault creation and signing (modules/jobs): claims never
 * hand one job to two workers (SELECT … FOR UPDATE SKIP LOCKED) — on PGlite and on a real
 * PostgreSQL with two connection pools claiming at once, as two server replicas do — a
 * running job's lease keeps it from others until it expires (a replica died), and a job that
 * ran out of attempts is given up: for a vault key generation, the vault's unfinished keys fail.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../src/store/database.js';
import {
  MAX_ATTEMPTS,
  claimJob,
  enqueueJob,
  finishJob,
  takeExhaustedJobs,
} from '../src/modules/jobs/jobs-store.js';
import { migrate } from '../src/store/migrations.js';
import { VAULT_KEYGEN_JOB, vaultKeygenJob } from '../src/modules/vaults/keygen-job.js';
import { findVault } from '../src/modules/vaults/store.js';
import { enrolTestNodes, insertApprovalApiKey } from './support/node-identities.js';
import { storeBackends } from './support/store-backends.js';
import { bootstrapOwner, createTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const expireLeases = (db: Queryable = t.db) =>
  db.query(`UPDATE jobs SET lease_until = now() - interval '1 second' WHERE status = 'running'`);

describe.each(storeBackends())('job claims on $name', (backend) => {
  afterAll(() => backend.shutdown());

  it('hands each job to one worker, and again only when its lease expired', async () => {
    const store = await backend.fresh();
    await migrate(store.db);
    const replica = await store.connect();
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.db.transaction((tx) => enqueueJob(tx, 'test', `s${i}`)),
      ),
    );
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        claimJob(i % 2 === 0 ? store.db : replica, `worker-${i}`, 60_000),
      ),
    );
    const taken = claims.filter((c) => c !== null);
    expect(taken.map((c) => c.id).sort()).toEqual([...ids].sort());
    expect(claims.filter((c) => c === null)).toHaveLength(2);

    const [a, b] = [taken[0]!, taken[1]!];
    const holderOf = (id: string) => `worker-${claims.findIndex((c) => c?.id === id)}`;
    await finishJob(store.db, a.id, holderOf(a.id), { status: 'done' });
    // Only the holder records the end.
    await finishJob(replica, b.id, 'someone-else', { status: 'failed', error: 'not mine' });
    const rows = await store.db.query<{ id: string; status: string }>(
      'SELECT id, status FROM jobs',
    );
    expect(rows.find((r) => r.id === a.id)?.status).toBe('done');
    expect(rows.find((r) => r.id === b.id)?.status).toBe('running');
    expect(await claimJob(replica, 'worker-late', 60_000)).toBeNull();

    await expireLeases(store.db);
    const again = await Promise.all([
      claimJob(store.db, 'worker-x', 60_000),
      claimJob(replica, 'worker-y', 60_000),
    ]);
    expect(again.every((c) => c !== null && c.attempts === 2)).toBe(true);
    expect(again[0]!.id).not.toBe(again[1]!.id);
    await backend.cleanup();
  });
});

describe('jobs', () => {
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
