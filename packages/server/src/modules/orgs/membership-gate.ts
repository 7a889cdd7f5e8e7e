/**
 * Defence in depth for organisation isolation: every route whose path has an `:orgId`
 * parameter (organisations, members, invites, nodes, vaults, API keys, audit — present and
 * future) first passes this gate, which answers NOT_FOUND to an authenticated caller who is
 * not a member of that organisation (an API key: not its own organisation) BEFORE the body
 * is validated or the handler runs. So another organisation's existence, ids and request
 * shapes are never revealed, even by a validation error, and a route that forgot its own
 * check still cannot act across organisations. Routes still call `requireOrgRole` for their
 * roles. Unauthenticated requests pass through to the route, which answers 401 (some
 * org-scoped routes may authenticate callers their own way); a malformed id is left to the
 * schema's 400.
 */
import { OrgId } from '@coffer/protocol';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { notFound } from '../../http/server-error.js';
import type { Database } from '../../store/database.js';
import { membershipRole } from './store.js';

export const orgMembershipGate = fp(
  (app: FastifyInstance, opts: { db: Database }, done: (err?: Error) => void) => {
    app.addHook('preValidation', async (request) => {
      if (!request.routeOptions.url?.includes(':orgId')) return;
      const actor = request.actor;
      if (actor === null) return;
      const orgId = (request.params as { orgId?: unknown }).orgId;
      if (!OrgId.safeParse(orgId).success) return;
      const member =
        actor.kind === 'api-key'
          ? actor.orgId === orgId
          : (await membershipRole(opts.db, orgId as string, actor.user.id)) !== null;
      if (!member) throw notFound('organisation');
    });
    done();
  },
  { name: 'coffer-org-membership-gate', dependencies: ['coffer-authenticate'] },
);
