/**
 * The background monitor (issue 6, item 10; modules/monitor/monitor.ts), one tick at a time:
 * open requests past their expiry become `expired` once, with their audit entry; a request
 * left in `signing` without a live job gets a new signing job (and one with a live lease is
 * left alone); nodes disconnected for too long or blamed for failed requests turn unhealthy
 * and recover, each change audited once and shown by GET …/nodes.
 */
import type { SignatureRequest, SigningNodeList, Vault } from '@coffer/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../src/modules/jobs/jobs-store.js';
import { Monitor } from '../src/modules/monitor/monitor.js';
import { enrolTestNodes, insertApprovalApiKey } from './support/node-identities.js';
import {
  bootstrapOwner,
  createTestApp,
  type TestApp,
  type TestClient,
} from './support/test-app.js';
import { activeTestVault } from './support/vaults.js';

let t: TestApp;
let owner: TestClient;
let orgId: string;
let nodes: string[];
let vault: Vault;
let monitor: Monitor;

beforeAll(async () => {
  t = await createTestApp();
  ({ owner, orgId } = await bootstrapOwner(t.app));
  await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
  nodes = (await enrolTestNodes(owner, orgId, 3)).map((n) => n.identity.nodeId);
  vault = await activeTestVault(t, owner, { orgId, nodes, name: 'Hot', approvalQuorum: 1 });
  monitor = new Monitor({ db: t.db, logger: pino({ level: 'silent' }), blamedThreshold: 2 });
});
afterAll(async () => t.close());

async function newRequest(): Promise<SignatureRequest> {
  const response = await owner.post(`/v1/orgs/${orgId}/vaults/${vault.id}/signature-requests`, {
    scheme: 'frost-ed25519',
    message: 'c0ffee',
  });
  expect(response.statusCode).toBe(201);
  return response.json<SignatureRequest>();
}

const actionsOf = async (subject: string) =>
  (
    await t.db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE subject = $1 ORDER BY seq',
      [subject],
    )
  ).map((r) => r.action);

describe('expiry', () => {
  it('expires open requests past their expiry once, and leaves the others', async () => {
    const stale = await newRequest();
    const fresh = await newRequest();
    await t.db.query(
      "UPDATE signature_requests SET expires_at = now() - interval '1 second' WHERE id = $1",
      [stale.id],
    );
    const [first, second] = await Promise.all([monitor.tick(), monitor.tick()]);
    expect([...first.expired, ...second.expired]).toEqual([stale.id]);
    const statuses = await t.db.query<{ id: string; status: string }>(
      'SELECT id, status FROM signature_requests WHERE id = ANY($1::text[]) ORDER BY id',
      [[stale.id, fresh.id]],
    );
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({
      [stale.id]: 'expired',
      [fresh.id]: 'pending_approval',
    });
    expect((await actionsOf(stale.id)).at(-1)).toBe('signature.expired');
    expect((await monitor.tick()).expired).toEqual([]);
  });
});

describe('stuck signing', () => {
  it('queues a new signing job for a request whose job is gone, not for one still running', async () => {
    const stuck = await newRequest();
    const running = await newRequest();
    await t.db.query(
      "UPDATE signature_requests SET status = 'signing' WHERE id = ANY($1::text[])",
      [[stuck.id, running.id]],
    );
    const jobId = await t.db.transaction((tx) => enqueueJob(tx, 'signature-request', running.id));
    await t.db.query(
      `UPDATE jobs SET status = 'running', leased_by = 'worker-x',
         lease_until = now() + interval '1 minute' WHERE id = $1`,
      [jobId],
    );
    const { restarted } = await monitor.tick();
    expect(restarted).toEqual([stuck.id]);
    const jobs = await t.db.query<{ status: string }>(
      "SELECT status FROM jobs WHERE subject = $1 AND kind = 'signature-request'",
      [stuck.id],
    );
    expect(jobs).toEqual([{ status: 'queued' }]);
    expect((await actionsOf(stuck.id)).at(-1)).toBe('signature.restarted');
    // Its job is queued now: the next tick leaves it alone. So does an expired lease's… once.
    expect((await monitor.tick()).restarted).toEqual([]);
    await t.db.query("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1", [
      jobId,
    ]);
    expect((await monitor.tick()).restarted).toEqual([running.id]);
  });
});

describe('node health', () => {
  const health = async () =>
    Object.fromEntries(
      (await owner.get(`/v1/orgs/${orgId}/nodes`))
        .json<SigningNodeList>()
        .nodes.map((n) => [n.nodeId, n.health]),
    );

  it('flags nodes disconnected too long, and records their recovery', async () => {
    const [a, b, c] = nodes as [string, string, string];
    // Freshly enrolled and never connected: not yet unhealthy.
    expect((await monitor.tick()).healthChanges).toEqual([]);
    await t.db.query(
      "UPDATE signing_nodes SET enrolled_at = now() - interval '10 minutes' WHERE org_id = $1",
      [orgId],
    );
    await t.db.query(
      `INSERT INTO node_contacts (node_id, last_contact_at, connected)
       VALUES ($1, now() - interval '1 hour', true), ($2, now() - interval '1 minute', false)`,
      [a, b],
    );
    const changes = (await monitor.tick()).healthChanges;
    expect(changes).toEqual([{ nodeId: c, orgId, health: 'unhealthy' }]);
    const shown = await health();
    expect(shown[a]).toMatchObject({ state: 'healthy', reason: null });
    expect(shown[c]).toMatchObject({
      state: 'unhealthy',
      reason: expect.stringMatching(/^disconnected since/),
    });
    expect((await monitor.tick()).healthChanges).toEqual([]);
    expect(await actionsOf(c)).toContain('node.unhealthy');

    await t.db.query(
      'INSERT INTO node_contacts (node_id, last_contact_at, connected) VALUES ($1, now(), true)',
      [c],
    );
    expect((await monitor.tick()).healthChanges).toEqual([{ nodeId: c, orgId, health: 'healthy' }]);
    expect((await actionsOf(c)).filter((x) => x.startsWith('node.'))).toEqual([
      'node.enrolled',
      'node.unhealthy',
      'node.recovered',
    ]);
  });

  it('flags a node blamed for failed signing requests', async () => {
    const [a] = nodes as [string];
    for (let i = 0; i < 2; i++) {
      const failed = await newRequest();
      await t.db.query(
        `UPDATE signature_requests SET status = 'failed', failure = $2::jsonb WHERE id = $1`,
        [failed.id, JSON.stringify({ reason: 'timed out', culprits: [a] })],
      );
    }
    const changes = (await monitor.tick()).healthChanges;
    expect(changes).toEqual([{ nodeId: a, orgId, health: 'unhealthy' }]);
    expect((await health())[a]?.reason).toMatch(/blamed for 2 failed signing requests/);
  });
});
