/**
 * External approver configuration (issue 6, item 7; EXTERNAL-APPROVERS.md "Configure an
 * endpoint"): owners and admins add an endpoint (201, its HMAC secret shown once, the answer
 * key stored lowercase), read, list (never a secret) and delete it, each change audited in its
 * own transaction; duplicates are 409; the routes refuse bad input with 400 naming the field
 * (URLs as webhooks: https, plain http only to loopback; answer keys that are not a usable
 * Ed25519 point), no session with 401, other roles with 403 and other organisations with 404.
 * `externalApproverKeys` gives the keys published policy directories carry.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { CreatedExternalApprover, ExternalApprover } from '@coffer/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalApproverKeys } from '../src/modules/external-approvers/store.js';
import { createOrganisation } from '../src/modules/orgs/store.js';
import {
  bootstrapOwner,
  createTestApp,
  newMember,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

let t: TestApp;
let owner: TestClient;
let admin: TestClient;
let viewer: TestClient;
let outsider: TestClient;
let orgId: string;
let base: string;

const answerKey = () => bytesToHex(ed25519.keygen().publicKey);
const body = (id: string, publicKey = answerKey()) => ({
  id,
  name: `${id} screening`,
  url: `https://${id}.example.org/coffer`,
  publicKey,
});

const auditOf = (subject: string) =>
  t.db.query<{ action: string; actor_id: string; details: Record<string, unknown> }>(
    `SELECT action, actor_id, details FROM audit_log
     WHERE chain = $1 AND subject = $2 AND action LIKE 'external-approver.%' ORDER BY seq`,
    [orgId, subject],
  );

beforeAll(async () => {
  t = await createTestApp();
  ({ owner, orgId } = await bootstrapOwner(t.app));
  admin = await newMember(t, orgId, 'ext-admin@example.org', 'admin');
  viewer = await newMember(t, orgId, 'ext-viewer@example.org', 'viewer');
  const elsewhere = await t.db.transaction(
    async (tx) => (await createOrganisation(tx, 'Elsewhere', owner.userId)).id,
  );
  outsider = await newMember(t, elsewhere, 'ext-outsider@example.org', 'owner');
  base = `/v1/orgs/${orgId}/external-approvers`;
});
afterAll(() => t.close());

describe('external approver configuration', () => {
  it('adds an endpoint with its secret once, reads and lists it without the secret, audited', async () => {
    const key = answerKey();
    const created = await admin.post(base, { ...body('aml'), publicKey: key.toUpperCase() });
    expect(created.statusCode).toBe(201);
    const approver = created.json<CreatedExternalApprover>();
    expect(approver).toMatchObject({
      id: 'aml',
      orgId,
      name: 'aml screening',
      url: 'https://aml.example.org/coffer',
      publicKey: key,
    });
    expect(approver.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const { secret, ...shown } = approver;

    const one = await viewer.get(`${base}/aml`);
    expect(one.statusCode).toBe(200);
    expect(one.json<ExternalApprover>()).toEqual(shown);
    const list = await viewer.get(base);
    expect(list.json()).toEqual({ approvers: [shown] });
    expect(list.body).not.toContain(secret);
    expect(one.body).not.toContain(secret);

    expect(await auditOf('aml')).toEqual([
      {
        action: 'external-approver.created',
        actor_id: admin.userId,
        details: { url: 'https://aml.example.org/coffer', publicKey: key },
      },
    ]);
    expect(await externalApproverKeys(t.db, orgId)).toEqual([
      { endpointId: 'aml', publicKey: key },
    ]);
  });

  it('refuses a duplicate id with 409 and keeps the first endpoint', async () => {
    const first = await owner.post(base, body('kyc'));
    expect(first.statusCode).toBe(201);
    const again = await owner.post(base, body('kyc'));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'CONFLICT' } });
    expect((await owner.get(`${base}/kyc`)).json<ExternalApprover>().publicKey).toBe(
      first.json<ExternalApprover>().publicKey,
    );
    expect((await auditOf('kyc')).map((a) => a.action)).toEqual(['external-approver.created']);
  });

  it('deletes an endpoint (audited); its key leaves the directory keys; a second delete is 404', async () => {
    expect((await owner.post(base, body('risk'))).statusCode).toBe(201);
    const deleted = await owner.delete(`${base}/risk`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ ok: true });
    expect((await owner.get(`${base}/risk`)).statusCode).toBe(404);
    expect((await owner.delete(`${base}/risk`)).statusCode).toBe(404);
    expect((await auditOf('risk')).map((a) => [a.action, a.actor_id])).toEqual([
      ['external-approver.created', owner.userId],
      ['external-approver.deleted', owner.userId],
    ]);
    const keys = await externalApproverKeys(t.db, orgId);
    expect(keys.map((k) => k.endpointId)).not.toContain('risk');
  });

  it('is for owners and admins to change; members of other organisations see nothing; 401 without a session', async () => {
    expect((await owner.post(base, body('sanctions'))).statusCode).toBe(201);
    for (const response of [
      await viewer.post(base, body('viewer-made')),
      await viewer.delete(`${base}/sanctions`),
    ]) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    for (const response of [
      await outsider.get(base),
      await outsider.get(`${base}/sanctions`),
      await outsider.post(base, body('outsider-made')),
      await outsider.delete(`${base}/sanctions`),
    ]) {
      expect(response.statusCode).toBe(404);
    }
    for (const [method, url] of [
      ['GET', base],
      ['GET', `${base}/sanctions`],
      ['POST', base],
      ['DELETE', `${base}/sanctions`],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        ...(method === 'POST' ? { payload: body('anonymous') } : {}),
      });
      expect(response.statusCode).toBe(401);
    }
    expect((await owner.get(`${base}/sanctions`)).statusCode).toBe(200);
    const ids = (await owner.get(base)).json<{ approvers: { id: string }[] }>().approvers;
    expect(ids.map((a) => a.id)).not.toEqual(
      expect.arrayContaining(['viewer-made', 'outsider-made', 'anonymous']),
    );
    expect((await auditOf('viewer-made')).length + (await auditOf('anonymous')).length).toBe(0);
  });

  const smallOrder = '01' + '00'.repeat(31); // the identity point
  const notAPoint = '02' + '00'.repeat(31); // y = 2 has no x on edwards25519
  it.each([
    [{ url: 'http://aml.example.org/coffer' }, 'body.url'],
    [{ url: 'https://user:pw@aml.example.org/coffer' }, 'body.url'],
    [{ url: 'ftp://aml.example.org/coffer' }, 'body.url'],
    [{ url: 'not a url' }, 'body.url'],
    [{ publicKey: 'zz' }, 'body.publicKey'],
    [{ publicKey: 'ab'.repeat(31) }, 'body.publicKey'],
    [{ publicKey: smallOrder }, 'body.publicKey'],
    [{ publicKey: notAPoint }, 'body.publicKey'],
    [{ id: 'has space' }, 'body.id'],
    [{ id: '' }, 'body.id'],
    [{ name: '   ' }, 'body.name'],
    [{ extra: true }, 'extra'],
  ])('refuses %j with 400 naming %s', async (change, field) => {
    const response = await owner.post(base, { ...body('invalid'), ...change });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const issues = response.json<{ error: { issues: { path: string; message: string }[] } }>().error
      .issues;
    // An unknown key is reported on the body itself, its name in the message.
    expect(issues.map((i) => (field === 'extra' ? i.message : i.path)).join('\n')).toContain(field);
    expect((await owner.get(`${base}/invalid`)).statusCode).toBe(404);
  });

  it('accepts plain http to a loopback address (development)', async () => {
    const response = await owner.post(base, {
      ...body('local'),
      url: 'http://127.0.0.1:9999/coffer',
    });
    expect(response.statusCode).toBe(201);
  });
});
