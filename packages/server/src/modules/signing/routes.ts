/**
 * Signature-request routes (issue 5 item 7; issue 6 items 1–2 and 6): propose a request (an
 * intent, or a raw message/digest) which the policy judges at once; approve or reject it with
 * a signature by the approver's own key over the request's canonical payload — verified on
 * arrival with the nodes' own code, so the server never keeps a decision a node would refuse;
 * cancel it. The state machine itself lives in requests.ts.
 */
import {
  Approval,
  CreateSignatureRequest,
  SignatureRequest,
  SignatureRequestList,
  SignatureRequestParams,
  VaultParams,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../../http/error-responses.js';
import { notFound } from '../../http/server-error.js';
import { EVERY_ROLE, requireOrgRole } from '../orgs/access.js';
import { findVault } from '../vaults/store.js';
import { cancelRequest, createRequest, decide } from './requests.js';
import { findSignatureRequest, listSignatureRequests } from './store.js';

const errors = errorResponses(400, 401, 403, 404, 409);

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1..128 characters of [A-Za-z0-9._:-]')
    .optional(),
});

export const signingRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const base = '/v1/orgs/:orgId/vaults/:vaultId/signature-requests';

  app.post(
    base,
    {
      schema: {
        tags: ['signing'],
        summary: 'Propose a request: the policy judges it at once (owner, admin, initiator)',
        description:
          'Answers 201 with the decision (rejected when blocked, approved when allowed, ' +
          'otherwise pending_approval with what is missing) and the payloads approvers sign. ' +
          'ECDSA signs a 32-byte digest, FROST a message: give `intent` (its one digest is ' +
          "signed) or `digest`/`message` (a raw message on chain 'raw'). Retrying with the " +
          'same Idempotency-Key returns the first request (200); with another body, 409.',
        params: VaultParams,
        headers: IdempotencyHeaders,
        body: CreateSignatureRequest,
        response: { 200: SignatureRequest, 201: SignatureRequest, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId, vaultId } = request.params;
      const { actor, role } = await requireOrgRole(db, request, orgId, [
        'owner',
        'admin',
        'initiator',
      ]);
      const { request: created, created: isNew } = await createRequest(ctx, {
        orgId,
        vaultId,
        actor,
        role,
        body: request.body,
        idempotencyKey: request.headers['idempotency-key'] ?? null,
      });
      return reply.status(isNew ? 201 : 200).send(created.view);
    },
  );

  app.get(
    base,
    {
      schema: {
        tags: ['signing'],
        summary: "The vault's signature requests, newest first",
        params: VaultParams,
        response: { 200: SignatureRequestList, ...errors },
      },
    },
    async (request) => {
      const { orgId, vaultId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      if (!(await findVault(db, orgId, vaultId))) throw notFound('vault');
      return { requests: await listSignatureRequests(db, orgId, vaultId) };
    },
  );

  app.get(
    `${base}/:requestId`,
    {
      schema: {
        tags: ['signing'],
        summary: 'One signature request: decision, approvals so far, then the signature',
        params: SignatureRequestParams,
        response: { 200: SignatureRequest, ...errors },
      },
    },
    async (request) => {
      const { orgId, vaultId, requestId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const found = await findSignatureRequest(db, { orgId, vaultId, requestId });
      if (!found) throw notFound('signature request');
      return found.view;
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `${base}/:requestId/${decision === 'approve' ? 'approvals' : 'rejections'}`,
      {
        schema: {
          tags: ['signing'],
          summary:
            decision === 'approve'
              ? "Approve: an approver's signature over the request's approvalPayload"
              : "Reject: an approver's signature over the request's rejectionPayload",
          description:
            'Ed25519 (API-key approval key) over the payload bytes, or a WebAuthn assertion ' +
            'with user verification whose challenge is base64url(SHA-256(payload)). Verified ' +
            'exactly as the nodes verify it; the initiator cannot decide on their own request ' +
            'under a published policy.',
          params: SignatureRequestParams,
          body: Approval,
          response: { 200: SignatureRequest, ...errors },
        },
      },
      async (request) => {
        const { orgId, vaultId, requestId } = request.params;
        const { actor } = await requireOrgRole(db, request, orgId, ['owner', 'admin', 'approver']);
        const decided = await decide(ctx, {
          orgId,
          vaultId,
          requestId,
          actor,
          approval: request.body,
          decision,
        });
        return decided.view;
      },
    );
  }

  app.post(
    `${base}/:requestId/cancel`,
    {
      schema: {
        tags: ['signing'],
        summary: 'Cancel a request before signing starts (its initiator, an owner or an admin)',
        params: SignatureRequestParams,
        response: { 200: SignatureRequest, ...errors },
      },
    },
    async (request) => {
      const { orgId, vaultId, requestId } = request.params;
      const { actor, role } = await requireOrgRole(db, request, orgId, EVERY_ROLE);
      return (await cancelRequest(ctx, { orgId, vaultId, requestId, actor, role })).view;
    },
  );
};
