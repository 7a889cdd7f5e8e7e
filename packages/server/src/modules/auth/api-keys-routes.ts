/**
 * API-key routes (issue 5, "API keys for machine clients: stored hashed, scoped to a role,
 * revocable"): owners and admins of an organisation create keys (the secret is answered once),
 * list them (never a secret or its hash) and revoke them (refused from the next request on).
 * Managing keys is for people only: an API key can never mint or revoke keys, so a leaked
 * key cannot make itself permanent. Creation and revocation are written to the audit log.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  ApiKeyList,
  ApiKeyParams,
  CreateApiKeyRequest,
  CreatedApiKey,
  Ok,
  OrgParams,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { ServerError } from '../../http/server-error.js';
import { auditActorOf } from '../audit/audit-store.js';
import { ADMIN_ROLES, requireOrgRole } from '../orgs/access.js';
import { requireSession } from './actor.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys-store.js';
import { errorResponses } from '../../http/error-responses.js';

const errors = errorResponses(400, 401, 403, 404);

/**
 * An approval key must be a valid Ed25519 point (RFC 8032 §5.1.3 decoding) outside the
 * small-order subgroup: with a small-order key, signatures could be forged without any secret.
 */
function assertApprovalPublicKey(hex: string): void {
  let valid: boolean;
  try {
    valid = !ed25519.Point.fromHex(hex).isSmallOrder();
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ServerError('VALIDATION_FAILED', 'approvalPublicKey is not a usable Ed25519 key', [
      { path: 'body.approvalPublicKey', message: 'not a valid Ed25519 public key' },
    ]);
  }
}

export const apiKeyRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;

  app.post(
    '/v1/orgs/:orgId/api-keys',
    {
      schema: {
        tags: ['organisations'],
        summary: 'Create an API key (owners and admins); the secret is shown only in this answer',
        params: OrgParams,
        body: CreateApiKeyRequest,
        response: { 201: CreatedApiKey, ...errors },
      },
    },
    async (request, reply) => {
      requireSession(request);
      // Owners and admins only. A key's role is at most admin (the schema refuses owner), so
      // nobody can create a key above their own role.
      const access = await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      const { name, role, approvalPublicKey } = request.body;
      if (approvalPublicKey !== undefined) assertApprovalPublicKey(approvalPublicKey);
      const created = await db.transaction((tx) =>
        createApiKey(tx, {
          orgId: access.orgId,
          name,
          role,
          approvalPublicKey: approvalPublicKey ?? null,
          createdBy: auditActorOf(access.actor),
        }),
      );
      request.log.info({ orgId: access.orgId, apiKeyId: created.id, role }, 'API key created');
      void reply.header('cache-control', 'no-store');
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/orgs/:orgId/api-keys',
    {
      schema: {
        tags: ['organisations'],
        summary: "The organisation's API keys, revoked ones included (never a secret)",
        params: OrgParams,
        response: { 200: ApiKeyList, ...errors },
      },
    },
    async (request) => {
      requireSession(request);
      const access = await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      return { apiKeys: await listApiKeys(db, access.orgId) };
    },
  );

  app.delete(
    '/v1/orgs/:orgId/api-keys/:keyId',
    {
      schema: {
        tags: ['organisations'],
        summary: 'Revoke an API key: it is refused from the next request on',
        params: ApiKeyParams,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      requireSession(request);
      const access = await requireOrgRole(db, request, request.params.orgId, ADMIN_ROLES);
      await db.transaction((tx) =>
        revokeApiKey(tx, access.orgId, request.params.keyId, auditActorOf(access.actor)),
      );
      request.log.info({ orgId: access.orgId, apiKeyId: request.params.keyId }, 'API key revoked');
      return { ok: true as const };
    },
  );
};
