/**
 * API keys through the HTTP API: owners and admins create them (secret answered once, stored
 * as its SHA-256), machines use them with `Authorization: Bearer`, inside their own
 * organisation only, and a revoked key is refused at once. Listing never shows a secret or
 * its hash; viewers cannot manage keys, no key can be an owner, and an API key cannot call
 * the routes reserved for people (managing keys, passkeys, the account).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { CreatedApiKey, Role } from '@coffer/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../src/ids.js';
import { addMember } from '../src/modules/orgs/store.js';
import {
  bootstrapOwner,
  createTestApp,
  register,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

describe('API keys', () => {
  let t: TestApp;
  let owner: TestClient;
  let orgId: string;
  beforeAll(async () => {
    t = await createTestApp({ registration: 'open' });
    ({ owner, orgId } = await bootstrapOwner(t.app));
  });
  afterAll(async () => t.close());

  const keysUrl = (org: string) => `/v1/orgs/${org}/api-keys`;
  const approvalKey = () => bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));

  /** Sends a request as a machine: the Bearer header only (no cookie, no CSRF token). */
  const bearer = (
    secret: string,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secret}` },
      ...(payload === undefined ? {} : { payload }),
    });

  async function member(email: string, role: Role): Promise<TestClient> {
    const client = await register(t.app, email);
    await addMember(t.db, orgId, client.userId, role);
    return client;
  }

  async function createKey(client: TestClient, body: object): Promise<CreatedApiKey> {
    const response = await client.post(keysUrl(orgId), body);
    expect(response.statusCode).toBe(201);
    return response.json<CreatedApiKey>();
  }

  it('creates a key whose secret works as a Bearer token, in its own organisation only', async () => {
    const publicKey = approvalKey();
    const response = await owner.post(keysUrl(orgId), {
      name: 'ci',
      role: 'initiator',
      approvalPublicKey: publicKey.toUpperCase(),
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const created = response.json<CreatedApiKey>();
    expect(created).toMatchObject({
      orgId,
      name: 'ci',
      role: 'initiator',
      approvalPublicKey: publicKey,
      createdBy: owner.userId,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.id).toMatch(/^key_[0-9a-f]{32}$/);
    expect(created.secret).toMatch(/^coffer_[A-Za-z0-9_-]{43}$/);

    const org = await bearer(created.secret, 'GET', `/v1/orgs/${orgId}`);
    expect(org.statusCode).toBe(200);
    expect(org.json().id).toBe(orgId);

    // Another organisation's data is invisible to the key, as if it did not exist.
    const outsider = await register(t.app, 'outsider@example.org');
    const otherOrg = (await outsider.post('/v1/orgs', { name: 'Elsewhere' })).json().id;
    const foreign = await bearer(created.secret, 'GET', `/v1/orgs/${otherOrg}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('NOT_FOUND');

    // Stored hashed: the table holds SHA-256(secret), never the secret.
    const rows = await t.db.query<{ secret_hash: string }>(
      'SELECT secret_hash FROM api_keys WHERE id = $1',
      [created.id],
    );
    expect(rows[0]!.secret_hash).toBe(tokenHash(created.secret));
  });

  it('lists keys without a secret or hash, and a revoked key stops working at once', async () => {
    const created = await createKey(owner, { name: 'reporting', role: 'viewer' });
    expect((await bearer(created.secret, 'GET', `/v1/orgs/${orgId}`)).statusCode).toBe(200);

    const listing = await owner.get(keysUrl(orgId));
    expect(listing.statusCode).toBe(200);
    expect(listing.body).not.toContain(created.secret);
    expect(listing.body).not.toContain(tokenHash(created.secret));
    const listed = listing.json().apiKeys.find((k: { id: string }) => k.id === created.id);
    expect(Object.keys(listed).sort()).toEqual(
      [
        'approvalPublicKey',
        'createdAt',
        'createdBy',
        'id',
        'lastUsedAt',
        'name',
        'orgId',
        'revokedAt',
        'role',
      ].sort(),
    );
    expect(listed.lastUsedAt).not.toBeNull();

    expect((await owner.delete(`${keysUrl(orgId)}/${created.id}`)).json()).toEqual({ ok: true });
    const refused = await bearer(created.secret, 'GET', `/v1/orgs/${orgId}`);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('UNAUTHENTICATED');
    expect((await owner.delete(`${keysUrl(orgId)}/${created.id}`)).statusCode).toBe(404);
    const after = (await owner.get(keysUrl(orgId))).json().apiKeys;
    expect(after.find((k: { id: string }) => k.id === created.id).revokedAt).not.toBeNull();
    const audited = await t.db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE chain = $1 AND subject = $2 ORDER BY seq',
      [orgId, created.id],
    );
    expect(audited.map((row) => row.action)).toEqual(['api-key.created', 'api-key.revoked']);
  });

  it('lets owners and admins manage keys (up to admin), and nobody else', async () => {
    const admin = await member('admin@example.org', 'admin');
    const viewer = await member('viewer@example.org', 'viewer');
    const adminKey = await createKey(admin, { name: 'ops', role: 'admin' });
    expect(adminKey.role).toBe('admin');

    const byViewer = await viewer.post(keysUrl(orgId), { name: 'x', role: 'viewer' });
    expect(byViewer.statusCode).toBe(403);
    expect(byViewer.json().error.code).toBe('FORBIDDEN');
    expect((await viewer.get(keysUrl(orgId))).statusCode).toBe(403);
    expect((await viewer.delete(`${keysUrl(orgId)}/${adminKey.id}`)).statusCode).toBe(403);

    for (const role of ['owner', 'superuser']) {
      const bad = await admin.post(keysUrl(orgId), { name: 'x', role });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
      expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.role']);
    }

    const stranger = await register(t.app, 'stranger@example.org');
    expect((await stranger.post(keysUrl(orgId), { name: 'x', role: 'viewer' })).statusCode).toBe(
      404,
    );
    const strangerOrg = (await stranger.post('/v1/orgs', { name: 'Stranger Ltd' })).json().id;
    // A key id of this organisation is not found through another organisation's path.
    const crossOrg = await stranger.delete(`${keysUrl(strangerOrg)}/${adminKey.id}`);
    expect(crossOrg.statusCode).toBe(404);
    expect((await bearer(adminKey.secret, 'GET', `/v1/orgs/${orgId}`)).statusCode).toBe(200);

    const anonymous = await t.app.inject({
      method: 'POST',
      url: keysUrl(orgId),
      payload: { name: 'x', role: 'viewer' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('never lets an API key manage keys or call routes reserved for people', async () => {
    const { secret } = await createKey(owner, { name: 'automation', role: 'admin' });
    const mint = await bearer(secret, 'POST', keysUrl(orgId), { name: 'child', role: 'viewer' });
    expect(mint.statusCode).toBe(403);
    expect(mint.json().error.message).toMatch(/person/);
    expect((await bearer(secret, 'GET', keysUrl(orgId))).statusCode).toBe(403);
    expect((await bearer(secret, 'GET', '/v1/auth/passkeys')).statusCode).toBe(403);
    expect((await bearer(secret, 'GET', '/v1/me')).statusCode).toBe(403);
    const totp = await bearer(secret, 'POST', '/v1/auth/totp', { password: 'x' });
    expect(totp.statusCode).toBe(403);
    const unknown = await bearer(`coffer_${'A'.repeat(43)}`, 'GET', `/v1/orgs/${orgId}`);
    expect(unknown.statusCode).toBe(401);
  });

  it('validates the approval key and the ids, naming the field', async () => {
    const notAPoint = await owner.post(keysUrl(orgId), {
      name: 'x',
      role: 'approver',
      approvalPublicKey: '02' + '00'.repeat(31),
    });
    expect(notAPoint.statusCode).toBe(400);
    expect(notAPoint.json().error.issues[0].path).toBe('body.approvalPublicKey');
    const smallOrder = await owner.post(keysUrl(orgId), {
      name: 'x',
      role: 'approver',
      approvalPublicKey: '01' + '00'.repeat(31),
    });
    expect(smallOrder.statusCode).toBe(400);
    expect(smallOrder.json().error.issues[0].path).toBe('body.approvalPublicKey');
    const short = await owner.post(keysUrl(orgId), {
      name: 'x',
      role: 'approver',
      approvalPublicKey: 'abcd',
    });
    expect(short.json().error.issues[0].path).toBe('body.approvalPublicKey');
    const noName = await owner.post(keysUrl(orgId), { role: 'viewer' });
    expect(noName.json().error.issues[0].path).toBe('body.name');
    expect((await owner.delete(`${keysUrl(orgId)}/not-a-key-id`)).statusCode).toBe(400);
    expect((await owner.delete(`${keysUrl(orgId)}/key_${'0'.repeat(32)}`)).statusCode).toBe(404);
  });
});
