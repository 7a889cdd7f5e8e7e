import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BOOTSTRAP_TOKEN,
  PASSWORD,
  bootstrapOwner,
  createTestApp,
  register,
  type TestApp,
} from './support/test-app.js';

describe('identity', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ registration: 'open' });
  });
  afterEach(async () => t.close());

  it('reports an un-bootstrapped instance and refuses a wrong bootstrap token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/bootstrap' })).json()).toEqual({
      bootstrapped: false,
    });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v1/bootstrap',
      payload: {
        token: 'x'.repeat(32),
        email: 'a@example.org',
        password: PASSWORD,
        displayName: 'A',
        organisation: 'A',
      },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('FORBIDDEN');
  });

  it('creates the owner once; a second bootstrap is a conflict', async () => {
    const { owner, orgId } = await bootstrapOwner(t.app);
    expect(owner.session.user.email).toBe('owner@example.org');
    const orgs = await owner.get('/v1/orgs');
    expect(orgs.json().memberships).toEqual([
      expect.objectContaining({
        role: 'owner',
        organisation: expect.objectContaining({ id: orgId }),
      }),
    ]);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/bootstrap',
      payload: {
        token: BOOTSTRAP_TOKEN,
        email: 'b@example.org',
        password: PASSWORD,
        displayName: 'B',
        organisation: 'B',
      },
    });
    expect(again.statusCode).toBe(409);
  });

  it('logs in with the right password only, with the same answer for an unknown email', async () => {
    await bootstrapOwner(t.app);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'OWNER@example.org', password: PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.cookies.find((c) => c.name === 'coffer_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'owner@example.org', password: 'not the password' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'nobody@example.org', password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it('refuses a state change made with the session cookie but without the CSRF token', async () => {
    const { owner } = await bootstrapOwner(t.app);
    const cookie = `coffer_session=${(owner as unknown as { cookie: string }).cookie}`;
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/orgs',
      headers: { cookie },
      payload: { name: 'X' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('CSRF_FAILED');
    expect((await owner.post('/v1/orgs', { name: 'X' })).statusCode).toBe(201);
  });

  it('rejects bad input with VALIDATION_FAILED naming the field', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: 'not-an-email', password: 'short', displayName: '' },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['body.email', 'body.password']),
    );
  });

  it('logs out: the old cookie no longer works', async () => {
    await bootstrapOwner(t.app);
    const alice = await register(t.app, 'alice@example.org');
    expect((await alice.post('/v1/auth/logout')).statusCode).toBe(200);
    expect((await alice.get('/v1/me')).statusCode).toBe(401);
  });

  it('keeps registration invite-only by default', async () => {
    const closed = await createTestApp();
    try {
      await bootstrapOwner(closed.app);
      const response = await closed.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email: 'eve@example.org', password: PASSWORD, displayName: 'Eve' },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.message).toMatch(/invitation/);
    } finally {
      await closed.close();
    }
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/auth/login', '/v1/orgs', '/healthz']),
    );
    const docs = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ok',
    });
  });

  it('answers an unknown route with a NOT_FOUND error body', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });
});
