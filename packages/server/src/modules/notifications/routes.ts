/**
 * Notification routes (issue 6, item 9): the organisation's event stream (any member), the
 * caller's pending approvals, and webhooks with their delivery log (owners and admins). The
 * signing secret of a webhook is returned once, in the creation answer.
 */
import {
  EventsParams,
  EventsQuery,
  Ok,
  PendingApprovals,
  WebhookCreateBody,
  WebhookCreated,
  WebhookDeliveryList,
  WebhookDeliveryParams,
  WebhookDeliverySchema,
  WebhookList,
  WebhookParams,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../../http/error-responses.js';
import { conflict, notFound } from '../../http/server-error.js';
import { actorId, requireActor } from '../auth/actor.js';
import { ADMIN_ROLES, EVERY_ROLE, requireOrgRole } from '../orgs/access.js';
import { EventStreams } from './event-stream.js';
import { pendingApprovalsFor } from './pending-approvals.js';
import {
  createWebhook,
  deleteWebhook,
  findWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
} from './webhooks-store.js';

const errors = errorResponses(400, 401, 403, 404);
const TAGS = ['notifications'];

export const notificationRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  const { db } = ctx;
  const streams = new EventStreams();
  app.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });

  app.get(
    '/v1/orgs/:orgId/events',
    {
      schema: {
        tags: TAGS,
        summary: "The organisation's audit entries as server-sent events (text/event-stream)",
        description:
          'id = seq, event = action, data = the AuditEntry JSON. Resume with the Last-Event-ID ' +
          'header or ?after=seq; a comment line every 15 s keeps the stream alive.',
        params: EventsParams,
        querystring: EventsQuery,
        response: { 200: z.string().describe('text/event-stream'), ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const after = EventStreams.resumePoint(request, request.query.after);
      streams.stream(db, request, reply, orgId, after);
      return reply;
    },
  );

  app.get(
    '/v1/me/pending-approvals',
    {
      schema: {
        tags: TAGS,
        summary: 'Signature requests waiting for the caller’s approval, in all their organisations',
        response: { 200: PendingApprovals, ...errorResponses(401) },
      },
    },
    async (request) => ({ requests: await pendingApprovalsFor(db, requireActor(request)) }),
  );

  const base = '/v1/orgs/:orgId/webhooks';

  app.post(
    base,
    {
      schema: {
        tags: TAGS,
        summary: 'Create a webhook; the answer holds its signing secret, shown only this once',
        params: EventsParams,
        body: WebhookCreateBody,
        response: { 201: WebhookCreated, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      const { webhook, secret } = await db.transaction((tx) =>
        createWebhook(tx, orgId, request.body, actorId(actor)),
      );
      return reply.code(201).send({ ...webhook, secret });
    },
  );

  app.get(
    base,
    {
      schema: {
        tags: TAGS,
        summary: "The organisation's webhooks (without their secrets)",
        params: EventsParams,
        response: { 200: WebhookList, ...errors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      return { webhooks: await listWebhooks(db, orgId) };
    },
  );

  app.delete(
    `${base}/:webhookId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a webhook and its delivery log',
        params: WebhookParams,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { orgId, webhookId } = request.params;
      await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      if (!(await deleteWebhook(db, orgId, webhookId))) throw notFound('webhook');
      return { ok: true as const };
    },
  );

  app.get(
    `${base}/:webhookId/deliveries`,
    {
      schema: {
        tags: TAGS,
        summary:
          "A webhook's deliveries, newest first: status, attempts, last answer, next attempt",
        params: WebhookParams,
        response: { 200: WebhookDeliveryList, ...errors },
      },
    },
    async (request) => {
      const { orgId, webhookId } = request.params;
      await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      if (!(await findWebhook(db, orgId, webhookId))) throw notFound('webhook');
      return { deliveries: await listDeliveries(db, webhookId) };
    },
  );

  app.post(
    `${base}/:webhookId/deliveries/:deliveryId/redeliver`,
    {
      schema: {
        tags: TAGS,
        summary: 'Queue a delivery again now, with a fresh retry schedule and the same event id',
        params: WebhookDeliveryParams,
        response: { 200: WebhookDeliverySchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { orgId, webhookId, deliveryId } = request.params;
      await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      if (!(await findWebhook(db, orgId, webhookId))) throw notFound('webhook');
      const outcome = await db.transaction((tx) => redeliver(tx, webhookId, deliveryId));
      if (outcome === 'not-found') throw notFound('delivery');
      if (outcome === 'in-flight') throw conflict('the delivery is being attempted right now');
      return outcome;
    },
  );
};
