/** Organisations and the caller's memberships. */
import { z } from 'zod';
import { OrgId, Role, Timestamp } from './common.js';

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
