/** Identifiers and small shapes used across the API. */
import { z } from 'zod';

/** Server-generated ids: a kind prefix and 128 random bits in hex (e.g. `org_3f…`). */
export const Id = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-f]{32}$`), `must be a ${prefix}_… id`);

export const UserId = Id('usr');
export const OrgId = Id('org');
export const Timestamp = z.iso.datetime({ offset: true });

export const ROLES = ['owner', 'admin', 'approver', 'initiator', 'viewer', 'auditor'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
/** At least 12 characters; length is what matters (NIST SP 800-63B §5.1.1). */
export const Password = z.string().min(12, 'must be at least 12 characters').max(1024);

export const Ok = z.object({ ok: z.literal(true) });
