/**
 * The API over a real PostgreSQL server (issue 5: `DATABASE_URL` deployments): the identity
 * and organisation flow end to end — bootstrap, login, invite, accept, roles — then the
 * last-owner rule under real concurrency (two owners demoting each other at the same moment
 * on separate connections: exactly one may win). Skipped loudly without Debian's
 * `postgresql` package (a failure under COFFER_REQUIRE_ALL_TESTS=1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { membershipRole } from '../src/modules/orgs/store.js';
import { postgresBackends } from './support/store-backends.js';
import {
  PASSWORD,
  TestClient,
  bootstrapOwner,
  createTestApp,
  newMember,
  register,
  signInNewUser,
  type TestApp,
} from './support/test-app.js';

describe.each(postgresBackends())('the API on $name', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    const { db } = await backend.fresh();
    t = await createTestApp({}, db);
    expect(t.db.dialect).toBe('postgres');
  });
  afterAll(async () => {
    await t.close();
    await backend.shutdown();
  });

  it('bootstraps, logs in, invites, accepts and lists members', async () => {
    const { owner, orgId } = await bootstrapOwner(t.app);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'owner@example.org', password: PASSWORD },
    });
    const again = TestClient.fromResponse(t.app, login);
    expect((await again.get('/v1/auth/session')).json().user.id).toBe(owner.userId);

    const invite = await owner.post(`/v1/orgs/${orgId}/invites`, {
      email: 'approver@example.org',
      role: 'approver',
    });
    expect(invite.statusCode).toBe(201);
    const approver = await register(t.app, 'approver@example.org', invite.json().token);
    expect(await membershipRole(t.db, orgId, approver.userId)).toBe('approver');

    const members = await approver.get(`/v1/orgs/${orgId}/members`);
    expect(members.statusCode).toBe(200);
    expect(
      members
        .json()
        .members.map((m: { role: string }) => m.role)
        .sort(),
    ).toEqual(['approver', 'owner']);
    const audit = await owner.get(`/v1/orgs/${orgId}/audit`);
    expect(audit.json().entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['invite.created', 'invite.accepted']),
    );
  });

  it('two owners demoting each other at once: one wins, one owner remains', async () => {
    const founder = await signInNewUser(t, 'founder@race.example');
    const org = (await founder.post('/v1/orgs', { name: 'Race' })).json<{ id: string }>().id;
    const second = await newMember(t, org, 'second@race.example', 'owner');
    const [x, y] = await Promise.all([
      founder.patch(`/v1/orgs/${org}/members/${second.userId}`, { role: 'admin' }),
      second.patch(`/v1/orgs/${org}/members/${founder.userId}`, { role: 'admin' }),
    ]);
    // The loser is refused either as no longer an owner (403) or as the last owner's
    // demoter (409), depending on which read the winner's commit first.
    const statuses = [x.statusCode, y.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const owners = await t.db.query(
      "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner'",
      [org],
    );
    expect(owners).toHaveLength(1);
  });
});
