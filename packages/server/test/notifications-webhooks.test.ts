/**
 * Webhooks, issue 6 item 9 ("webhooks signed with HMAC, with an idempotency key, retries with
 * backoff and a delivery log"), against a real HTTP receiver on 127.0.0.1 and the real
 * dispatcher (with a 10 ms backoff base so retries are quick): the signature verifies with the
 * documented algorithm and a tampered body fails it; a receiver failing twice gets three
 * attempts with one idempotency key; a receiver always failing ends 'failed' after the
 * maximum; redelivery; pattern filtering; management by owners and admins only, validation.
 */
import { createHmac } from 'node:crypto';
import type { WebhookCreated, WebhookDelivery, WebhookPayload } from '@coffer/protocol';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/ids.js';
import { appendAudit, SYSTEM_ACTOR } from '../src/modules/audit/audit-store.js';
import { WebhookDispatcher } from '../src/modules/notifications/webhook-dispatcher.js';
import { verifyWebhook } from '../src/modules/notifications/webhook-signature.js';
import { createOrganisation } from '../src/modules/orgs/store.js';
import { startReceiver, waitFor, type WebhookReceiver } from './notifications-receiver.js';
import {
  bootstrapOwner,
  createTestApp,
  newMember,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

const MAX_ATTEMPTS = 8;

describe('webhooks', () => {
  let t: TestApp;
  let owner: TestClient;
  let dispatcher: WebhookDispatcher;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    ({ owner } = await bootstrapOwner(t.app));
    dispatcher = new WebhookDispatcher({
      db: t.db,
      logger: pino({ level: 'silent' }),
      pollMs: 20,
      backoffBaseMs: 10,
      maxAttempts: MAX_ATTEMPTS,
    });
    dispatcher.start();
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await dispatcher.stop();
    await t.close();
  });

  /** A fresh organisation owned by `owner`, so tests do not see each other's events. */
  const newOrg = (name: string) =>
    t.db.transaction(async (tx) => (await createOrganisation(tx, name, owner.userId)).id);

  const receiver = async (respond?: WebhookReceiver['respond']) => {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  };

  const append = (orgId: string, action: string) =>
    t.db.transaction((tx) =>
      appendAudit(tx, {
        chain: orgId,
        actor: SYSTEM_ACTOR,
        action,
        subject: 'vlt_x',
        details: { n: 1 },
      }),
    );

  async function createHook(orgId: string, url: string, events: string[]) {
    const response = await owner.post(`/v1/orgs/${orgId}/webhooks`, { url, events });
    expect(response.statusCode).toBe(201);
    return response.json<WebhookCreated>();
  }

  const deliveries = async (orgId: string, webhookId: string) => {
    const response = await owner.get(`/v1/orgs/${orgId}/webhooks/${webhookId}/deliveries`);
    expect(response.statusCode).toBe(200);
    return response.json<{ deliveries: WebhookDelivery[] }>().deliveries;
  };

  it('signs each delivery: the documented HMAC verifies, a tampered body does not', async () => {
    const orgId = await newOrg('Signed');
    const r = await receiver();
    const hook = await createHook(orgId, r.url, ['*']);
    expect(hook.secret).toMatch(/^whsec_/);
    const entry = await append(orgId, 'vault.activated');
    await waitFor('the delivery', () => r.received.length === 1);

    const [got] = r.received;
    const timestamp = String(got!.headers['coffer-webhook-timestamp']);
    const signature = String(got!.headers['coffer-webhook-signature']);
    expect(got!.headers['coffer-webhook-id']).toBe(`${orgId}:${entry.seq}`);
    expect(got!.headers['content-type']).toBe('application/json');
    // NOTIFICATIONS.md: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
    const expected = createHmac('sha256', hook.secret)
      .update(`${timestamp}.${got!.body}`)
      .digest('hex');
    expect(signature).toBe(`v1=${expected}`);
    expect(verifyWebhook({ secret: hook.secret, body: got!.body, timestamp, signature })).toBe(
      true,
    );
    const tampered = got!.body.replace('vault.activated', 'vault.activatee');
    expect(verifyWebhook({ secret: hook.secret, body: tampered, timestamp, signature })).toBe(
      false,
    );
    expect(verifyWebhook({ secret: 'whsec_other', body: got!.body, timestamp, signature })).toBe(
      false,
    );
    const late = Number(timestamp) + 301;
    expect(
      verifyWebhook({
        secret: hook.secret,
        body: got!.body,
        timestamp,
        signature,
        nowSeconds: late,
      }),
    ).toBe(false);

    const payload = JSON.parse(got!.body) as WebhookPayload;
    expect(payload).toEqual({ id: `${orgId}:${entry.seq}`, event: 'vault.activated', entry });
    // Entries before the webhook existed (the organisation's creation) are not sent.
    expect(r.received).toHaveLength(1);
  });

  it('retries a failing receiver with the same idempotency key until it answers 2xx', async () => {
    const orgId = await newOrg('Flaky');
    const r = await receiver((_, earlier) => (earlier < 2 ? 503 : 204));
    const hook = await createHook(orgId, r.url, ['signature.*']);
    const entry = await append(orgId, 'signature.requested');
    await waitFor(
      'delivered',
      async () => (await deliveries(orgId, hook.id))[0]?.status === 'delivered',
    );

    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((x) => x.headers['coffer-webhook-id']))).toEqual(
      new Set([`${orgId}:${entry.seq}`]),
    );
    const [log] = await deliveries(orgId, hook.id);
    expect(log).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 204,
      lastError: null,
      nextAttemptAt: null,
      eventId: `${orgId}:${entry.seq}`,
      event: 'signature.requested',
    });
    expect(log!.deliveredAt).not.toBeNull();
  });

  it("marks a delivery 'failed' after the maximum attempts; redelivery sends it again", async () => {
    const orgId = await newOrg('Down');
    const r = await receiver(() => 500);
    const hook = await createHook(orgId, r.url, ['*']);
    await append(orgId, 'vault.failed');
    await waitFor('failed', async () => (await deliveries(orgId, hook.id))[0]?.status === 'failed');
    const [failed] = await deliveries(orgId, hook.id);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      lastStatusCode: 500,
      lastError: 'HTTP 500',
      nextAttemptAt: null,
    });
    expect(r.received).toHaveLength(MAX_ATTEMPTS);

    r.respond = () => 200;
    const url = `/v1/orgs/${orgId}/webhooks/${hook.id}/deliveries/${failed!.id}/redeliver`;
    const again = await owner.post(url);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: failed!.id, status: 'pending', attempts: 0 });
    await waitFor(
      'redelivered',
      async () => (await deliveries(orgId, hook.id))[0]?.status === 'delivered',
    );
    expect((await deliveries(orgId, hook.id))[0]).toMatchObject({
      attempts: 1,
      lastStatusCode: 200,
    });
    expect(r.received).toHaveLength(MAX_ATTEMPTS + 1);
    expect(r.received.at(-1)!.eventId).toBe(failed!.eventId);

    const unknown = `/v1/orgs/${orgId}/webhooks/${hook.id}/deliveries/dlv_${'0'.repeat(32)}/redeliver`;
    expect((await owner.post(unknown)).statusCode).toBe(404);
  });

  it('sends only the events matching the patterns', async () => {
    const orgId = await newOrg('Patterns');
    const signatures = await receiver();
    const activations = await receiver();
    const everything = await receiver();
    const sigHook = await createHook(orgId, signatures.url, ['signature.*']);
    await createHook(orgId, activations.url, ['vault.activated', 'member.added']);
    await createHook(orgId, everything.url, ['*']);
    const actions = [
      'signature.requested',
      'vault.created',
      'vault.activated',
      'signature.approved',
      'signatures.x',
    ];
    for (const action of actions) await append(orgId, action);
    await waitFor('every delivery', () => everything.received.length === actions.length);
    await waitFor(
      'the rest',
      () => signatures.received.length === 2 && activations.received.length === 1,
    );
    const events = (rec: WebhookReceiver) =>
      rec.received.map((x) => (JSON.parse(x.body) as WebhookPayload).event).sort();
    expect(events(signatures)).toEqual(['signature.approved', 'signature.requested']);
    expect(events(activations)).toEqual(['vault.activated']);
    expect(events(everything)).toEqual([...actions].sort());
    expect((await deliveries(orgId, sigHook.id)).map((d) => d.event)).toEqual([
      'signature.approved',
      'signature.requested',
    ]);
  });

  it('is managed by owners and admins: list without secrets, delete; others 403, outsiders 404', async () => {
    const orgId = await newOrg('Managed');
    const admin = await newMember(t, orgId, 'wh-admin@example.org', 'admin');
    const viewer = await newMember(t, orgId, 'wh-viewer@example.org', 'viewer');
    const outsider = await newMember(t, await newOrg('Elsewhere'), 'wh-out@example.org', 'owner');
    const body = { url: 'https://hooks.example.org/coffer', events: ['*'], description: 'ops' };

    const created = await admin.post(`/v1/orgs/${orgId}/webhooks`, body);
    expect(created.statusCode).toBe(201);
    const hook = created.json<WebhookCreated>();
    expect(hook).toMatchObject({ url: body.url, events: ['*'], description: 'ops', orgId });
    const list = await admin.get(`/v1/orgs/${orgId}/webhooks`);
    const { secret, ...shown } = hook;
    expect(list.json()).toEqual({ webhooks: [shown] });
    expect(list.body).not.toContain(secret);

    const base = `/v1/orgs/${orgId}/webhooks`;
    for (const response of [
      await viewer.post(base, body),
      await viewer.get(base),
      await viewer.get(`${base}/${hook.id}/deliveries`),
      await viewer.delete(`${base}/${hook.id}`),
      await viewer.post(`${base}/${hook.id}/deliveries/dlv_${'0'.repeat(32)}/redeliver`),
    ]) {
      expect(response.statusCode).toBe(403);
    }
    expect((await outsider.get(base)).statusCode).toBe(404);
    expect((await outsider.delete(`${base}/${hook.id}`)).statusCode).toBe(404);
    expect((await t.app.inject({ url: base })).statusCode).toBe(401);

    // A delivery another replica is attempting right now cannot be redelivered.
    const inFlight = newId('dlv');
    await t.db.query(
      `INSERT INTO webhook_deliveries (id, webhook_id, chain, seq, action, status, attempts,
         leased_by, lease_until)
       VALUES ($1, $2, $3, 1, 'organisation.created', 'delivering', 1, 'elsewhere',
         now() + interval '1 hour')`,
      [inFlight, hook.id, orgId],
    );
    const busy = await admin.post(`${base}/${hook.id}/deliveries/${inFlight}/redeliver`);
    expect(busy.statusCode).toBe(409);
    expect((await admin.get(`${base}/${hook.id}/deliveries`)).json()).toMatchObject({
      deliveries: [{ id: inFlight, status: 'delivering', attempts: 1, eventId: `${orgId}:1` }],
    });

    expect((await admin.delete(`${base}/${hook.id}`)).json()).toEqual({ ok: true });
    expect((await admin.delete(`${base}/${hook.id}`)).statusCode).toBe(404);
    expect((await admin.get(`${base}/${hook.id}/deliveries`)).statusCode).toBe(404);
    expect((await admin.get(base)).json()).toEqual({ webhooks: [] });
  });

  it.each([
    [{ url: 'ftp://example.org/x', events: ['*'] }, 'body.url'],
    [{ url: 'http://example.org/hook', events: ['*'] }, 'body.url'],
    [{ url: 'https://user:pw@example.org/hook', events: ['*'] }, 'body.url'],
    [{ url: 'not a url', events: ['*'] }, 'body.url'],
    [{ url: 'https://example.org/hook', events: [] }, 'body.events'],
    [{ url: 'https://example.org/hook', events: ['Signature Requested'] }, 'body.events.0'],
    [{ url: 'https://example.org/hook', events: ['signature.*.x'] }, 'body.events.0'],
    [{ url: 'https://example.org/hook' }, 'body.events'],
  ])('refuses %j with 400 naming %s', async (body, path) => {
    const orgId = await newOrg('Validation');
    const response = await owner.post(`/v1/orgs/${orgId}/webhooks`, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const issues = response.json<{ error: { issues: { path: string }[] } }>().error.issues;
    expect(issues.map((i) => i.path)).toContain(path);
  });
});
