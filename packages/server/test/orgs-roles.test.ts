/**
 * Every organisation route × every role (issue 5, "every route checks membership and role"):
 * an allowed role gets a 2xx and the change happens; any other role gets 403 FORBIDDEN and
 * nothing changes; a signed-in non-member gets 404 and a caller without a session 401.
 * Each call works on its own fresh target (member, invite), so the cases do not interfere.
 */
import { ROLES, type Role } from '@coffer/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite } from '../src/modules/orgs/invites-store.js';
import { membershipRole } from '../src/modules/orgs/store.js';
import {
  bootstrapOwner,
  createTestApp,
  InjectClient,
  newMember,
  signInNewUser,
  type TestApp,
  type TestClient,
} from './support/test-app.js';

const ADMINS: readonly Role[] = ['owner', 'admin'];

interface Outcome {
  readonly response: LightMyRequestResponse;
  /** Whether the call's effect is visible in the database (reads: always false). */
  readonly changed: () => Promise<boolean>;
}

interface RouteCase {
  readonly route: string;
  readonly allowed: readonly Role[];
  /** Runs the call as `client` against `orgId` on fresh targets. */
  readonly run: (client: InjectClient, orgId: string) => Promise<Outcome>;
}

describe('organisation routes × roles', () => {
  let t: TestApp;
  let orgId: string;
  const clients = new Map<Role, TestClient>();
  let outsider: TestClient;
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}@roles.example`;
  const read = (response: LightMyRequestResponse): Outcome => ({
    response,
    changed: () => Promise.resolve(false),
  });
  const freshViewer = async () => (await newMember(t, orgId, unique('target'), 'viewer')).userId;
  const freshInvite = async () =>
    (
      await t.db.transaction((tx) =>
        createInvite(tx, {
          orgId,
          email: unique('invitee'),
          role: 'viewer',
          createdBy: clients.get('owner')!.userId,
        }),
      )
    ).id;
  const inviteRevoked = async (id: string) =>
    (await t.db.query('SELECT 1 FROM invites WHERE id = $1 AND revoked_at IS NOT NULL', [id]))
      .length === 1;

  const cases: RouteCase[] = [
    {
      route: 'GET /v1/orgs/:orgId',
      allowed: ROLES,
      run: async (c, org) => read(await c.get(`/v1/orgs/${org}`)),
    },
    {
      route: 'PATCH /v1/orgs/:orgId',
      allowed: ADMINS,
      run: async (c, org) => {
        const name = `Renamed ${++counter}`;
        const response = await c.patch(`/v1/orgs/${org}`, { name });
        const changed = async () =>
          (await t.db.query('SELECT 1 FROM organisations WHERE id = $1 AND name = $2', [org, name]))
            .length === 1;
        return { response, changed };
      },
    },
    {
      route: 'GET /v1/orgs/:orgId/members',
      allowed: ROLES,
      run: async (c, org) => read(await c.get(`/v1/orgs/${org}/members`)),
    },
    {
      route: 'PATCH /v1/orgs/:orgId/members/:userId',
      allowed: ADMINS,
      run: async (c, org) => {
        const target = await freshViewer();
        const response = await c.patch(`/v1/orgs/${org}/members/${target}`, { role: 'approver' });
        return {
          response,
          changed: async () => (await membershipRole(t.db, orgId, target)) === 'approver',
        };
      },
    },
    {
      route: 'DELETE /v1/orgs/:orgId/members/:userId',
      allowed: ADMINS,
      run: async (c, org) => {
        const target = await freshViewer();
        const response = await c.delete(`/v1/orgs/${org}/members/${target}`);
        return {
          response,
          changed: async () => (await membershipRole(t.db, orgId, target)) === null,
        };
      },
    },
    {
      route: 'POST /v1/orgs/:orgId/invites',
      allowed: ADMINS,
      run: async (c, org) => {
        const email = unique('invited');
        const response = await c.post(`/v1/orgs/${org}/invites`, { email, role: 'initiator' });
        const changed = async () =>
          (await t.db.query('SELECT 1 FROM invites WHERE email = $1', [email])).length === 1;
        return { response, changed };
      },
    },
    {
      route: 'GET /v1/orgs/:orgId/invites',
      allowed: ADMINS,
      run: async (c, org) => read(await c.get(`/v1/orgs/${org}/invites`)),
    },
    {
      route: 'DELETE /v1/orgs/:orgId/invites/:inviteId',
      allowed: ADMINS,
      run: async (c, org) => {
        const invite = await freshInvite();
        const response = await c.delete(`/v1/orgs/${org}/invites/${invite}`);
        return { response, changed: () => inviteRevoked(invite) };
      },
    },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    const boot = await bootstrapOwner(t.app);
    orgId = boot.orgId;
    clients.set('owner', boot.owner);
    for (const role of ROLES.filter((r) => r !== 'owner')) {
      clients.set(role, await newMember(t, orgId, `${role}@roles.example`, role));
    }
    outsider = await signInNewUser(t, 'outsider@roles.example');
  });
  afterAll(async () => t.close());

  describe.each(cases)('$route', ({ route, allowed, run }) => {
    it.each(ROLES)('as %s', async (role) => {
      const { response, changed } = await run(clients.get(role)!, orgId);
      if (allowed.includes(role)) {
        expect(response.statusCode, response.body).toBeGreaterThanOrEqual(200);
        expect(response.statusCode, response.body).toBeLessThan(300);
      } else {
        expect(response.statusCode, response.body).toBe(403);
        expect(response.json().error.code).toBe('FORBIDDEN');
        expect(await changed()).toBe(false);
      }
      if (allowed.includes(role)) {
        // Reads change nothing; every allowed change must be visible.
        expect(await changed()).toBe(!route.startsWith('GET'));
      }
    });

    it('as a signed-in non-member: 404, nothing changed', async () => {
      const { response, changed } = await run(outsider, orgId);
      expect(response.statusCode, response.body).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
      expect(await changed()).toBe(false);
    });

    it('without a session: 401, nothing changed', async () => {
      const { response, changed } = await run(new InjectClient(t.app), orgId);
      expect(response.statusCode, response.body).toBe(401);
      expect(await changed()).toBe(false);
    });
  });
});
