/**
 * The Fastify application (fastify/demo's layout): external plugins first (security headers,
 * CORS, cookies, rate limits, OpenAPI), then the app's own (error handler, authentication),
 * then the feature routes. `buildApp` does no I/O of its own, so tests drive it with
 * `app.inject` over any `Database`.
 */
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AppContext } from './app-context.js';
import { docsRoutes } from './http/docs.js';
import { installErrorHandler } from './http/error-handler.js';
import { auditRoutes } from './modules/audit/routes.js';
import { authenticate } from './modules/auth/authenticate.js';
import { authRoutes } from './modules/auth/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { nodesRoutes } from './modules/nodes/routes.js';
import { notificationRoutes } from './modules/notifications/routes.js';
import { orgMembershipGate } from './modules/orgs/membership-gate.js';
import { orgRoutes } from './modules/orgs/routes.js';
import { signingRoutes } from './modules/signing/routes.js';
import { policyRoutes } from './modules/policy/routes.js';
import { externalApproverRoutes } from './modules/external-approvers/routes.js';
import { vaultsRoutes } from './modules/vaults/routes.js';

export interface BuildAppOptions {
  readonly logger: Logger;
  /** Global per-address request limit per minute (auth routes have their own, lower one). */
  readonly rateLimitPerMinute?: number;
}

export async function buildApp(
  ctx: AppContext,
  options: BuildAppOptions,
): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = options.logger;
  const app = Fastify({
    // Typed as Fastify's base logger so the app keeps the default FastifyInstance type.
    loggerInstance: logger,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(helmet, {
    contentSecurityPolicy: { directives: { 'connect-src': ["'self'"] } },
  });
  await app.register(cors, {
    origin: [ctx.origin, ...ctx.config.corsOrigins],
    credentials: true,
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: options.rateLimitPerMinute ?? 600,
    timeWindow: '1 minute',
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coffer API',
        version: '1',
        description:
          'Threshold-signature custody: identity, organisations, signing nodes, vaults and signatures. ' +
          'People authenticate with a session cookie (and send the x-coffer-csrf header on changes); ' +
          'machines with "Authorization: Bearer <api key>".',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'coffer_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(authenticate, { db: ctx.db });
  await app.register(orgMembershipGate, { db: ctx.db });

  await app.register(healthRoutes, { ctx });
  await app.register(authRoutes, { ctx });
  await app.register(orgRoutes, { ctx });
  await app.register(nodesRoutes, { ctx });
  await app.register(vaultsRoutes, { ctx });
  await app.register(signingRoutes, { ctx });
  await app.register(policyRoutes, { ctx });
  await app.register(externalApproverRoutes, { ctx });
  await app.register(auditRoutes, { ctx });
  await app.register(notificationRoutes, { ctx });
  docsRoutes(app);
  return app;
}
