/**
 * Passkey routes (WebAuthn L3; issue 5, "passkeys … user verification required"): a
 * logged-in person adds passkeys (registration options, then the authenticator's answer),
 * lists and deletes their own; anyone logs in with a passkey, by email or usernameless.
 * A passkey login does not ask for a TOTP code: with user verification the passkey is
 * already two factors (the device, and the PIN or biometric that unlocks it).
 */
import {
  Ok,
  PasskeyList,
  PasskeyLoginOptions,
  PasskeyLoginOptionsRequest,
  PasskeyLoginRequest,
  PasskeyParams,
  PasskeyRegistrationOptions,
  PasskeyRegistrationRequest,
  Passkey,
  SessionInfo,
} from '@coffer/protocol';
import { requireCurrentPassword } from './reauthenticate.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { notFound } from '../../http/server-error.js';
import { sessionInfo, setSessionCookie } from '../../http/session-cookie.js';
import { requireSession } from './actor.js';
import {
  loginOptions,
  registrationOptions,
  relyingParty,
  verifyLogin,
  verifyRegistration,
} from './passkey-ceremonies.js';
import { deletePasskey, insertPasskey, listPasskeys } from './passkeys-store.js';
import { AUTH_RATE_LIMIT } from './rate-limits.js';
import { createSession } from './sessions-store.js';
import { findUserById } from './users-store.js';
import { errorResponses } from '../../http/error-responses.js';

const errors = errorResponses(400, 401, 403, 404, 409, 429);

export const passkeyRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db, config } = ctx;
  // Read per request: the origin is known only once the server listens (port 0, no
  // COFFER_PUBLIC_ORIGIN), after the routes are registered.
  const rp = () => relyingParty(ctx.origin);

  app.post(
    '/v1/auth/passkeys/registration/options',
    {
      schema: {
        tags: ['identity'],
        summary: 'Start adding a passkey: options for navigator.credentials.create()',
        response: { 200: PasskeyRegistrationOptions, ...errors },
      },
    },
    async (request) => registrationOptions(db, rp(), requireSession(request).user),
  );

  app.post(
    '/v1/auth/passkeys/registration',
    {
      schema: {
        tags: ['identity'],
        summary: 'Finish adding a passkey (attestation verified, user verification required)',
        description:
          'Needs the current password again: a stolen session must not be able to add a ' +
          'lasting credential that logs in and approves (403 on a wrong password).',
        body: PasskeyRegistrationRequest,
        response: { 201: Passkey, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireSession(request);
      const { name, credential, currentPassword } = request.body;
      await requireCurrentPassword(db, user.id, currentPassword);
      const verified = await verifyRegistration(db, rp(), user.id, name, credential);
      const passkey = await insertPasskey(db, verified);
      request.log.info({ userId: user.id, passkeyId: passkey.id }, 'passkey registered');
      return reply.status(201).send(passkey);
    },
  );

  app.get(
    '/v1/auth/passkeys',
    {
      schema: {
        tags: ['identity'],
        summary: "The caller's passkeys (with the SEC1 public key of ES256 ones)",
        response: { 200: PasskeyList, ...errors },
      },
    },
    async (request) => ({ passkeys: await listPasskeys(db, requireSession(request).user.id) }),
  );

  app.delete(
    '/v1/auth/passkeys/:passkeyId',
    {
      schema: {
        tags: ['identity'],
        summary: 'Remove one of your passkeys',
        params: PasskeyParams,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { user } = requireSession(request);
      if (!(await deletePasskey(db, user.id, request.params.passkeyId))) {
        throw notFound('passkey');
      }
      request.log.info({ userId: user.id, passkeyId: request.params.passkeyId }, 'passkey removed');
      return { ok: true as const };
    },
  );

  app.post(
    '/v1/auth/passkeys/login/options',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Start a passkey login (always usernameless)',
        description:
          'Passkeys are discoverable, so the authenticator offers its credentials itself. An ' +
          '`email` is accepted for older clients and ignored: answering per account would tell ' +
          'anyone which accounts have passkeys.',
        body: PasskeyLoginOptionsRequest,
        response: { 200: PasskeyLoginOptions, ...errors },
      },
    },
    async () => loginOptions(db, rp()),
  );

  app.post(
    '/v1/auth/passkeys/login',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Log in with a passkey assertion (user verification required)',
        body: PasskeyLoginRequest,
        response: { 200: SessionInfo, ...errors },
      },
    },
    async (request, reply) => {
      const { userId, passkeyId } = await verifyLogin(db, rp(), request.body.credential);
      const stored = await findUserById(db, userId);
      if (!stored) throw notFound('user');
      const created = await createSession(db, userId, config.sessionTtlHours);
      request.log.info({ userId, passkeyId }, 'logged in with a passkey');
      setSessionCookie(reply, created.token, created.session.expiresAt, ctx.secureCookies);
      return sessionInfo(stored.user, created.session);
    },
  );
};
