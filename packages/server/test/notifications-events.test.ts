/**
 * Notifications, issue 6 item 9: the organisation's event stream (server-sent events of its
 * audit entries, over a real HTTP connection) — order, resuming from Last-Event-ID or ?after
 * without loss or duplicates, access (any member; 401, 404, 400 naming the field), the stream
 * ending when the app closes — and GET /v1/me/pending-approvals.
 */
import { SESSION_COOKIE, type AuditEntry } from '@coffer/protocol';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../src/modules/auth/authenticate.js';
import { createSession } from '../src/modules/auth/sessions-store.js';
import { EventStreams } from '../src/modules/notifications/event-stream.js';
import { appendAudit, listAudit, SYSTEM_ACTOR } from '../src/modules/audit/audit-store.js';
import { newId } from '../src/ids.js';
import { waitFor } from './notifications-receiver.js';
import {
  bootstrapOwner,
  createTestApp,
  insertApiKey,
  newMember,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

interface SseEvent {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

/** Reads a text/event-stream response into `events` until it ends or is aborted. */
function readEvents(response: Response) {
  const events: SseEvent[] = [];
  const state = { ended: false, comments: 0 };
  const done = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              state.comments++;
              continue;
            }
            const colon = line.indexOf(':');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          const data = fields.get('data');
          if (data !== undefined) {
            events.push({ id: fields.get('id') ?? '', event: fields.get('event') ?? '', data });
          }
        }
      }
    } catch {
      // aborted by the test
    } finally {
      state.ended = true;
    }
  })();
  return { events, state, done };
}

async function appendMany(t: TestApp, orgId: string, actions: readonly string[]) {
  for (const action of actions) {
    await t.db.transaction((tx) =>
      appendAudit(tx, { chain: orgId, actor: SYSTEM_ACTOR, action, subject: 'subj', details: {} }),
    );
  }
}

describe('GET /v1/orgs/:orgId/events', () => {
  let t: TestApp;
  let base: string;
  let orgId: string;
  let owner: TestClient;
  let viewerKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ owner, orgId } = await bootstrapOwner(t.app));
    viewerKey = (await insertApiKey(t, { orgId, role: 'viewer', createdBy: owner.userId })).secret;
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.close());

  const open = (path: string, headers: Record<string, string> = {}) => {
    const abort = new AbortController();
    const response = fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${viewerKey}`, ...headers },
      signal: abort.signal,
    });
    return { abort, response };
  };

  it('streams every audit entry in order, then new ones as they commit, to any member', async () => {
    const { abort, response } = open(`/v1/orgs/${orgId}/events`);
    const res = await response;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = readEvents(res);
    await appendMany(t, orgId, ['test.one', 'test.two', 'test.three']);
    const all = await listAudit(t.db, orgId);
    await waitFor('every entry', () => stream.events.length >= all.length);
    abort.abort();
    await stream.done;
    expect(stream.events.map((e) => Number(e.id))).toEqual(all.map((e) => e.seq));
    expect(stream.events.map((e) => e.event)).toEqual(all.map((e) => e.action));
    const parsed = stream.events.map((e) => JSON.parse(e.data) as AuditEntry);
    expect(parsed).toEqual(all);
  });

  it('resumes after Last-Event-ID (or ?after) without losing or repeating an entry', async () => {
    const first = open(`/v1/orgs/${orgId}/events`);
    const one = readEvents(await first.response);
    const before = await listAudit(t.db, orgId);
    await waitFor('the backlog', () => one.events.length >= before.length);
    first.abort.abort();
    await one.done;
    const lastSeen = one.events.at(-1)!.id;

    // Entries committed while no one listened.
    await appendMany(t, orgId, ['test.offline-1', 'test.offline-2']);
    const second = open(`/v1/orgs/${orgId}/events`, { 'last-event-id': lastSeen });
    const two = readEvents(await second.response);
    await appendMany(t, orgId, ['test.online']);
    const all = await listAudit(t.db, orgId);
    await waitFor('the rest', () => one.events.length + two.events.length >= all.length);
    second.abort.abort();
    await two.done;
    const seqs = [...one.events, ...two.events].map((e) => Number(e.id));
    expect(seqs).toEqual(all.map((e) => e.seq));
    expect(two.events.map((e) => e.event)).toEqual([
      'test.offline-1',
      'test.offline-2',
      'test.online',
    ]);

    const third = open(`/v1/orgs/${orgId}/events?after=${all.length - 1}`);
    const three = readEvents(await third.response);
    await waitFor('the last entry', () => three.events.length >= 1);
    third.abort.abort();
    await three.done;
    expect(three.events.map((e) => e.event)).toEqual(['test.online']);
  });

  it('refuses a non-member (404), an anonymous caller (401) and a bad resume point (400)', async () => {
    const outsider = await newMember(
      t,
      (await bootstrapOther(t)).orgId,
      'events-out@example.org',
      'owner',
    );
    expect((await outsider.get(`/v1/orgs/${orgId}/events`)).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/v1/orgs/${orgId}/events` })).statusCode).toBe(401);

    const badHeader = await owner.request({
      method: 'GET',
      url: `/v1/orgs/${orgId}/events`,
      headers: { 'last-event-id': 'abc' },
    });
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', issues: [{ path: 'headers.last-event-id' }] },
    });
    const badQuery = await owner.get(`/v1/orgs/${orgId}/events?after=-1`);
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json<{ error: { message: string } }>().error.message).toMatch(/after/);
  });
});

/** Another organisation, made through the store (the instance is bootstrapped once). */
async function bootstrapOther(t: TestApp): Promise<{ orgId: string }> {
  const orgId = newId('org');
  await t.db.query('INSERT INTO organisations (id, name) VALUES ($1, $2)', [orgId, 'Other']);
  return { orgId };
}

