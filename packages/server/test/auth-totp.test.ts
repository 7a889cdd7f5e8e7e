/**
 * TOTP two-factor enrolment through the HTTP API (RFC 6238): start with the password, confirm
 * with a first code, then login asks for a code, refuses a wrong or replayed one, and the
 * factor can be turned off with the password and a code. The clock is pinned (only `Date` is
 * faked) to the middle of a 30-second step, so codes for the steps before, at and after it
 * are all inside the ±1 window and the test never depends on when it runs.
 */
import * as OTPAuth from 'otpauth';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PASSWORD,
  bootstrapOwner,
  createTestApp,
  register,
  type TestApp,
} from './support/test-app.js';

const STEP_MS = 30_000;

function codeAt(secret: string, stepOffset: number): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({
    timestamp: Date.now() + stepOffset * STEP_MS,
  });
}

describe('TOTP two-factor authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ registration: 'open' });
    await bootstrapOwner(t.app);
  });
  afterAll(async () => t.close());
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2);
  });
  afterEach(() => vi.useRealTimers());

  const login = (email: string, totp?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password: PASSWORD, ...(totp === undefined ? {} : { totp }) },
    });

  it('enrols, then login needs a fresh code; wrong and replayed codes are refused; disables', async () => {
    const alice = await register(t.app, 'alice@example.org');
    const started = await alice.post('/v1/auth/totp', { password: PASSWORD });
    expect(started.statusCode).toBe(200);
    expect(started.headers['cache-control']).toBe('no-store');
    const { secret, uri } = started.json<{ secret: string; uri: string }>();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = OTPAuth.URI.parse(uri);
    expect(parsed).toBeInstanceOf(OTPAuth.TOTP);
    expect(parsed.secret.base32).toBe(secret);
    expect(parsed.label).toBe('alice@example.org');
    expect(parsed.issuer).toBe('Coffer');

    // Not enabled until confirmed: login still works without a code.
    expect((await login('alice@example.org')).statusCode).toBe(200);
    const wrongConfirm = await alice.post('/v1/auth/totp/confirm', { code: '000000' });
    expect(wrongConfirm.statusCode).toBe(400);
    expect(wrongConfirm.json().error.code).toBe('BAD_REQUEST');
    const confirmed = await alice.post('/v1/auth/totp/confirm', { code: codeAt(secret, -1) });
    expect(confirmed.json()).toEqual({ ok: true });
    expect((await alice.get('/v1/me')).json().totpEnabled).toBe(true);

    const noCode = await login('alice@example.org');
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe('SECOND_FACTOR_REQUIRED');
    const current = codeAt(secret, 0);
    const wrong = current === '123456' ? '654321' : '123456';
    const wrongCode = await login('alice@example.org', wrong);
    expect(wrongCode.statusCode).toBe(401);
    expect(wrongCode.json().error.code).toBe('UNAUTHENTICATED');
    expect((await login('alice@example.org', current)).statusCode).toBe(200);
    const replayed = await login('alice@example.org', current);
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.message).toMatch(/already used/);
    // The confirmation code's (older) step is spent too.
    expect((await login('alice@example.org', codeAt(secret, -1))).statusCode).toBe(401);

    const wrongPassword = await alice.request({
      method: 'DELETE',
      url: '/v1/auth/totp',
      payload: { password: 'not the password', code: codeAt(secret, 1) },
    });
    expect(wrongPassword.statusCode).toBe(403);
    const disabled = await alice.request({
      method: 'DELETE',
      url: '/v1/auth/totp',
      payload: { password: PASSWORD, code: codeAt(secret, 1) },
    });
    expect(disabled.json()).toEqual({ ok: true });
    expect((await alice.get('/v1/me')).json().totpEnabled).toBe(false);
    expect((await login('alice@example.org')).statusCode).toBe(200);
  });

  it('needs the password to start, and refuses to replace an enabled factor', async () => {
    const bob = await register(t.app, 'bob@example.org');
    const wrong = await bob.post('/v1/auth/totp', { password: 'not the password' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.message).toBe('wrong password');
    const notStarted = await bob.post('/v1/auth/totp/confirm', { code: '123456' });
    expect(notStarted.statusCode).toBe(409);

    // Restarting an unconfirmed enrolment replaces the secret.
    const first = (await bob.post('/v1/auth/totp', { password: PASSWORD })).json().secret;
    const second = (await bob.post('/v1/auth/totp', { password: PASSWORD })).json().secret;
    expect(second).not.toBe(first);
    const stale = await bob.post('/v1/auth/totp/confirm', { code: codeAt(first, 0) });
    expect(stale.statusCode).toBe(400);
    expect((await bob.post('/v1/auth/totp/confirm', { code: codeAt(second, 0) })).statusCode).toBe(
      200,
    );
    const again = await bob.post('/v1/auth/totp', { password: PASSWORD });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
    const reconfirm = await bob.post('/v1/auth/totp/confirm', { code: codeAt(second, 1) });
    expect(reconfirm.statusCode).toBe(409);
  });

  it('rejects malformed codes naming the field, and calls without a session', async () => {
    const carol = await register(t.app, 'carol@example.org');
    const bad = await carol.post('/v1/auth/totp/confirm', { code: '12ab56' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.json().error.issues[0].path).toBe('body.code');
    const extra = await carol.post('/v1/auth/totp', { password: PASSWORD, secret: 'AAAA' });
    expect(extra.statusCode).toBe(400);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/totp',
      payload: { password: PASSWORD },
    });
    expect(anonymous.statusCode).toBe(401);
    const notEnabled = await carol.request({
      method: 'DELETE',
      url: '/v1/auth/totp',
      payload: { password: PASSWORD, code: '123456' },
    });
    expect(notEnabled.statusCode).toBe(400);
  });
});
