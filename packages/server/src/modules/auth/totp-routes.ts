/**
 * TOTP enrolment routes (RFC 6238; issue 5, "TOTP two-factor enrolment"): start with the
 * password (returns the secret and the otpauth:// URI once), confirm with a first code,
 * disable with the password and a current code. Login then asks for a code
 * (totp.ts checkSecondFactor). Rate-limited like login: these routes check a password.
 */
import {
  Ok,
  TotpConfirmRequest,
  TotpDisableRequest,
  TotpEnrolment,
  TotpEnrolmentRequest,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { requireSession } from './actor.js';
import { AUTH_RATE_LIMIT } from './rate-limits.js';
import { requireCurrentPassword } from './reauthenticate.js';
import { confirmTotpEnrolment, disableTotp, startTotpEnrolment } from './totp.js';
import { errorResponses } from '../../http/error-responses.js';

const errors = errorResponses(400, 401, 403, 409, 429);

export const totpRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;

  app.post(
    '/v1/auth/totp',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Start TOTP enrolment: a new secret and otpauth:// URI (password required)',
        body: TotpEnrolmentRequest,
        response: { 200: TotpEnrolment, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireSession(request);
      await requireCurrentPassword(db, user.id, request.body.password);
      // The secret is shown this once: keep it out of caches.
      void reply.header('cache-control', 'no-store');
      return startTotpEnrolment(db, user);
    },
  );

  app.post(
    '/v1/auth/totp/confirm',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Confirm TOTP enrolment with a first code: login then asks for codes',
        body: TotpConfirmRequest,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { user } = requireSession(request);
      await confirmTotpEnrolment(db, user.id, request.body.code);
      request.log.info({ userId: user.id }, 'two-factor authentication enabled');
      return { ok: true as const };
    },
  );

  app.delete(
    '/v1/auth/totp',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['identity'],
        summary: 'Turn TOTP off (password and a current code required)',
        body: TotpDisableRequest,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { user } = requireSession(request);
      await requireCurrentPassword(db, user.id, request.body.password);
      await disableTotp(db, user.id, request.body.code);
      request.log.info({ userId: user.id }, 'two-factor authentication disabled');
      return { ok: true as const };
    },
  );
};