describe('the event stream and the app closing', () => {
  it('ends the open streams when the app closes', async () => {
    const t = await createTestApp();
    const { owner, orgId } = await bootstrapOwner(t.app);
    const key = await insertApiKey(t, { orgId, role: 'auditor', createdBy: owner.userId });
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${base}/v1/orgs/${orgId}/events`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    const stream = readEvents(res);
    await waitFor('the first entry', () => stream.events.length > 0);
    await t.close();
    await stream.done;
    expect(stream.state.ended).toBe(true);
  });
});

describe('GET /v1/me/pending-approvals', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function pendingRequest(orgId: string, createdBy: string): Promise<string> {
    const vaultId = newId('vlt');
    await t.db.query(
      `INSERT INTO vaults (id, org_id, name, structure, parties, status, genesis, genesis_hash, created_by)
       VALUES ($1, $2, 'v', '2-of-3', '[]'::jsonb, 'active', '{}'::jsonb, 'h', $3)`,
      [vaultId, orgId, createdBy],
    );
    const requestId = newId('sig');
    await t.db.query(
      `INSERT INTO signature_requests (id, org_id, vault_id, scheme, digest, status, policy_version,
         quorum, intent, initiator, decision, progress, expires_at, created_by)
       VALUES ($1, $2, $3, 'frost-ed25519', 'abcd', 'pending_approval', 1, 2, '{}'::jsonb,
         $5::jsonb, '{}'::jsonb, '{"state":"pending","stage":0,"missing":["2 more"]}'::jsonb,
         now() + interval '1 hour', $4)`,
      [
        requestId,
        orgId,
        vaultId,
        createdBy,
        JSON.stringify({ kind: 'user', id: createdBy, role: 'initiator', principal: createdBy }),
      ],
    );
    return requestId;
  }

  it('lists the requests each approver can still approve, in their organisations only', async () => {
    const { owner, orgId } = await bootstrapOwner(t.app);
    const approver = await newMember(t, orgId, 'pa-approver@example.org', 'approver');
    const viewer = await newMember(t, orgId, 'pa-viewer@example.org', 'viewer');
    const other = await bootstrapOther(t);
    const outsider = await newMember(t, other.orgId, 'pa-out@example.org', 'approver');
    const initiator = await newMember(t, orgId, 'pa-initiator@example.org', 'admin');
    const requestId = await pendingRequest(orgId, initiator.userId);
    await pendingRequest(other.orgId, newId('usr'));

    const mine = await approver.get('/v1/me/pending-approvals');
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({
      requests: [
        { requestId, orgId, quorum: 2, approvals: 0, scheme: 'frost-ed25519', missing: ['2 more'] },
      ],
    });
    // The initiator never waits for their own request.
    expect((await initiator.get('/v1/me/pending-approvals')).json()).toEqual({ requests: [] });
    expect((await owner.get('/v1/me/pending-approvals')).json().requests).toHaveLength(1);
    expect((await viewer.get('/v1/me/pending-approvals')).json()).toEqual({ requests: [] });
    expect((await outsider.get('/v1/me/pending-approvals')).json().requests).toHaveLength(1);
    expect((await outsider.get('/v1/me/pending-approvals')).json().requests[0].orgId).toBe(
      other.orgId,
    );

    // Once the approver has approved, it no longer waits for them (but still for the owner).
    await t.db.query(
      `INSERT INTO signature_approvals (request_id, approver_key_id, scheme, approval, submitted_by)
       VALUES ($1, 'k1', 'ed25519', '{}'::jsonb, $2)`,
      [requestId, approver.userId],
    );
    expect((await approver.get('/v1/me/pending-approvals')).json()).toEqual({ requests: [] });
    expect((await owner.get('/v1/me/pending-approvals')).json()).toMatchObject({
      requests: [{ requestId, approvals: 1 }],
    });

    const approverKey = await insertApiKey(t, { orgId, role: 'approver', createdBy: owner.userId });
    expect((await approverKey.get('/v1/me/pending-approvals')).json().requests).toHaveLength(1);
    const viewerKey = await insertApiKey(t, { orgId, role: 'viewer', createdBy: owner.userId });
    expect((await viewerKey.get('/v1/me/pending-approvals')).json()).toEqual({ requests: [] });
    expect((await t.app.inject({ url: '/v1/me/pending-approvals' })).statusCode).toBe(401);
  });
});

describe('the event stream between events', () => {
  it('sends keep-alive comments, and ends once the caller is no longer a member', async () => {
    const t = await createTestApp();
    const { orgId } = await bootstrapOwner(t.app);
    // The stream itself (EventStreams) behind the real authentication, with short intervals.
    const app = Fastify({ logger: false });
    await app.register(cookie);
    await app.register(authenticate, { db: t.db });
    const streams = new EventStreams({ pollMs: 20, keepAliveMs: 100 });
    app.get('/events', async (request, reply) => {
      streams.stream(t.db, request, reply, orgId, 0);
      return reply;
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await newMember(t, orgId, 'events-removed@example.org', 'viewer');
    const { token } = await createSession(t.db, viewer.userId, 1);
    try {
      const res = await fetch(`${base}/events`, {
        headers: { cookie: `${SESSION_COOKIE}=${token}` },
      });
      expect(res.status).toBe(200);
      const stream = readEvents(res);
      await waitFor('keep-alive comments', () => stream.state.comments >= 2);
      expect(stream.state.ended).toBe(false);
      await t.db.query('DELETE FROM memberships WHERE org_id = $1 AND user_id = $2', [
        orgId,
        viewer.userId,
      ]);
      await stream.done;
      expect(stream.state.ended).toBe(true);
    } finally {
      streams.closeAll();
      await app.close();
      await t.close();
    }
  });
});
