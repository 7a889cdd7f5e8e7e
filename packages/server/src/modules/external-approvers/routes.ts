/**
 * External approver configuration (issue 6, item 7), owner and admin: add an endpoint (its id
 * is what policies name, its Ed25519 key verifies its answers; the HMAC secret Coffer signs
 * calls with is shown once), list, read and delete. Every change is audited. A published
 * policy keeps the answer key it was approved with (its directory snapshot), so deleting or
 * re-adding an endpoint changes nothing for requests already judged.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  CreateExternalApprover,
  CreatedExternalApprover,
  ExternalApprover,
  ExternalApproverList,
  ExternalApproverParams,
  Ok,
  OrgParams,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../../http/error-responses.js';
import { conflict, notFound, ServerError } from '../../http/server-error.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { actorId } from '../auth/actor.js';
import { ADMIN_ROLES, EVERY_ROLE, requireOrgRole } from '../orgs/access.js';
import {
  deleteExternalApprover,
  findExternalApprover,
  insertExternalApprover,
  listExternalApprovers,
} from './store.js';

const errors = errorResponses(400, 401, 403, 404, 409);

/**
 * The answer key must decode to a curve point (RFC 8032 §5.1.3) of more than small order:
 * under a small-order key, anyone — the server included — could forge the endpoint's answers.
 */
function refuseUnusableAnswerKey(publicKey: string): void {
  let usable = false;
  try {
    usable = !ed25519.Point.fromHex(publicKey).isSmallOrder();
  } catch {
    // Not a point: refused below.
  }
  if (usable) return;
  throw new ServerError('VALIDATION_FAILED', 'publicKey is not a usable Ed25519 key', [
    { path: 'body.publicKey', message: 'not a valid Ed25519 public key (or of small order)' },
  ]);
}

export const externalApproverRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  const { db } = ctx;
  const base = '/v1/orgs/:orgId/external-approvers';

  app.post(
    base,
    {
      schema: {
        tags: ['policy'],
        summary: 'Add an external approver endpoint (owner, admin); its secret is shown once',
        params: OrgParams,
        body: CreateExternalApprover,
        response: { 201: CreatedExternalApprover, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      refuseUnusableAnswerKey(request.body.publicKey);
      const created = await db.transaction(async (tx) => {
        const inserted = await insertExternalApprover(tx, {
          orgId,
          ...request.body,
          createdBy: actorId(actor),
        });
        if (!inserted) throw conflict(`external approver "${request.body.id}" exists already`);
        await appendAudit(tx, {
          chain: orgId,
          actor: auditActorOf(actor),
          action: 'external-approver.created',
          subject: request.body.id,
          details: { url: request.body.url, publicKey: request.body.publicKey },
        });
        return inserted;
      });
      return reply.status(201).send({ ...created.approver, secret: created.secret });
    },
  );

  app.get(
    base,
    {
      schema: {
        tags: ['policy'],
        summary: "The organisation's external approvers (no secrets)",
        params: OrgParams,
        response: { 200: ExternalApproverList, ...errors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      return { approvers: await listExternalApprovers(db, orgId) };
    },
  );

  app.get(
    `${base}/:endpointId`,
    {
      schema: {
        tags: ['policy'],
        summary: 'One external approver',
        params: ExternalApproverParams,
        response: { 200: ExternalApprover, ...errors },
      },
    },
    async (request) => {
      const { orgId, endpointId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const found = await findExternalApprover(db, orgId, endpointId);
      if (!found) throw notFound('external approver');
      return found;
    },
  );

  app.delete(
    `${base}/:endpointId`,
    {
      schema: {
        tags: ['policy'],
        summary: 'Delete an external approver (owner, admin); pending calls to it time out',
        params: ExternalApproverParams,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { orgId, endpointId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      await db.transaction(async (tx) => {
        if (!(await deleteExternalApprover(tx, orgId, endpointId))) {
          throw notFound('external approver');
        }
        await appendAudit(tx, {
          chain: orgId,
          actor: auditActorOf(actor),
          action: 'external-approver.deleted',
          subject: endpointId,
          details: {},
        });
      });
      return { ok: true as const };
    },
  );
};
