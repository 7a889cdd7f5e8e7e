/**
 * Organisation routes (issue 5, "Organisations and roles"): create one (the caller becomes its
 * owner), list mine, read and rename one; list members, change a member's role, remove a
 * member or leave; invite by email, list and revoke pending invites, accept an invite.
 * Every org-scoped route checks membership and role with `requireOrgRole` (access.ts);
 * changes to people (roles, members, invites) are made by people, not API keys.
 */
import {
  AcceptInviteRequest,
  ApiErrorBody,
  CreateInviteRequest,
  CreateOrganisationRequest,
  CreatedInvite,
  InviteList,
  InviteParams,
  Member,
  MemberList,
  MemberParams,
  Membership,
  Ok,
  Organisation,
  OrgParams,
  UpdateMemberRequest,
  UpdateOrganisationRequest,
} from '@coffer/protocol';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { notFound } from '../../http/server-error.js';
import { requireSession } from '../auth/actor.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { ADMIN_ROLES, EVERY_ROLE, requireOrgRole } from './access.js';
import { createInvite, listPendingInvites, redeemInvite, revokeInvite } from './invites-store.js';
import { changeMemberRole, removeMember } from './members.js';
import {
  createOrganisation,
  findOrganisation,
  listMembers,
  listMemberships,
  renameOrganisation,
} from './store.js';
import { errorResponses } from '../../http/error-responses.js';

const errors = errorResponses(400, 401, 403, 404);
const changeErrors = { ...errors, 409: ApiErrorBody };
const tags = ['organisations'];

export const orgRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;

  app.post(
    '/v1/orgs',
    {
      schema: {
        tags,
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
        tags,
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
        tags,
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

  app.patch(
    '/v1/orgs/:orgId',
    {
      schema: {
        tags,
        summary: 'Rename an organisation (owners and admins)',
        params: OrgParams,
        body: UpdateOrganisationRequest,
        response: { 200: Organisation, ...errors },
      },
    },
    async (request) => {
      const access = await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      const org = await db.transaction(async (tx) => {
        const renamed = await renameOrganisation(tx, access.orgId, request.body.name);
        if (!renamed) throw notFound('organisation');
        await appendAudit(tx, {
          chain: access.orgId,
          actor: auditActorOf(access.actor),
          action: 'organisation.renamed',
          details: { name: renamed.name },
        });
        return renamed;
      });
      return org;
    },
  );

  app.get(
    '/v1/orgs/:orgId/members',
    {
      schema: {
        tags,
        summary: 'The members of an organisation and their roles (members only)',
        params: OrgParams,
        response: { 200: MemberList, ...errors },
      },
    },
    async (request) => {
      await requireOrgRole(db, request, request.params.orgId, EVERY_ROLE);
      return { members: await listMembers(db, request.params.orgId) };
    },
  );

  app.patch(
    '/v1/orgs/:orgId/members/:userId',
    {
      schema: {
        tags,
        summary:
          "Change a member's role (owners and admins; only an owner grants or removes owner; the last owner stays)",
        params: MemberParams,
        body: UpdateMemberRequest,
        response: { 200: Member, ...changeErrors },
      },
    },
    async (request) => {
      const access = await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      requireSession(request);
      return db.transaction((tx) =>
        changeMemberRole(tx, access, request.params.userId, request.body.role),
      );
    },
  );

  app.delete(
    '/v1/orgs/:orgId/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member (owners and admins) or leave (yourself); never the last owner',
        params: MemberParams,
        response: { 200: Ok, ...changeErrors },
      },
    },
    async (request) => {
      const access = await requireOrgRole(db, request, request.params.orgId, EVERY_ROLE);
      requireSession(request);
      await db.transaction((tx) => removeMember(tx, access, request.params.userId));
      return { ok: true as const };
    },
  );

  app.post(
    '/v1/orgs/:orgId/invites',
    {
      schema: {
        tags,
        summary: 'Invite an email address with a role (owners and admins); the token is shown once',
        params: OrgParams,
        body: CreateInviteRequest,
        response: { 201: CreatedInvite, ...changeErrors },
      },
    },
    async (request, reply) => {
      await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      const actor = requireSession(request);
      const invite = await db.transaction((tx) =>
        createInvite(tx, {
          orgId: request.params.orgId,
          email: request.body.email,
          role: request.body.role,
          createdBy: actor.user.id,
        }),
      );
      return reply.status(201).send(invite);
    },
  );

  app.get(
    '/v1/orgs/:orgId/invites',
    {
      schema: {
        tags,
        summary: 'Pending invites, without their tokens (owners and admins)',
        params: OrgParams,
        response: { 200: InviteList, ...errors },
      },
    },
    async (request) => {
      await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      return { invites: await listPendingInvites(db, request.params.orgId) };
    },
  );

  app.delete(
    '/v1/orgs/:orgId/invites/:inviteId',
    {
      schema: {
        tags,
        summary: 'Revoke a pending invite (owners and admins)',
        params: InviteParams,
        response: { 200: Ok, ...changeErrors },
      },
    },
    async (request) => {
      const access = await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      const actor = requireSession(request);
      await db.transaction((tx) =>
        revokeInvite(tx, access.orgId, request.params.inviteId, auditActorOf(actor)),
      );
      return { ok: true as const };
    },
  );

  app.post(
    '/v1/invites/accept',
    {
      schema: {
        tags,
        summary: 'Join an organisation with an invite issued to your email address',
        body: AcceptInviteRequest,
        response: { 200: Membership, ...changeErrors },
      },
    },
    async (request) => {
      const actor = requireSession(request);
      return db.transaction(async (tx) => {
        const orgId = await redeemInvite(tx, request.body.token, actor.user);
        const memberships = await listMemberships(tx, actor.user.id);
        const joined = memberships.find((m) => m.organisation.id === orgId);
        if (!joined) throw notFound('organisation');
        return joined;
      });
    },
  );
};
