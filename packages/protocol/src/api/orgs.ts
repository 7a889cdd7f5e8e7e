/**
 * Organisations, their members and roles, and invitations (issue 5, "Organisations and
 * roles"). Roles: owner, admin, approver, initiator, viewer, auditor.
 */
import { z } from 'zod';
import { Email, Id, OrgId, Role, Timestamp, UserId } from './common.js';

export const Organisation = z
  .object({ id: OrgId, name: z.string(), createdAt: Timestamp })
  .meta({ id: 'Organisation' });
export type Organisation = z.infer<typeof Organisation>;

export const Membership = z
  .object({ organisation: Organisation, role: Role })
  .meta({ id: 'Membership' });
export type Membership = z.infer<typeof Membership>;

export const CreateOrganisationRequest = z.object({ name: z.string().trim().min(1).max(100) });
export const OrgParams = z.object({ orgId: OrgId });

/** PATCH /v1/orgs/:orgId: rename (owners and admins). */
export const UpdateOrganisationRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
});

/** A member of an organisation as its members see them. */
export const Member = z
  .object({
    user: z.object({ id: UserId, email: z.string(), displayName: z.string() }),
    role: Role,
    joinedAt: Timestamp,
  })
  .meta({ id: 'Member' });
export type Member = z.infer<typeof Member>;

export const MemberList = z.object({ members: z.array(Member) });
export type MemberList = z.infer<typeof MemberList>;

export const MemberParams = z.object({ orgId: OrgId, userId: UserId });

/**
 * PATCH /v1/orgs/:orgId/members/:userId. Owners and admins change roles; only an owner may
 * make someone an owner or change an owner's role, and the last owner always stays one.
 */
export const UpdateMemberRequest = z.strictObject({ role: Role });

export const InviteId = Id('inv');

/** The roles an invite may carry: ownership is granted by an owner to an existing member. */
export const InviteRole = Role.exclude(['owner']);
export type InviteRole = z.infer<typeof InviteRole>;

export const CreateInviteRequest = z.strictObject({ email: Email, role: InviteRole });

/** A pending invitation (its token is never shown again after creation). */
export const Invite = z
  .object({
    id: InviteId,
    orgId: OrgId,
    email: z.string(),
    role: InviteRole,
    createdBy: UserId,
    createdAt: Timestamp,
    expiresAt: Timestamp,
  })
  .meta({ id: 'Invite' });
export type Invite = z.infer<typeof Invite>;

/** The one response that carries the invite token: hand it to the invitee. */
export const CreatedInvite = Invite.extend({
  /** Single use, expires with the invite; the invitee registers or accepts with it. */
  token: z.string(),
}).meta({ id: 'CreatedInvite' });
export type CreatedInvite = z.infer<typeof CreatedInvite>;

export const InviteList = z.object({ invites: z.array(Invite) });
export type InviteList = z.infer<typeof InviteList>;

export const InviteParams = z.object({ orgId: OrgId, inviteId: InviteId });

/** POST /v1/invites/accept: a logged-in user joins with an invite issued to their email. */
export const AcceptInviteRequest = z.strictObject({ token: z.string().min(16).max(200) });
