/**
 * Invitations (issue 5, "Organisations and roles; invites"): the token is shown once and
 * stored hashed; accepting needs the invited email address; an invite is single use, expires,
 * can be revoked; who may invite, and what an invite may grant.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../src/modules/audit/audit-store.js';
import { membershipRole } from '../src/modules/orgs/store.js';
import {
  InjectClient,
  PASSWORD,
  bootstrapOwner,
  createTestApp,
  newMember,
  register,
  signInNewUser,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

describe('invites', () => {
  let t: TestApp;
  let orgId: string;
  let owner: TestClient;
  let counter = 0;
  const email = (label: string) => `${label}-${++counter}@invites.example`;
  const invitesUrl = () => `/v1/orgs/${orgId}/invites`;
  const invite = async (to: string, role = 'approver') => {
    const response = await owner.post(invitesUrl(), { email: to, role });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string; token: string; expiresAt: string }>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    ({ owner, orgId } = await bootstrapOwner(t.app));
  });
  afterAll(async () => t.close());

  it('shows the token once, stores only its SHA-256, lists pending invites without tokens', async () => {
    const to = email('listed');
    const created = await invite(to.toUpperCase());
    expect(created).toMatchObject({ orgId, email: to, role: 'approver', createdBy: owner.userId });
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const stored = await t.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM invites WHERE id = $1',
      [created.id],
    );
    expect(stored[0]!.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    const listed = await owner.get(invitesUrl());
    expect(listed.statusCode).toBe(200);
    expect(listed.json().invites).toContainEqual(expect.objectContaining({ id: created.id }));
    expect(listed.body).not.toContain(created.token);
    expect(listed.json().invites[0]).not.toHaveProperty('token');
  });

  it('a registered, logged-in user with the invited address accepts and gets the role', async () => {
    const to = email('accepts');
    const created = await invite(to, 'initiator');
    const invitee = await signInNewUser(t, to);
    const accepted = await invitee.post('/v1/invites/accept', { token: created.token });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ role: 'initiator', organisation: { id: orgId } });
    expect(await membershipRole(t.db, orgId, invitee.userId)).toBe('initiator');
    expect((await owner.get(invitesUrl())).json().invites).not.toContainEqual(
      expect.objectContaining({ id: created.id }),
    );
    // Used twice: 409.
    const again = await invitee.post('/v1/invites/accept', { token: created.token });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/already used/);
    const actions = (await listAudit(t.db, orgId)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['invite.created', 'invite.accepted']));
  });

  it('registration with an invite token joins the organisation', async () => {
    const to = email('registers');
    const created = await invite(to, 'auditor');
    const person = await register(t.app, to, created.token);
    expect(await membershipRole(t.db, orgId, person.userId)).toBe('auditor');
  });

  it('refuses another email address (403) and does not use up the invite', async () => {
    const created = await invite(email('intended'));
    const someoneElse = await signInNewUser(t, email('someone-else'));
    const response = await someoneElse.post('/v1/invites/accept', { token: created.token });
    expect(response.statusCode).toBe(403);
    expect(await membershipRole(t.db, orgId, someoneElse.userId)).toBeNull();
    expect((await owner.get(invitesUrl())).json().invites).toContainEqual(
      expect.objectContaining({ id: created.id }),
    );
  });

  it('refuses an expired invite (409)', async () => {
    const to = email('late');
    const created = await invite(to);
    await t.db.query("UPDATE invites SET expires_at = now() - interval '1 minute' WHERE id = $1", [
      created.id,
    ]);
    const invitee = await signInNewUser(t, to);
    const response = await invitee.post('/v1/invites/accept', { token: created.token });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.message).toMatch(/expired/);
    expect(await membershipRole(t.db, orgId, invitee.userId)).toBeNull();
    expect((await owner.get(invitesUrl())).json().invites).not.toContainEqual(
      expect.objectContaining({ id: created.id }),
    );
  });

  it('a revoked invite is 404 to accept and to revoke again; a used one cannot be revoked', async () => {
    const to = email('revoked');
    const created = await invite(to);
    const revoked = await owner.delete(`${invitesUrl()}/${created.id}`);
    expect(revoked.statusCode).toBe(200);
    expect((await owner.delete(`${invitesUrl()}/${created.id}`)).statusCode).toBe(404);
    const invitee = await signInNewUser(t, to);
    expect((await invitee.post('/v1/invites/accept', { token: created.token })).statusCode).toBe(
      404,
    );
    expect(await membershipRole(t.db, orgId, invitee.userId)).toBeNull();

    const usedTo = email('used');
    const used = await invite(usedTo);
    await register(t.app, usedTo, used.token);
    expect((await owner.delete(`${invitesUrl()}/${used.id}`)).statusCode).toBe(409);
    const unknown = await owner.delete(`${invitesUrl()}/inv_${'0'.repeat(32)}`);
    expect(unknown.statusCode).toBe(404);
  });

  it('registering without a valid invite does not reveal whether the address has an account', async () => {
    const taken = owner.session.user.email;
    const free = email('unregistered');
    const unknownToken = 'x'.repeat(43);
    const answers = [];
    for (const address of [taken, free]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: {
          email: address,
          password: PASSWORD,
          displayName: 'Prober',
          inviteToken: unknownToken,
        },
      });
      answers.push([response.statusCode, response.json().error.code]);
    }
    expect(answers).toEqual([
      [404, 'NOT_FOUND'],
      [404, 'NOT_FOUND'],
    ]);
    // Someone else's valid invite does not tell either: the address must be the invited one.
    const other = await invite(email('someone-else'));
    const probe = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: {
        email: taken,
        password: PASSWORD,
        displayName: 'Prober',
        inviteToken: other.token,
      },
    });
    expect(probe.statusCode).toBe(403);
    expect((await t.db.query('SELECT 1 FROM users WHERE email = $1', [free])).length).toBe(0);
  });

  it('a viewer cannot invite (403); owner, unknown roles and bad addresses are 400', async () => {
    const viewer = await newMember(t, orgId, email('viewer'), 'viewer');
    const denied = await viewer.post(invitesUrl(), { email: email('x'), role: 'viewer' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('FORBIDDEN');

    const asOwner = await owner.post(invitesUrl(), { email: email('x'), role: 'owner' });
    expect(asOwner.statusCode).toBe(400);
    expect(asOwner.json().error.issues[0].path).toBe('body.role');
    const badEmail = await owner.post(invitesUrl(), { email: 'not an address', role: 'viewer' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().error.issues[0].path).toBe('body.email');
    const extra = await owner.post(invitesUrl(), { email: email('x'), role: 'viewer', x: 1 });
    expect(extra.statusCode).toBe(400);
  });

  it('refuses to invite an existing member (409)', async () => {
    const existing = await newMember(t, orgId, email('member'), 'viewer');
    const response = await owner.post(invitesUrl(), {
      email: existing.session.user.email,
      role: 'admin',
    });
    expect(response.statusCode).toBe(409);
  });

  it('accepting needs a session (401), a token of sane length (400) and a known token (404)', async () => {
    const anonymous = new InjectClient(t.app);
    const created = await invite(email('anon'));
    expect((await anonymous.post('/v1/invites/accept', { token: created.token })).statusCode).toBe(
      401,
    );
    const someone = await signInNewUser(t, email('guesser'));
    const short = await someone.post('/v1/invites/accept', { token: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.issues[0].path).toBe('body.token');
    const unknown = await someone.post('/v1/invites/accept', { token: 'x'.repeat(43) });
    expect(unknown.statusCode).toBe(404);
  });
});
