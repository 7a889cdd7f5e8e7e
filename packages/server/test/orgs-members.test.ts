/**
 * Members and roles (issue 5, "Organisations and roles"): listing members, changing roles,
 * removing members and leaving, renaming; the owner-only rules, the last-owner rule, people-only
 * changes (API keys cannot change members), validation errors naming the field, and the audit
 * entries each change leaves in the organisation's chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../src/modules/audit/audit-store.js';
import { membershipRole } from '../src/modules/orgs/store.js';
import {
  bootstrapOwner,
  createTestApp,
  insertApiKey,
  newMember,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

describe('organisation members', () => {
  let t: TestApp;
  let orgId: string;
  let owner: TestClient;
  let counter = 0;
  const email = (label: string) => `${label}-${++counter}@members.example`;
  const member = (userId: string) => `/v1/orgs/${orgId}/members/${userId}`;

  beforeAll(async () => {
    t = await createTestApp();
    ({ owner, orgId } = await bootstrapOwner(t.app));
  });
  afterAll(async () => t.close());

  it('lists members with their roles and email addresses', async () => {
    const viewer = await newMember(t, orgId, email('listed'), 'viewer');
    const response = await viewer.get(`/v1/orgs/${orgId}/members`);
    expect(response.statusCode).toBe(200);
    expect(response.json().members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          role: 'owner',
          user: expect.objectContaining({ id: owner.userId }),
        }),
        expect.objectContaining({
          role: 'viewer',
          user: {
            id: viewer.userId,
            email: viewer.session.user.email,
            displayName: expect.any(String),
          },
        }),
      ]),
    );
  });

  it('an admin changes roles but may not grant, change or remove the owner role', async () => {
    const admin = await newMember(t, orgId, email('admin'), 'admin');
    const target = await newMember(t, orgId, email('target'), 'viewer');
    const promoted = await admin.patch(member(target.userId), { role: 'approver' });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toMatchObject({ role: 'approver', user: { id: target.userId } });

    const grantOwner = await admin.patch(member(target.userId), { role: 'owner' });
    expect(grantOwner.statusCode).toBe(403);
    const demoteOwner = await admin.patch(member(owner.userId), { role: 'viewer' });
    expect(demoteOwner.statusCode).toBe(403);
    const removeOwner = await admin.delete(member(owner.userId));
    expect(removeOwner.statusCode).toBe(403);
    expect(await membershipRole(t.db, orgId, owner.userId)).toBe('owner');
    expect(await membershipRole(t.db, orgId, target.userId)).toBe('approver');
  });

  it('the last owner can never be demoted, removed or leave; with two owners one may go', async () => {
    const lastOwner = await owner.patch(member(owner.userId), { role: 'admin' });
    expect(lastOwner.statusCode).toBe(409);
    expect(lastOwner.json().error.message).toMatch(/last owner/);
    expect((await owner.delete(member(owner.userId))).statusCode).toBe(409);

    const second = await newMember(t, orgId, email('second-owner'), 'admin');
    expect((await owner.patch(member(second.userId), { role: 'owner' })).statusCode).toBe(200);
    // Two owners: the second steps down; the first is then the last again.
    expect((await second.patch(member(second.userId), { role: 'admin' })).statusCode).toBe(200);
    expect((await owner.delete(member(owner.userId))).statusCode).toBe(409);
    expect(await membershipRole(t.db, orgId, owner.userId)).toBe('owner');
  });

  it('an owner removes another owner; anyone may leave, and then sees 404', async () => {
    const coOwner = await newMember(t, orgId, email('co-owner'), 'owner');
    expect((await owner.delete(member(coOwner.userId))).statusCode).toBe(200);
    expect(await membershipRole(t.db, orgId, coOwner.userId)).toBeNull();

    const viewer = await newMember(t, orgId, email('leaver'), 'viewer');
    const left = await viewer.delete(member(viewer.userId));
    expect(left.statusCode).toBe(200);
    expect(left.json()).toEqual({ ok: true });
    expect((await viewer.get(`/v1/orgs/${orgId}`)).statusCode).toBe(404);
  });

  it('a non-admin may not remove someone else', async () => {
    const approver = await newMember(t, orgId, email('approver'), 'approver');
    const other = await newMember(t, orgId, email('other'), 'viewer');
    expect((await approver.delete(member(other.userId))).statusCode).toBe(403);
    expect(await membershipRole(t.db, orgId, other.userId)).toBe('viewer');
  });

  it('unknown members are 404; malformed ids and roles are 400 naming the field', async () => {
    const unknown = `usr_${'0'.repeat(32)}`;
    expect((await owner.patch(member(unknown), { role: 'viewer' })).statusCode).toBe(404);
    expect((await owner.delete(member(unknown))).statusCode).toBe(404);

    const badId = await owner.patch(`/v1/orgs/${orgId}/members/nope`, { role: 'viewer' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.code).toBe('VALIDATION_FAILED');
    expect(badId.json().error.issues[0].path).toBe('params.userId');

    const target = await newMember(t, orgId, email('bad-role'), 'viewer');
    const badRole = await owner.patch(member(target.userId), { role: 'emperor' });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().error.issues[0].path).toBe('body.role');

    const badName = await owner.patch(`/v1/orgs/${orgId}`, { name: '  ' });
    expect(badName.statusCode).toBe(400);
    expect(badName.json().error.issues[0].path).toBe('body.name');
  });

  it('API keys, even admin ones, read members but cannot change them', async () => {
    const key = await insertApiKey(t, { orgId, role: 'admin', createdBy: owner.userId });
    const target = await newMember(t, orgId, email('key-target'), 'viewer');
    expect((await key.get(`/v1/orgs/${orgId}/members`)).statusCode).toBe(200);
    const change = await key.patch(member(target.userId), { role: 'admin' });
    expect(change.statusCode).toBe(403);
    expect(change.json().error.message).toMatch(/logged-in person/);
    expect((await key.delete(member(target.userId))).statusCode).toBe(403);
    const invite = await key.post(`/v1/orgs/${orgId}/invites`, {
      email: email('by-key'),
      role: 'viewer',
    });
    expect(invite.statusCode).toBe(403);
    expect(await membershipRole(t.db, orgId, target.userId)).toBe('viewer');
  });

  it('removing or demoting an admin revokes the API keys they created (and only theirs)', async () => {
    const removed = await newMember(t, orgId, email('key-maker-removed'), 'admin');
    const demoted = await newMember(t, orgId, email('key-maker-demoted'), 'admin');
    const promoted = await newMember(t, orgId, email('key-maker-promoted'), 'admin');
    const removedKey = await insertApiKey(t, { orgId, role: 'admin', createdBy: removed.userId });
    const demotedKey = await insertApiKey(t, { orgId, role: 'admin', createdBy: demoted.userId });
    const keptKey = await insertApiKey(t, { orgId, role: 'admin', createdBy: promoted.userId });
    const ownerKey = await insertApiKey(t, { orgId, role: 'viewer', createdBy: owner.userId });
    const keysUrl = `/v1/orgs/${orgId}/members`;
    for (const key of [removedKey, demotedKey, keptKey, ownerKey]) {
      expect((await key.get(keysUrl)).statusCode).toBe(200);
    }

    expect((await owner.delete(member(removed.userId))).statusCode).toBe(200);
    expect((await owner.patch(member(demoted.userId), { role: 'approver' })).statusCode).toBe(200);
    expect((await owner.patch(member(promoted.userId), { role: 'owner' })).statusCode).toBe(200);

    expect((await removedKey.get(keysUrl)).statusCode).toBe(401);
    expect((await demotedKey.get(keysUrl)).statusCode).toBe(401);
    expect((await keptKey.get(keysUrl)).statusCode).toBe(200);
    expect((await ownerKey.get(keysUrl)).statusCode).toBe(200);
    const revoked = (await listAudit(t.db, orgId)).filter((e) => e.action === 'api-key.revoked');
    expect(revoked.map((e) => [e.subject, e.details])).toEqual(
      expect.arrayContaining([
        [removedKey.id, { reason: 'creator-removed' }],
        [demotedKey.id, { reason: 'creator-demoted' }],
      ]),
    );
    expect(revoked.map((e) => e.subject)).not.toContain(keptKey.id);
  });

  it('renames the organisation and records every change in its audit chain', async () => {
    const renamed = await owner.patch(`/v1/orgs/${orgId}`, { name: 'Acme Treasury' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: orgId, name: 'Acme Treasury' });
    expect((await owner.get(`/v1/orgs/${orgId}`)).json().name).toBe('Acme Treasury');

    const actions = (await listAudit(t.db, orgId)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'member.role-changed',
        'member.removed',
        'member.left',
        'organisation.renamed',
      ]),
    );
  });
});
