/**
 * Organisation isolation (issue 5: "tests prove one organisation can never read or change
 * another's data"). The org-scoped routes are DISCOVERED from the app's OpenAPI document
 * (every path with `{orgId}`), so routes other modules add later (nodes, vaults, API keys,
 * audit, …) are covered without editing this file. Path parameters are filled with ids that
 * exist in the target organisation where the database has one (any table with an `org_id`
 * column and a matching id column), else with well-formed random ids. After each attack the
 * whole database must be unchanged (apart from the last-seen/last-used bookkeeping of the
 * attacker's own session or key).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../src/store/database.js';
import type { ApiKeyClient } from './support/test-app.js';
import {
  bootstrapOwner,
  createTestApp,
  insertApiKey,
  newMember,
  signInNewUser,
  type InjectClient,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

interface OrgRoute {
  readonly method: string;
  /** OpenAPI form: /v1/orgs/{orgId}/members/{userId} */
  readonly path: string;
  /** Path parameters other than orgId, with their schema patterns. */
  readonly params: readonly { name: string; pattern: string | undefined }[];
  /** A server-sent-events stream: answers for as long as the caller stays connected. */
  readonly streaming: boolean;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; schema?: { pattern?: string } }[];
        responses?: Record<
          string,
          { content?: Record<string, { schema?: { description?: string } }> }
        >;
      }
    >
  >;
}

async function discoverOrgRoutes(t: TestApp): Promise<OrgRoute[]> {
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
  const routes: OrgRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    if (!path.includes('{orgId}')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const params = (operation.parameters ?? [])
        .filter((p) => p.in === 'path' && p.name !== 'orgId')
        .map((p) => ({ name: p.name, pattern: p.schema?.pattern }));
      const ok = operation.responses?.['200']?.content ?? {};
      const streaming = Object.entries(ok).some(
        ([type, c]) =>
          type === 'text/event-stream' || c.schema?.description === 'text/event-stream',
      );
      routes.push({ method: method.toUpperCase(), path, params, streaming });
    }
  }
  return routes;
}

/**
 * An id matching `pattern` that belongs to `orgId` in some table with an `org_id` column
 * (and, with `notIn`, does not also belong to that other organisation, e.g. a shared member).
 */
