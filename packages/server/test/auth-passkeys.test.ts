/**
 * Passkeys through the HTTP API (WebAuthn L3 §7.1 registration, §7.2 authentication), driven
 * by a software authenticator that builds real attestations and assertions: registration
 * stores the COSE key and the SEC1 point the signing nodes use, login works usernameless and
 * by email, and the server refuses a wrong origin, a missing user-verification flag, a
 * replayed challenge, a counter that goes backwards and another person's passkey.
 * Unauthenticated ceremony calls come from a distinct client address per test, so the auth
 * routes' per-address rate limit is not what a test measures.
 */
import type { PasskeyLoginOptions, PasskeyRegistrationOptions } from '@coffer/protocol';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ORIGIN,
  PASSWORD,
  TestClient,
  bootstrapOwner,
  createTestApp,
  register,
  type TestApp,
} from './support/test-app.js';
import { FLAG_AT, FLAG_UP, SoftAuthenticator } from './support/soft-authenticator.js';

describe('passkeys', () => {
  let t: TestApp;
  let address = 0;
  beforeAll(async () => {
    t = await createTestApp({ registration: 'open' });
    await bootstrapOwner(t.app);
  });
  afterAll(async () => t.close());
  beforeEach(() => {
    address += 1;
  });

  /** An anonymous call from this test's own client address. */
  const anonymous = (url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, payload, remoteAddress: `198.51.100.${address}` });

  async function enrol(client: TestClient, name = 'laptop') {
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = await client.post('/v1/auth/passkeys/registration/options');
    expect(options.statusCode).toBe(200);
    const credential = authenticator.register(options.json<PasskeyRegistrationOptions>());
    const registered = await client.post('/v1/auth/passkeys/registration', {
      name,
      credential,
      currentPassword: PASSWORD,
    });
    expect(registered.statusCode).toBe(201);
    return authenticator;
  }

  async function loginOptions(email?: string): Promise<PasskeyLoginOptions> {
    const response = await anonymous(
      '/v1/auth/passkeys/login/options',
      email === undefined ? {} : { email },
    );
    expect(response.statusCode).toBe(200);
    return response.json<PasskeyLoginOptions>();
  }

  it('registers a passkey with UV required, storing the COSE key and the SEC1 point', async () => {
    const alice = await register(t.app, 'alice@example.org');
    const options = (await alice.post('/v1/auth/passkeys/registration/options')).json();
    expect(options.rp).toEqual({ id: 'localhost', name: 'Coffer' });
    expect(options.user.name).toBe('alice@example.org');
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.pubKeyCredParams[0]).toEqual({ type: 'public-key', alg: -7 });
    const authenticator = new SoftAuthenticator(ORIGIN);
    const registered = await alice.post('/v1/auth/passkeys/registration', {
      name: 'laptop',
      credential: authenticator.register(options),
      currentPassword: PASSWORD,
    });
    expect(registered.statusCode).toBe(201);
    expect(registered.json()).toMatchObject({
      id: authenticator.id,
      name: 'laptop',
      rpId: 'localhost',
      algorithm: -7,
      publicKeySec1: authenticator.publicKeySec1,
      signCount: 0,
      transports: ['internal'],
      lastUsedAt: null,
    });
    const listed = (await alice.get('/v1/auth/passkeys')).json().passkeys;
    expect(listed.map((p: { publicKeySec1: string }) => p.publicKeySec1)).toEqual([
      authenticator.publicKeySec1,
    ]);
    const rows = await t.db.query<{ public_key: Uint8Array; user_id: string }>(
      'SELECT public_key, user_id FROM passkeys WHERE id = $1',
      [authenticator.id],
    );
    expect(Buffer.from(rows[0]!.public_key)).toEqual(Buffer.from(authenticator.cosePublicKey()));
    expect(rows[0]!.user_id).toBe(alice.userId);

    // The next options exclude the registered credential; registering it twice is a conflict.
    const next = (await alice.post('/v1/auth/passkeys/registration/options')).json();
    expect(next.excludeCredentials).toEqual([
      { id: authenticator.id, type: 'public-key', transports: ['internal'] },
    ]);
    const again = await alice.post('/v1/auth/passkeys/registration', {
      name: 'again',
      credential: authenticator.register(next),
      currentPassword: PASSWORD,
    });
    expect(again.statusCode).toBe(409);
  });

  it('logs in usernameless and by email, without a TOTP code, and tracks the counter', async () => {
    const bob = await register(t.app, 'bob@example.org');
    const authenticator = await enrol(bob);
    // Bob also has TOTP on: a password login needs a code, a passkey login does not.
    const { secret } = (await bob.post('/v1/auth/totp', { password: PASSWORD })).json();
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate();
    expect((await bob.post('/v1/auth/totp/confirm', { code })).statusCode).toBe(200);
    const passwordOnly = await anonymous('/v1/auth/login', {
      email: 'bob@example.org',
      password: PASSWORD,
    });
    expect(passwordOnly.json().error.code).toBe('SECOND_FACTOR_REQUIRED');

    const usernameless = await loginOptions();
    expect(usernameless.userVerification).toBe('required');
    expect(usernameless.rpId).toBe('localhost');
    expect(usernameless.allowCredentials ?? []).toEqual([]);
    const first = await anonymous('/v1/auth/passkeys/login', {
      credential: authenticator.assert(usernameless),
    });
    expect(first.statusCode).toBe(200);
    const session = TestClient.fromResponse(t.app, first);
    expect((await session.get('/v1/me')).json().email).toBe('bob@example.org');

    // Always usernameless: an email is ignored, so the answer never tells whether an account
    // exists or has passkeys (a known and an unknown email get the same shape of options).
    const byEmail = await loginOptions('bob@example.org');
    const unknown = await loginOptions('nobody@example.org');
    expect(byEmail.allowCredentials ?? []).toEqual([]);
    expect(Object.keys(unknown).sort()).toEqual(Object.keys(byEmail).sort());
    expect(unknown.allowCredentials ?? []).toEqual([]);
    const second = await anonymous('/v1/auth/passkeys/login', {
      credential: authenticator.assert(byEmail),
    });
    expect(second.statusCode).toBe(200);
    const [stored] = (await bob.get('/v1/auth/passkeys')).json().passkeys;
    expect(stored.signCount).toBe(2);
    expect(stored.lastUsedAt).not.toBeNull();

    // A counter that goes backwards means a cloned authenticator (WebAuthn L3 §6.1.1).
    authenticator.signCount = 0;
    const cloned = await anonymous('/v1/auth/passkeys/login', {
      credential: authenticator.assert(await loginOptions()),
    });
    expect(cloned.statusCode).toBe(401);
    expect(cloned.json().error.message).toMatch(/counter/i);
  });

  it('refuses a wrong origin, a missing UV flag and a replayed challenge', async () => {
    const carol = await register(t.app, 'carol@example.org');
    const authenticator = await enrol(carol);

    const wrongOrigin = await anonymous('/v1/auth/passkeys/login', {
      credential: authenticator.assert(await loginOptions(), { origin: 'https://evil.example' }),
    });
    expect(wrongOrigin.statusCode).toBe(401);
    expect(wrongOrigin.json().error.code).toBe('UNAUTHENTICATED');
    expect(wrongOrigin.json().error.message).toMatch(/origin/i);

    const noUv = await anonymous('/v1/auth/passkeys/login', {
      credential: authenticator.assert(await loginOptions(), { flags: FLAG_UP }),
    });
    expect(noUv.statusCode).toBe(401);
    expect(noUv.json().error.message).toMatch(/user.*verif/i);

    const assertion = authenticator.assert(await loginOptions());
    expect((await anonymous('/v1/auth/passkeys/login', { credential: assertion })).statusCode).toBe(
      200,
    );
    const replayed = await anonymous('/v1/auth/passkeys/login', { credential: assertion });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.message).toMatch(/already used/);
  });

  it('refuses a registration without UV, from a wrong origin, or on another session’s challenge', async () => {
    const dave = await register(t.app, 'dave@example.org');
    const erin = await register(t.app, 'erin@example.org');
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = async () =>
      (
        await dave.post('/v1/auth/passkeys/registration/options')
      ).json<PasskeyRegistrationOptions>();

    const noUv = await dave.post('/v1/auth/passkeys/registration', {
      name: 'key',
      credential: authenticator.register(await options(), { flags: FLAG_UP | FLAG_AT }),
      currentPassword: PASSWORD,
    });
    expect(noUv.statusCode).toBe(400);
    expect(noUv.json().error.message).toMatch(/user.*verif/i);
    const wrongOrigin = await dave.post('/v1/auth/passkeys/registration', {
      name: 'key',
      credential: authenticator.register(await options(), { origin: 'https://evil.example' }),
      currentPassword: PASSWORD,
    });
    expect(wrongOrigin.statusCode).toBe(400);
    // A session alone is not enough: the current password is asked again (a stolen session
    // cannot add a lasting credential).
    const noPassword = await dave.post('/v1/auth/passkeys/registration', {
      name: 'key',
      credential: authenticator.register(await options()),
    });
    expect(noPassword.statusCode).toBe(400);
    const wrongPassword = await dave.post('/v1/auth/passkeys/registration', {
      name: 'key',
      credential: authenticator.register(await options()),
      currentPassword: 'not the password at all',
    });
    expect(wrongPassword.statusCode).toBe(403);
    const stolen = await erin.post('/v1/auth/passkeys/registration', {
      name: 'key',
      credential: authenticator.register(await options()),
      currentPassword: PASSWORD,
    });
    expect(stolen.statusCode).toBe(400);
    expect((await dave.get('/v1/auth/passkeys')).json().passkeys).toEqual([]);
    expect((await erin.get('/v1/auth/passkeys')).json().passkeys).toEqual([]);
  });

  it('lets only the owner delete a passkey; a deleted passkey no longer logs in', async () => {
    const frank = await register(t.app, 'frank@example.org');
    const grace = await register(t.app, 'grace@example.org');
    const authenticator = await enrol(frank);

    const foreign = await grace.delete(`/v1/auth/passkeys/${authenticator.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('NOT_FOUND');
    expect((await frank.get('/v1/auth/passkeys')).json().passkeys).toHaveLength(1);

    // Frank's passkey logs in as Frank, whatever email the options were asked with.
    const asGrace = await anonymous('/v1/auth/passkeys/login', {
      credential: authenticator.assert(await loginOptions('grace@example.org')),
    });
    expect(asGrace.statusCode).toBe(200);
    const session = TestClient.fromResponse(t.app, asGrace);
    expect((await session.get('/v1/me')).json().email).toBe('frank@example.org');

    expect((await frank.delete(`/v1/auth/passkeys/${authenticator.id}`)).json()).toEqual({
      ok: true,
    });
    expect((await frank.get('/v1/auth/passkeys')).json().passkeys).toEqual([]);
    const afterDelete = await anonymous('/v1/auth/passkeys/login', {
      credential: authenticator.assert(await loginOptions()),
    });
    expect(afterDelete.statusCode).toBe(401);
    expect(afterDelete.json().error.message).toMatch(/unknown passkey/);
  });

  it('answers 401 without a session, and 400 naming the field for bad input', async () => {
    const heidi = await register(t.app, 'heidi@example.org');
    const noSession = await anonymous('/v1/auth/passkeys/registration/options', {});
    expect(noSession.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/passkeys' })).statusCode).toBe(401);

    const options = (await heidi.post('/v1/auth/passkeys/registration/options')).json();
    const credential = new SoftAuthenticator(ORIGIN).register(options);
    const noName = await heidi.post('/v1/auth/passkeys/registration', { credential });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.issues.map((i: { path: string }) => i.path)).toEqual([
      'body.name',
      'body.currentPassword',
    ]);
    const badEncoding = await anonymous('/v1/auth/passkeys/login', {
      credential: { ...credential, response: { clientDataJSON: 'not base64url!' } },
    });
    expect(badEncoding.statusCode).toBe(400);
    expect(badEncoding.json().error.code).toBe('VALIDATION_FAILED');
    const badEmail = await anonymous('/v1/auth/passkeys/login/options', { email: 'nope' });
    expect(badEmail.json().error.issues[0].path).toBe('body.email');
    expect((await heidi.delete('/v1/auth/passkeys/not%20an%20id')).statusCode).toBe(400);

    // An unknown email gets options, but no stored challenge: the login cannot succeed.
    const unknown = await loginOptions('nobody@example.org');
    const attempt = await anonymous('/v1/auth/passkeys/login', {
      credential: new SoftAuthenticator(ORIGIN).assert(unknown),
    });
    expect(attempt.statusCode).toBe(401);
  });
});
