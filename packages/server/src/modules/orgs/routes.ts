/** Organisation routes: create one (the caller becomes its owner), list mine, read one. */
import {
  ApiErrorBody,
  CreateOrganisationRequest,
  Membership,
  Organisation,
  OrgParams,
} from '@coffer/protocol';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { notFound } from '../../http/server-error.js';
import { requireSession } from '../auth/actor.js';
import { EVERY_ROLE, requireOrgRole } from './access.js';
import { createOrganisation, findOrganisation, listMemberships } from './store.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody };

export const orgRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;

  app.post(
    '/v1/orgs',
    {
      schema: {
        tags: ['organisations'],
        summary: 'Create an organisation; the caller becomes its owner',
        body: CreateOrganisationRequest,
        response: { 201: Organisation, ...errors },
      },
    },
    async (request, reply) => {
      const actor = requireSession(request);
      const org = await db.transaction((tx) =>
        createOrganisation(tx, request.body.name, actor.user.id),
      );
      return reply.status(201).send(org);
    },
  );

  app.get(
    '/v1/orgs',
    {
      schema: {
        tags: ['organisations'],
        summary: "The caller's organisations and roles",
        response: { 200: z.object({ memberships: z.array(Membership) }), ...errors },
      },
    },
    async (request) => ({
      memberships: await listMemberships(db, requireSession(request).user.id),
    }),
  );

  app.get(
    '/v1/orgs/:orgId',
    {
      schema: {
        tags: ['organisations'],
        summary: 'One organisation (members only)',
        params: OrgParams,
        response: { 200: Organisation, ...errors },
      },
    },
    async (request) => {
      await requireOrgRole(db, request, request.params.orgId, EVERY_ROLE);
      const org = await findOrganisation(db, request.params.orgId);
      if (!org) throw notFound('organisation');
      return org;
    },
  );
};