async function idInOrg(
  db: Queryable,
  orgId: string,
  param: string,
  pattern: string,
  notIn: string | null = null,
) {
  const column = param.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const candidates = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.columns o ON o.table_schema = c.table_schema
       AND o.table_name = c.table_name AND o.column_name = 'org_id'
     WHERE c.table_schema = 'public' AND c.column_name IN ($1, 'id') AND c.data_type = 'text'
     ORDER BY c.column_name = $1 DESC, c.table_name`,
    [column],
  );
  for (const { table_name, column_name } of candidates) {
    const rows = await db.query<{ id: string }>(
      `SELECT "${column_name}" AS id FROM "${table_name}" x WHERE org_id = $1 AND "${column_name}" ~ $2
       AND NOT EXISTS (SELECT 1 FROM "${table_name}" y
         WHERE y.org_id = $3 AND y."${column_name}" = x."${column_name}")
       ORDER BY 1 LIMIT 1`,
      [orgId, pattern, notIn],
    );
    if (rows[0]) return rows[0].id;
  }
  return undefined;
}

/** A well-formed random id for a pattern like `^vlt_[0-9a-f]{32}$` or `^[0-9a-f]{32}$`. */
function randomIdFor(pattern: string | undefined): string {
  const match = /^\^(?:([a-z]+)_)?\[0-9a-f\]\{(\d+)\}\$$/.exec(pattern ?? '');
  const hex = (n: number) =>
    randomBytes(Math.ceil(n / 2))
      .toString('hex')
      .slice(0, n);
  if (!match) return hex(32);
  return `${match[1] ? `${match[1]}_` : ''}${hex(Number(match[2]))}`;
}

/** Fills a route's path: `orgId`, then ids of `idsFrom` that `orgId` does not share (or random ones). */
async function urlFor(db: Queryable, route: OrgRoute, orgId: string, idsFrom: string) {
  let url = route.path.replace('{orgId}', orgId);
  let found = 0;
  for (const { name, pattern } of route.params) {
    const existing =
      pattern === undefined
        ? undefined
        : await idInOrg(db, idsFrom, name, pattern, idsFrom === orgId ? null : orgId);
    if (existing !== undefined) found++;
    url = url.replace(`{${name}}`, existing ?? randomIdFor(pattern));
  }
  return { url, allParamsExist: found === route.params.length, someParamExists: found > 0 };
}

/** Every row of every table, minus the attacker's own last-seen/last-used bookkeeping. */
async function snapshot(db: Queryable): Promise<Record<string, string[]>> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const result: Record<string, string[]> = {};
  for (const { table_name } of tables) {
    const rows = await db.query<{ row: string }>(
      `SELECT (to_jsonb(x) - 'last_seen_at' - 'last_used_at')::text AS row FROM "${table_name}" x
       ORDER BY 1`,
    );
    result[table_name] = rows.map((r) => r.row);
  }
  return result;
}

function send(client: InjectClient, method: string, url: string) {
  const withBody = ['POST', 'PUT', 'PATCH'].includes(method);
  return client.request({ method: method as 'GET', url, ...(withBody ? { payload: {} } : {}) });
}

describe('organisation isolation', () => {
  let t: TestApp;
  let routes: OrgRoute[];
  let orgA: string;
  let orgB: string;
  let ownerB: TestClient;
  const attackers: { name: string; client: InjectClient }[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    const a = await bootstrapOwner(t.app, 'owner@a.example');
    orgA = a.orgId;
    const adminA = await newMember(t, orgA, 'admin@a.example', 'admin');
    const keyA = await insertApiKey(t, { orgId: orgA, role: 'admin', createdBy: a.owner.userId });
    attackers.push(
      { name: "org A's owner", client: a.owner },
      { name: "org A's admin", client: adminA },
      { name: 'an admin API key of org A (Bearer)', client: keyA },
    );
    ownerB = await signInNewUser(t, 'owner@b.example');
    orgB = (await ownerB.post('/v1/orgs', { name: 'Org B' })).json<{ id: string }>().id;
    await newMember(t, orgB, 'admin@b.example', 'admin');
    await newMember(t, orgB, 'viewer@b.example', 'viewer');
    await insertApiKey(t, { orgId: orgB, role: 'viewer', createdBy: ownerB.userId });
    const inviteB = await ownerB.post(`/v1/orgs/${orgB}/invites`, {
      email: 'invitee@b.example',
      role: 'approver',
    });
    expect(inviteB.statusCode).toBe(201);
    // Org A has its own invite and members, for the "org B's path, org A's ids" case.
    expect(
      (await a.owner.post(`/v1/orgs/${orgA}/invites`, { email: 'x@a.example', role: 'viewer' }))
        .statusCode,
    ).toBe(201);
    // Both organisations configure an external approver (policy ids are not prefixed, so the
    // id finder needs a real row to pick).
    for (const [client, orgId] of [
      [ownerB, orgB],
      [a.owner, orgA],
    ] as const) {
      const created = await client.post(`/v1/orgs/${orgId}/external-approvers`, {
        id: `aml-${orgId.slice(-6)}`,
        name: 'AML',
        url: 'https://aml.example.com/coffer',
        publicKey: '11'.repeat(32),
      });
      expect(created.statusCode).toBe(201);
    }
    routes = await discoverOrgRoutes(t);
  });
  afterAll(async () => t.close());

  it('discovers the org-scoped routes from the OpenAPI document', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /v1/orgs/{orgId}',
        'PATCH /v1/orgs/{orgId}',
        'GET /v1/orgs/{orgId}/members',
        'PATCH /v1/orgs/{orgId}/members/{userId}',
        'DELETE /v1/orgs/{orgId}/members/{userId}',
        'POST /v1/orgs/{orgId}/invites',
        'GET /v1/orgs/{orgId}/invites',
        'DELETE /v1/orgs/{orgId}/invites/{inviteId}',
      ]),
    );
  });

  it("org B's owner reads its own routes with the same ids (control: the ids are real)", async () => {
    // Streams never end under inject; their own tests (notifications-*.test.ts) cover them.
    for (const route of routes.filter((r) => r.method === 'GET' && !r.streaming)) {
      const { url, allParamsExist } = await urlFor(t.db, route, orgB, orgB);
      if (!allParamsExist) continue;
      const response = await ownerB.get(url);
      expect(response.statusCode, `${route.method} ${url}: ${response.body}`).toBeLessThan(300);
    }
  });

  it("org A's owner, admin and API key get 404 on every route of org B; nothing changes", async () => {
    for (const { name, client } of attackers) {
      for (const route of routes) {
        const { url } = await urlFor(t.db, route, orgB, orgB);
        const before = await snapshot(t.db);
        const response = await send(client, route.method, url);
        const what = `${name}: ${route.method} ${url}`;
        expect(response.statusCode, `${what}: ${response.body}`).toBe(404);
        expect(response.json().error.code, what).toBe('NOT_FOUND');
        expect(response.body, what).not.toContain('Org B');
        expect(await snapshot(t.db), what).toEqual(before);
      }
    }
  });

  it("a member of both organisations cannot reach org A's records through org B's routes", async () => {
    const both = await newMember(t, orgB, 'both@example.org', 'owner');
    await t.db.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'viewer')", [
      orgA,
      both.userId,
    ]);
    for (const route of routes) {
      const { url, someParamExists } = await urlFor(t.db, route, orgB, orgA);
      if (!someParamExists) continue;
      const before = await snapshot(t.db);
      const response = await send(both, route.method, url);
      const what = `${route.method} ${url}`;
      // The body may be refused first (400); it must never succeed or touch org A's record.
      expect([400, 404], `${what}: ${response.body}`).toContain(response.statusCode);
      expect(await snapshot(t.db), what).toEqual(before);
    }
  });

  it("org A's owner cannot accept org B's invite issued to someone else", async () => {
    const created = await ownerB.post(`/v1/orgs/${orgB}/invites`, {
      email: 'second-invitee@b.example',
      role: 'admin',
    });
    const before = await snapshot(t.db);
    const response = await attackers[0]!.client.post('/v1/invites/accept', {
      token: created.json<{ token: string }>().token,
    });
    expect(response.statusCode).toBe(403);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('the API key test client really authenticates (a control for the 404s above)', async () => {
    const key = attackers[2]!.client as ApiKeyClient;
    expect((await key.get(`/v1/orgs/${orgA}/members`)).statusCode).toBe(200);
  });
});
