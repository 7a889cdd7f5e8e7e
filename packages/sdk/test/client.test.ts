/**
 * CofferClient against the real server app listening on a loopback port (no mocks): the
 * first-run bootstrap, login with the session cookie and the CSRF token handled by the
 * client, resuming a saved session, logout, and every kind of error answer turned into a
 * CofferApiError with the API's stable code (and the client's own UNREACHABLE).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_TOKEN, PASSWORD } from '../../server/test/support/test-app.js';
import { CofferClient, fillPath, routes } from '../src/index.js';
import { apiError, startLiveApp, type LiveApp } from './support/live-app.js';

describe('CofferClient over HTTP', () => {
  let live: LiveApp;
  let baseUrl: string;
  const owner = { email: 'owner@example.org', password: PASSWORD };

  beforeAll(async () => {
    live = await startLiveApp({ registration: 'open' });
    baseUrl = live.baseUrl;
  });
  afterAll(async () => live.close());

  it('bootstraps the owner and keeps the session it starts', async () => {
    const coffer = new CofferClient({ baseUrl });
    expect(await coffer.bootstrapStatus()).toEqual({ bootstrapped: false });
    const session = await coffer.bootstrap({
      token: BOOTSTRAP_TOKEN,
      email: 'Owner@Example.org',
      password: PASSWORD,
      displayName: 'Owner',
      organisation: 'Acme',
    });
    expect(session.user.email).toBe('owner@example.org');
    expect(coffer.sessionCredentials?.csrfToken).toBe(session.csrfToken);
    expect((await coffer.me()).id).toBe(session.user.id);
    const { memberships } = await coffer.listOrgs();
    expect(memberships.map((m) => [m.organisation.name, m.role])).toEqual([['Acme', 'owner']]);
    expect(await coffer.bootstrapStatus()).toEqual({ bootstrapped: true });
  });

  it('logs in, sends the CSRF token on changes, and resumes a saved session', async () => {
    const coffer = new CofferClient({ baseUrl });
    await coffer.login(owner);
    const created = await coffer.createOrg({ name: 'Treasury' });
    expect(created.id).toMatch(/^org_[0-9a-f]{32}$/);
    expect((await coffer.getOrg(created.id)).name).toBe('Treasury');

    const saved = coffer.sessionCredentials!;
    const resumed = new CofferClient({ baseUrl, session: saved });
    expect((await resumed.session()).user.email).toBe('owner@example.org');
    expect((await resumed.createOrg({ name: 'Ops' })).name).toBe('Ops');

    const forged = new CofferClient({ baseUrl, session: { ...saved, csrfToken: 'forged' } });
    expect((await forged.me()).email).toBe('owner@example.org'); // GET needs no CSRF token
    const refused = await apiError(forged.createOrg({ name: 'Nope' }));
    expect([refused.status, refused.code]).toEqual([403, 'CSRF_FAILED']);
  });

  it('logout ends the session on the server and forgets it in the client', async () => {
    const coffer = new CofferClient({ baseUrl });
    await coffer.login(owner);
    const saved = coffer.sessionCredentials!;
    expect(await coffer.logout()).toEqual({ ok: true });
    expect(coffer.sessionCredentials).toBeUndefined();
    const stale = await apiError(new CofferClient({ baseUrl, session: saved }).me());
    expect([stale.status, stale.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('turns error answers into CofferApiError with the stable code', async () => {
    const anonymous = new CofferClient({ baseUrl });
    const wrongPassword = await apiError(
      anonymous.login({ email: owner.email, password: 'not the password' }),
    );
    expect([wrongPassword.status, wrongPassword.code]).toEqual([401, 'UNAUTHENTICATED']);

    const noSession = await apiError(anonymous.listOrgs());
    expect([noSession.status, noSession.code]).toEqual([401, 'UNAUTHENTICATED']);

    const invalid = await apiError(anonymous.login({ email: 'not-an-email', password: 'x' }));
    expect([invalid.status, invalid.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(invalid.issues.map((i) => i.path).join(' ')).toContain('email');
    expect(invalid.describe()).toMatch(/^VALIDATION_FAILED: .*email/);

    const badKey = await apiError(new CofferClient({ baseUrl, apiKey: 'k'.repeat(40) }).me());
    expect([badKey.status, badKey.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it("answers 404 for another organisation's data", async () => {
    const outsider = new CofferClient({ baseUrl });
    await outsider.register({
      email: 'outsider@example.org',
      password: PASSWORD,
      displayName: 'O',
    });
    const ownerClient = new CofferClient({ baseUrl });
    await ownerClient.login(owner);
    const acme = (await ownerClient.listOrgs()).memberships[0]!.organisation.id;
    const hidden = await apiError(outsider.getOrg(acme));
    expect([hidden.status, hidden.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('authenticates with an API key (Bearer, no CSRF) until it is revoked', async () => {
    const ownerClient = new CofferClient({ baseUrl });
    await ownerClient.login(owner);
    const orgId = (await ownerClient.listOrgs()).memberships[0]!.organisation.id;
    const created = await ownerClient.createApiKey(orgId, { name: 'ci', role: 'viewer' });
    expect(created.secret).toMatch(/^coffer_/);
    const machine = new CofferClient({ baseUrl, apiKey: created.secret });
    expect((await machine.getOrg(orgId)).id).toBe(orgId);
    const listed = (await ownerClient.listApiKeys(orgId)).apiKeys.map((k) => k.id);
    expect(listed).toContain(created.id);
    expect(await ownerClient.revokeApiKey(orgId, created.id)).toEqual({ ok: true });
    const revoked = await apiError(machine.getOrg(orgId));
    expect([revoked.status, revoked.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('reports an unreachable server as UNREACHABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const error = await apiError(new CofferClient({ baseUrl: `http://127.0.0.1:${port}` }).me());
    expect([error.status, error.code]).toEqual([0, 'UNREACHABLE']);
  });

  it("has a route for every operation in the server's OpenAPI document, and no other", async () => {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map(
          (m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      )
      .filter((operation) => !/ \/(docs|openapi)/.test(operation))
      .sort();
    const covered = Object.values(routes)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(covered).toEqual(served);
  });

  it('fills path templates, encoding values and refusing a missing one', () => {
    expect(fillPath('/v1/orgs/:orgId/nodes/:nodeId', { orgId: 'org_1', nodeId: 'a/b' })).toBe(
      '/v1/orgs/org_1/nodes/a%2Fb',
    );
    expect(() => fillPath('/v1/orgs/:orgId', {})).toThrow(/orgId/);
    expect(
      () => new CofferClient({ baseUrl, apiKey: 'k', session: { token: 't', csrfToken: 'c' } }),
    ).toThrow(/not both/);
  });
});
