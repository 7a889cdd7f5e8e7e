/**
 * API keys (machine clients): the bearer secret is shown once at creation and stored only
 * as its SHA-256; a key belongs to one organisation, carries one role (never owner) and
 * stops working the moment it is revoked.
 */
import type { Role } from '@coffer/protocol';
import { tokenHash } from '../../ids.js';
import type { Queryable } from '../../store/database.js';
import type { ApiKeyActor } from './actor.js';

export async function findApiKeyActor(db: Queryable, secret: string): Promise<ApiKeyActor | null> {
  const rows = await db.query<{ id: string; org_id: string; role: Role; created_by: string }>(
    `UPDATE api_keys SET last_used_at = now()
     WHERE secret_hash = $1 AND revoked_at IS NULL
     RETURNING id, org_id, role, created_by`,
    [tokenHash(secret)],
  );
  const row = rows[0];
  return row
    ? {
        kind: 'api-key',
        apiKeyId: row.id,
        orgId: row.org_id,
        role: row.role,
        createdBy: row.created_by,
      }
    : null;
}
