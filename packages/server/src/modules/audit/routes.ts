/**
 * Audit routes (issue 6, "Audit"): owners, admins and auditors read their organisation's
 * chain page by page, export it whole as JSON lines (for `coffer audit verify --file`), and
 * ask the server to verify it. Nobody can edit it: there is no route that changes it, and the
 * table refuses UPDATE and DELETE.
 */
import {
  AuditListQuery,
  AuditPage,
  AuditParams,
  AuditVerificationSchema,
  AuditVerifyQuery,
  verifyAuditChain,
  type Role,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { badRequest } from '../../http/server-error.js';
import { requireOrgRole } from '../orgs/access.js';
import { auditHead, listAudit } from './audit-store.js';
import { errorResponses } from '../../http/error-responses.js';

export const AUDIT_READERS: readonly Role[] = ['owner', 'admin', 'auditor'];
const errors = errorResponses(400, 401, 403, 404);

export const auditRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;

  app.get(
    '/v1/orgs/:orgId/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "A page of the organisation's audit log, oldest first",
        params: AuditParams,
        querystring: AuditListQuery,
        response: { 200: AuditPage, ...errors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, AUDIT_READERS);
      const { after, limit } = request.query;
      return {
        entries: await listAudit(db, orgId, after, limit),
        head: await auditHead(db, orgId),
      };
    },
  );

  app.get(
    '/v1/orgs/:orgId/audit/export',
    {
      schema: {
        tags: ['audit'],
        summary: 'The whole audit log as JSON lines (application/x-ndjson), one entry per line',
        params: AuditParams,
        response: { 200: z.string().describe('JSON lines: one AuditEntry per line'), ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, AUDIT_READERS);
      const entries = await listAudit(db, orgId);
      const body = entries.map((e) => JSON.stringify(e)).join('\n');
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="coffer-audit-${orgId}.jsonl"`)
        .send(entries.length > 0 ? `${body}\n` : '');
    },
  );

  app.get(
    '/v1/orgs/:orgId/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Verify the hash chain (optionally against a head recorded earlier)',
        params: AuditParams,
        querystring: AuditVerifyQuery,
        response: { 200: AuditVerificationSchema, ...errors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, AUDIT_READERS);
      const { headSeq, headHash } = request.query;
      if ((headSeq === undefined) !== (headHash === undefined)) {
        throw badRequest('give both headSeq and headHash, or neither');
      }
      const expected =
        headSeq !== undefined && headHash !== undefined
          ? { seq: headSeq, hash: headHash }
          : undefined;
      const verification = verifyAuditChain(await listAudit(db, orgId), expected);
      return { ...verification, problems: [...verification.problems] };
    },
  );
};
