/**
 * Identity routes (issue 5, "Identity"): first-run bootstrap, registration, login, logout,
 * the current session and password change; the second factors (TOTP, passkeys) and API keys
 * live in their own plugins, registered here. Every route that checks a password, code or
 * assertion is rate-limited per client address (rate-limits.ts). See IDENTITY.md.
 */
import {
  BootstrapRequest,
  BootstrapStatus,
  LoginRequest,
  Ok,
  PasswordChangeRequest,
  RegisterRequest,
  SessionInfo,
  User,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ServerError } from '../../http/server-error.js';
import { clearSessionCookie, sessionInfo, setSessionCookie } from '../../http/session-cookie.js';
import type { AppContext } from '../../app-context.js';
import { lockRedeemableInvite, redeemInvite } from '../orgs/invites-store.js';
import { appendAudit, INSTANCE_CHAIN } from '../audit/audit-store.js';
import { createOrganisation } from '../orgs/store.js';
import { requireSession } from './actor.js';
import { consumeBootstrapToken, isBootstrapped, removeBootstrapTokenFile } from './bootstrap.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { apiKeyRoutes } from './api-keys-routes.js';
import { passkeyRoutes } from './passkeys-routes.js';
import { AUTH_RATE_LIMIT } from './rate-limits.js';
import { requireCurrentPassword } from './reauthenticate.js';
import { createSession, deleteOtherSessions, deleteSession } from './sessions-store.js';
import { checkSecondFactor } from './totp.js';
import { totpRoutes } from './totp-routes.js';
import { createUser, findUserByEmail, setPasswordHash } from './users-store.js';
import { errorResponses } from '../../http/error-responses.js';

export { AUTH_RATE_LIMIT };

const errors = errorResponses(400, 401, 403, 409, 429);

export const authRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db, config } = ctx;
  await app.register(totpRoutes, { ctx });
  await app.register(passkeyRoutes, { ctx });
  await app.register(apiKeyRoutes, { ctx });

  app.get(
    '/v1/bootstrap',
    {
      schema: {
        tags: ['identity'],
        summary: 'Whether the instance has its owner yet',
        response: { 200: BootstrapStatus },
      },
    },
    async () => ({ bootstrapped: await isBootstrapped(db) }),
  );

  app.post(
    '/v1/bootstrap',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Create the first owner and organisation with the one-time bootstrap token',
        body: BootstrapRequest,
        response: { 201: SessionInfo, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const passwordHash = await hashPassword(body.password);
      const { user, created } = await db.transaction(async (tx) => {
        await consumeBootstrapToken(tx, body.token);
        const user = await createUser(tx, {
          email: body.email,
          displayName: body.displayName,
          passwordHash,
        });
        const org = await createOrganisation(tx, body.organisation, user.id);
        await appendAudit(tx, {
          chain: INSTANCE_CHAIN,
          actor: { kind: 'user', id: user.id },
          action: 'instance.bootstrapped',
          subject: user.id,
          details: { organisation: org.id },
        });
        const created = await createSession(tx, user.id, config.sessionTtlHours);
        return { user, created };
      });
      removeBootstrapTokenFile(config.dataDir);
      request.log.info({ userId: user.id }, 'instance bootstrapped: owner created');
      setSessionCookie(reply, created.token, created.session.expiresAt, ctx.secureCookies);
      return reply.status(201).send(sessionInfo(user, created.session));
    },
  );

  app.post(
    '/v1/auth/register',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Create an account (with an invite token unless registration is open)',
        body: RegisterRequest,
        response: { 201: SessionInfo, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!(await isBootstrapped(db))) {
        throw new ServerError('BOOTSTRAP_REQUIRED', 'create the owner first (POST /v1/bootstrap)');
      }
      if (config.registration === 'invite' && body.inviteToken === undefined) {
        throw new ServerError(
          'FORBIDDEN',
          'registration is by invitation: ask an admin for an invite',
        );
      }
      const passwordHash = await hashPassword(body.password);
      const { user, created } = await db.transaction(async (tx) => {
        // The invite first: without a valid one, the answer must not say whether the email
        // address has an account already.
        if (body.inviteToken !== undefined) {
          await lockRedeemableInvite(tx, body.inviteToken, body.email);
        }
        const user = await createUser(tx, {
          email: body.email,
          displayName: body.displayName,
          passwordHash,
        });
        if (body.inviteToken !== undefined) await redeemInvite(tx, body.inviteToken, user);
        const created = await createSession(tx, user.id, config.sessionTtlHours);
        return { user, created };
      });
      setSessionCookie(reply, created.token, created.session.expiresAt, ctx.secureCookies);
      return reply.status(201).send(sessionInfo(user, created.session));
    },
  );

  app.post(
    '/v1/auth/login',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Log in with email and password (and a TOTP code when enabled)',
        body: LoginRequest,
        response: { 200: SessionInfo, ...errors },
      },
    },
    async (request, reply) => {
      const { email, password, totp } = request.body;
      const stored = await findUserByEmail(db, email);
      const ok = await verifyPassword(
        password,
        stored?.passwordHash ?? (await dummyPasswordHash()),
      );
      if (!stored || !ok) {
        request.log.info('login refused: wrong email or password');
        throw new ServerError('UNAUTHENTICATED', 'wrong email or password');
      }
      await checkSecondFactor(db, stored.user, totp);
      const created = await createSession(db, stored.user.id, config.sessionTtlHours);
      setSessionCookie(reply, created.token, created.session.expiresAt, ctx.secureCookies);
      return sessionInfo(stored.user, created.session);
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      schema: {
        tags: ['identity'],
        summary: 'End this login session',
        response: { 200: Ok, ...errors },
      },
    },
    async (request, reply) => {
      const actor = requireSession(request);
      await deleteSession(db, actor.session.tokenHash);
      clearSessionCookie(reply, ctx.secureCookies);
      return { ok: true as const };
    },
  );

  app.get(
    '/v1/auth/session',
    {
      schema: {
        tags: ['identity'],
        summary: 'The current login session',
        response: { 200: SessionInfo, ...errors },
      },
    },
    async (request) => {
      const actor = requireSession(request);
      return sessionInfo(actor.user, actor.session);
    },
  );

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['identity'],
        summary: 'The logged-in user',
        response: { 200: User, ...errors },
      },
    },
    async (request) => requireSession(request).user,
  );

  app.post(
    '/v1/auth/password',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Change the password; every other session of the account ends',
        body: PasswordChangeRequest,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const actor = requireSession(request);
      const { currentPassword, newPassword } = request.body;
      await requireCurrentPassword(db, actor.user.id, currentPassword);
      const passwordHash = await hashPassword(newPassword);
      await db.transaction(async (tx) => {
        await setPasswordHash(tx, actor.user.id, passwordHash);
        await deleteOtherSessions(tx, actor.user.id, actor.session.tokenHash);
      });
      request.log.info({ userId: actor.user.id }, 'password changed; other sessions ended');
      return { ok: true as const };
    },
  );
};
