import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, SYSTEM_ACTOR } from '../src/modules/audit/audit-store.js';
import {
  bootstrapOwner,
  createTestApp,
  register,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

describe('audit log', () => {
  let t: TestApp;
  let owner: TestClient;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp({ registration: 'open' });
    ({ owner, orgId } = await bootstrapOwner(t.app));
  });
  afterAll(async () => t.close());

  const append = (chain: string, action: string, details: Record<string, unknown> = {}) =>
    t.db.transaction((tx) => appendAudit(tx, { chain, actor: SYSTEM_ACTOR, action, details }));

  /** A fresh organisation's chain with `n` entries (each test tampers with its own). */
  async function freshChain(n: number): Promise<string> {
    const org = (await owner.post('/v1/orgs', { name: `audit-${Math.random()}` })).json()
      .id as string;
    for (let i = 0; i < n; i++) await append(org, 'test.appended', { i });
    return org;
  }

  /** Tampering as a database administrator would: with the append-only trigger disabled. */
  async function tamper(sql: string | string[], params: unknown[]) {
    await t.db.transaction(async (tx) => {
      await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      for (const statement of [sql].flat()) await tx.query(statement, params);
      await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    });
  }

  const verify = async (org: string, query = '') =>
    (await owner.get(`/v1/orgs/${org}/audit/verify${query}`)).json();

  it('chains entries and verifies an intact log', async () => {
    const org = await freshChain(3);
    const page = (await owner.get(`/v1/orgs/${org}/audit`)).json();
    expect(page.entries.map((e: { seq: number }) => e.seq)).toEqual(
      page.entries.map((_: unknown, i: number) => i + 1),
    );
    expect(page.entries.at(-1).hash).toBe(page.head.hash);
    expect(await verify(org)).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses UPDATE and DELETE on the table itself', async () => {
    const org = await freshChain(1);
    await expect(
      t.db.query("UPDATE audit_log SET action = 'x' WHERE chain = $1", [org]),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM audit_log WHERE chain = $1', [org])).rejects.toThrow(
      /append-only/,
    );
  });

  it('detects a modified entry', async () => {
    const org = await freshChain(4);
    await tamper(`UPDATE audit_log SET details = '{"i": 99}'::jsonb WHERE chain = $1 AND seq = 2`, [
      org,
    ]);
    const result = await verify(org);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'modified', seq: 2 })]);
  });

  it('detects a deleted entry', async () => {
    const org = await freshChain(4);
    await tamper('DELETE FROM audit_log WHERE chain = $1 AND seq = 2', [org]);
    expect((await verify(org)).problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'deleted', seq: 3 })]),
    );
  });

  it('detects reordered entries (two entries swap places)', async () => {
    const org = await freshChain(4);
    await tamper(
      [
        'UPDATE audit_log SET seq = 1000 WHERE chain = $1 AND seq = 2',
        'UPDATE audit_log SET seq = 2 WHERE chain = $1 AND seq = 3',
        'UPDATE audit_log SET seq = 3 WHERE chain = $1 AND seq = 1000',
      ],
      [org],
    );
    const result = await verify(org);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p: { kind: string }) => p.kind)).toEqual(
      expect.arrayContaining(['modified']),
    );
  });

  it('detects entries cut from the end against a head recorded earlier', async () => {
    const org = await freshChain(4);
    const { head } = (await owner.get(`/v1/orgs/${org}/audit`)).json();
    await tamper('DELETE FROM audit_log WHERE chain = $1 AND seq >= 3', [org]);
    expect((await verify(org)).ok).toBe(true);
    const pinned = await verify(org, `?headSeq=${head.seq}&headHash=${head.hash}`);
    expect(pinned.problems).toEqual([
      expect.objectContaining({ kind: 'head-mismatch', seq: head.seq }),
    ]);
  });

  it('writes nothing when the change it records rolls back', async () => {
    const org = await freshChain(1);
    await expect(
      t.db.transaction(async (tx) => {
        await appendAudit(tx, { chain: org, actor: SYSTEM_ACTOR, action: 'test.rolled-back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const page = (await owner.get(`/v1/orgs/${org}/audit`)).json();
    expect(page.entries.map((e: { action: string }) => e.action)).toEqual([
      'organisation.created',
      'test.appended',
    ]);
  });

  it('keeps one unbroken chain under concurrent appends', async () => {
    const org = await freshChain(0);
    await Promise.all(Array.from({ length: 12 }, (_, i) => append(org, 'test.concurrent', { i })));
    expect(await verify(org)).toMatchObject({ ok: true, entries: 13 });
  });

  it('exports JSON lines that verify offline', async () => {
    const org = await freshChain(3);
    const response = await owner.get(`/v1/orgs/${org}/audit/export`);
    expect(response.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = response.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    const { verifyAuditChain } = await import('@coffer/protocol');
    expect(verifyAuditChain(lines).ok).toBe(true);
  });

  it('is readable by owners, admins and auditors only, and only in their organisation', async () => {
    const stranger = await register(t.app, 'stranger-audit@example.org');
    expect((await stranger.get(`/v1/orgs/${orgId}/audit`)).statusCode).toBe(404);
    const mine = (await stranger.post('/v1/orgs', { name: 'Mine' })).json().id as string;
    expect((await owner.get(`/v1/orgs/${mine}/audit`)).statusCode).toBe(404);
    expect((await owner.get(`/v1/orgs/${orgId}/audit/verify?headSeq=1`)).statusCode).toBe(400);
  });
});
