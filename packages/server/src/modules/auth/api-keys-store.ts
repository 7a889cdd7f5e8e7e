/**
 * API keys (machine clients): the bearer secret is shown once at creation and stored only
 * as its SHA-256; a key belongs to one organisation, carries one role (never owner) and
 * stops working the moment it is revoked.
 */
import type { ApiKey, ApiKeyRole, AuditActor, CreatedApiKey, Role } from '@coffer/protocol';
import { notFound } from '../../http/server-error.js';
import { newId, newSecretToken, tokenHash } from '../../ids.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit } from '../audit/audit-store.js';
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

interface ApiKeyRow {
  id: string;
  org_id: string;
  name: string;
  role: ApiKeyRole;
  approval_public_key: string | null;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Never `secret_hash`: nothing read for a listing can authenticate. */
const API_KEY_COLUMNS = `id, org_id, name, role, approval_public_key, created_by, created_at,
  last_used_at, revoked_at`;

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  role: row.role,
  approvalPublicKey: row.approval_public_key,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

/** The bearer secret: a recognisable prefix (secret scanners) and 256 random bits. */
export const API_KEY_PREFIX = 'coffer_';

/** Creates a key in `tx` (audited as `api-key.created`); the secret is returned only here. */
export async function createApiKey(
  tx: Queryable,
  input: {
    orgId: string;
    name: string;
    role: ApiKeyRole;
    approvalPublicKey: string | null;
    createdBy: AuditActor;
  },
): Promise<CreatedApiKey> {
  const secret = API_KEY_PREFIX + newSecretToken();
  const rows = await tx.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, org_id, name, role, secret_hash, approval_public_key, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${API_KEY_COLUMNS}`,
    [
      newId('key'),
      input.orgId,
      input.name,
      input.role,
      tokenHash(secret),
      input.approvalPublicKey,
      input.createdBy.id,
    ],
  );
  const apiKey = toApiKey(rows[0]!);
  await appendAudit(tx, {
    chain: input.orgId,
    actor: input.createdBy,
    action: 'api-key.created',
    subject: apiKey.id,
    details: { name: apiKey.name, role: apiKey.role, approvalPublicKey: apiKey.approvalPublicKey },
  });
  return { ...apiKey, secret };
}

export async function listApiKeys(db: Queryable, orgId: string): Promise<ApiKey[]> {
  const rows = await db.query<ApiKeyRow>(
    `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE org_id = $1 ORDER BY created_at, id`,
    [orgId],
  );
  return rows.map(toApiKey);
}

/** Revokes a live key of `orgId` in `tx` (audited); NOT_FOUND if there is none. */
export async function revokeApiKey(
  tx: Queryable,
  orgId: string,
  keyId: string,
  actor: AuditActor,
): Promise<void> {
  const rows = await tx.query(
    `UPDATE api_keys SET revoked_at = now()
     WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL RETURNING id`,
    [keyId, orgId],
  );
  if (rows.length === 0) throw notFound('API key');
  await appendAudit(tx, { chain: orgId, actor, action: 'api-key.revoked', subject: keyId });
}

/**
 * Revokes, in `tx`, every live key of `orgId` created by `userId` (each audited as
 * `api-key.revoked`): called when that person is removed from the organisation or loses the
 * owner/admin role. A key is minted by an owner or admin and may itself be admin, so a key
 * that outlived its creator's authority would keep powers the organisation took away (and its
 * approval key would still enter new vaults' genesis policies).
 */
export async function revokeApiKeysCreatedBy(
  tx: Queryable,
  orgId: string,
  userId: string,
  actor: AuditActor,
  reason: string,
): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE api_keys SET revoked_at = now()
     WHERE org_id = $1 AND created_by = $2 AND revoked_at IS NULL RETURNING id`,
    [orgId, userId],
  );
  const ids = rows.map((r) => r.id).sort();
  for (const id of ids) {
    await appendAudit(tx, {
      chain: orgId,
      actor,
      action: 'api-key.revoked',
      subject: id,
      details: { reason },
    });
  }
  return ids;
}
