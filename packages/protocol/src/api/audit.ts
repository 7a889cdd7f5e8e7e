/** The audit log over HTTP: entries of an organisation's chain, its export and its verification. */
import { z } from 'zod';
import { OrgId } from './common.js';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');

export const AuditEntrySchema = z
  .object({
    chain: z.string(),
    seq: z.number().int().min(1),
    at: z.string(),
    actor: z.object({ kind: z.enum(['user', 'api-key', 'system']), id: z.string() }),
    action: z.string(),
    subject: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prevHash: Hex64,
    hash: Hex64,
  })
  .meta({ id: 'AuditEntry' });

export const AuditHead = z.object({ seq: z.number().int().min(1), hash: Hex64 });

export const AuditListQuery = z.object({
  /** Entries with seq greater than this (paging). */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AuditPage = z.object({
  entries: z.array(AuditEntrySchema),
  head: AuditHead.nullable(),
});

export const AuditVerifyQuery = z.object({
  headSeq: z.coerce.number().int().min(1).optional(),
  headHash: Hex64.optional(),
});

export const AuditVerificationSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    head: AuditHead.nullable(),
    problems: z.array(
      z.object({
        kind: z.enum(['modified', 'deleted', 'reordered', 'relinked', 'head-mismatch']),
        seq: z.number().int(),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: 'AuditVerification' });

export const AuditParams = z.object({ orgId: OrgId });
