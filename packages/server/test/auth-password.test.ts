/**
 * Password change (ends every other session of the account) and the login rate limit:
 * the auth routes carry their own per-address limit (AUTH_RATE_LIMIT) on top of the
 * harness's high global one, so the eleventh login attempt in a minute answers 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_RATE_LIMIT } from '../src/modules/auth/rate-limits.js';
import {
  PASSWORD,
  TestClient,
  bootstrapOwner,
  createTestApp,
  register,
  type TestApp,
} from './support/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe('password change', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ registration: 'open' });
    await bootstrapOwner(t.app);
  });
  afterAll(async () => t.close());

  const login = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

  it('changes the password and ends every other session, keeping this one', async () => {
    const laptop = await register(t.app, 'dana@example.org');
    const phone = TestClient.fromResponse(t.app, await login('dana@example.org', PASSWORD));
    const changed = await laptop.post('/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.json()).toEqual({ ok: true });
    expect((await laptop.get('/v1/me')).statusCode).toBe(200);
    expect((await phone.get('/v1/me')).statusCode).toBe(401);
    expect((await login('dana@example.org', PASSWORD)).statusCode).toBe(401);
    expect((await login('dana@example.org', NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('refuses a wrong current password, a weak new one, and a caller without a session', async () => {
    const erin = await register(t.app, 'erin@example.org');
    const wrong = await erin.post('/v1/auth/password', {
      currentPassword: 'not the password',
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('FORBIDDEN');
    const weak = await erin.post('/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.issues.map((i: { path: string }) => i.path)).toEqual([
      'body.newPassword',
    ]);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(anonymous.statusCode).toBe(401);
    expect((await login('erin@example.org', PASSWORD)).statusCode).toBe(200);
  });
});

describe('login rate limit', () => {
  it('answers 429 RATE_LIMITED once an address exceeds the auth limit', async () => {
    const t = await createTestApp();
    try {
      const attempt = () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: 'guess@example.org', password: 'guess' },
        });
      for (let i = 0; i < AUTH_RATE_LIMIT.max; i++) {
        expect((await attempt()).statusCode).toBe(401);
      }
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      // Another address is not affected.
      const other = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        remoteAddress: '192.0.2.7',
        payload: { email: 'guess@example.org', password: 'guess' },
      });
      expect(other.statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });
});
