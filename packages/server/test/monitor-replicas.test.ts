/**
 * The monitor on two server replicas at once (issue 6, item 10: "Safe with several server
 * replicas"), on both stores: two monitors on separate connection pools tick together over the
 * same expired requests, the same request stuck in signing and the same unhealthy node — each
 * request expires once, one signing job is queued, one health change is recorded, each with
 * exactly one audit entry. On PostgreSQL the pools are real separate connections.
 */
import type { SignatureRequest } from '@coffer/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../src/modules/monitor/monitor.js';
import { enrolTestNodes, insertApprovalApiKey } from './support/node-identities.js';
import { storeBackends } from './support/store-backends.js';
import { bootstrapOwner, createTestApp, type TestApp } from './support/test-app.js';
import { activeTestVault } from './support/vaults.js';

describe.each(storeBackends())('the monitor on two replicas, $name', (backend) => {
  let t: TestApp;
  let monitors: Monitor[];
  const ids: string[] = [];

  beforeAll(async () => {
    const store = await backend.fresh();
    t = await createTestApp({}, store.db);
    const { owner, orgId } = await bootstrapOwner(t.app);
    await insertApprovalApiKey(t.db, { orgId, createdBy: owner.userId });
    const nodes = (await enrolTestNodes(owner, orgId, 3)).map((n) => n.identity.nodeId);
    const vault = await activeTestVault(t, owner, { orgId, nodes, name: 'Hot', approvalQuorum: 1 });
    for (let i = 0; i < 5; i++) {
      const response = await owner.post(`/v1/orgs/${orgId}/vaults/${vault.id}/signature-requests`, {
        scheme: 'frost-ed25519',
        message: `c0ffee0${i}`,
      });
      ids.push(response.json<SignatureRequest>().id);
    }
    // Four expired, one stuck in signing without a job; every node away for an hour.
    await t.db.query(
      "UPDATE signature_requests SET expires_at = now() - interval '1 second' WHERE id = ANY($1::text[])",
      [ids.slice(0, 4)],
    );
    await t.db.query("UPDATE signature_requests SET status = 'signing' WHERE id = $1", [ids[4]]);
    await t.db.query("UPDATE signing_nodes SET enrolled_at = now() - interval '1 hour'");
    const logger = pino({ level: 'silent' });
    monitors = [
      new Monitor({ db: t.db, logger }),
      new Monitor({ db: await store.connect(), logger }),
    ];
  });
  afterAll(async () => {
    await t.close();
    await backend.cleanup();
    await backend.shutdown();
  });

  it('expire, restart and flag each thing exactly once', async () => {
    const reports = await Promise.all([...monitors, ...monitors].map((m) => m.tick()));
    expect(reports.flatMap((r) => r.expired).sort()).toEqual(ids.slice(0, 4).sort());
    expect(reports.flatMap((r) => r.restarted)).toEqual([ids[4]]);
    expect(reports.flatMap((r) => r.healthChanges)).toHaveLength(3);
    const count = async (action: string) =>
      (
        await t.db.query<{ n: number }>(
          'SELECT count(*)::integer AS n FROM audit_log WHERE action = $1',
          [action],
        )
      )[0]!.n;
    expect(await count('signature.expired')).toBe(4);
    expect(await count('signature.restarted')).toBe(1);
    expect(await count('node.unhealthy')).toBe(3);
    const jobs = await t.db.query('SELECT id FROM jobs WHERE subject = $1', [ids[4]]);
    expect(jobs).toHaveLength(1);
  });
});
