/**
 * The authentication hook: sets `request.actor` from the session cookie or a Bearer API
 * key, and enforces CSRF protection for cookie-authenticated state changes: such a request
 * must echo the session's CSRF token in the `x-coffer-csrf` header (synchroniser token;
 * the cookie is also SameSite=Strict). Bearer requests carry no ambient authority, so they
 * need no CSRF token.
 */
import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { CSRF_HEADER, SESSION_COOKIE } from '@coffer/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServerError } from '../../http/server-error.js';
import type { Database } from '../../store/database.js';
import type { Actor } from './actor.js';
import { findApiKeyActor } from './api-keys-store.js';
import { findSession } from './sessions-store.js';
import { findUserById } from './users-store.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function resolveActor(db: Database, request: FastifyRequest): Promise<Actor | null> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(authorization);
    if (!match)
      throw new ServerError('UNAUTHENTICATED', 'Authorization must be "Bearer <api key>"');
    const actor = await findApiKeyActor(db, match[1]!);
    if (!actor) throw new ServerError('UNAUTHENTICATED', 'unknown or revoked API key');
    return actor;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie === undefined || cookie === '') return null;
  const session = await findSession(db, cookie);
  if (!session) return null;
  const stored = await findUserById(db, session.userId);
  if (!stored) return null;
  if (!SAFE_METHODS.has(request.method)) {
    const header = request.headers[CSRF_HEADER];
    if (typeof header !== 'string' || !sameToken(header, session.csrfToken)) {
      throw new ServerError('CSRF_FAILED', `missing or wrong ${CSRF_HEADER} header`);
    }
  }
  return { kind: 'session', user: stored.user, session };
}

export const authenticate = fp(
  (app: FastifyInstance, opts: { db: Database }, done: (err?: Error) => void) => {
    app.decorateRequest('actor', null);
    app.addHook('onRequest', async (request) => {
      request.actor = await resolveActor(opts.db, request);
    });
    done();
  },
  { name: 'coffer-authenticate', dependencies: ['@fastify/cookie'] },
);
