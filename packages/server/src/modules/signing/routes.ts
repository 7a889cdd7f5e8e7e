/**
 * Signature-request routes (issue 5, item 7): ask a vault to sign a message (FROST) or a
 * 32-byte digest (ECDSA); collect approvals — each verified on arrival against the vault's
 * genesis policy with the nodes' own code (@coffer/node `verifyEvidence`), so the server never
 * forwards an approval a node would refuse; once the policy's quorum of distinct approvers is
 * reached the request is "approved" and a background job has the nodes sign it.
 */
import { verifyEvidence, type VaultGenesis } from '@coffer/node';
import {
  Approval,
  CreateSignatureRequest,
  SignatureRequest,
  SignatureRequestList,
  SignatureRequestParams,
  VaultParams,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { ServerError, conflict, notFound } from '../../http/server-error.js';
import { newId } from '../../ids.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { actorId } from '../auth/actor.js';
import { enqueueJob } from '../jobs/jobs-store.js';
import { EVERY_ROLE, requireOrgRole } from '../orgs/access.js';
import { findVault } from '../vaults/store.js';
import { SIGNING_JOB } from './signing-job.js';
import {
  findSignatureRequest,
  insertApproval,
  insertSignatureRequest,
  listSignatureRequests,
  setRequestStatus,
} from './store.js';
import { errorResponses } from '../../http/error-responses.js';

const errors = errorResponses(400, 401, 403, 404, 409);

export const signingRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const base = '/v1/orgs/:orgId/vaults/:vaultId/signature-requests';

  app.post(
    base,
    {
      schema: {
        tags: ['signing'],
        summary: 'Ask the vault to sign a message or digest (owner, admin, initiator)',
        description:
          'Answers 201 with status "pending_approval", the canonical approval payload the ' +
          "approvers sign and its WebAuthn challenge. ECDSA signs a 32-byte 'digest'; FROST a " +
          "'message'.",
        params: VaultParams,
        body: CreateSignatureRequest,
        response: { 201: SignatureRequest, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId, vaultId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ['owner', 'admin', 'initiator']);
      const vault = await findVault(db, orgId, vaultId);
      if (!vault) throw notFound('vault');
      const { scheme } = request.body;
      const key = vault.keys.find((k) => k.scheme === scheme);
      if (!key) throw conflict(`the vault has no ${scheme} key`);
      if (key.status !== 'completed') throw conflict(`the vault's ${scheme} key is ${key.status}`);
      const digest = (request.body.digest ?? request.body.message)!;
      const policy = (vault.genesis as VaultGenesis).policy;
      const id = newId('sig');
      await db.transaction(async (tx) => {
        await insertSignatureRequest(tx, {
          id,
          orgId,
          vaultId,
          scheme,
          digest,
          policyVersion: policy.policyVersion,
          quorum: policy.quorum,
          createdBy: actorId(actor),
        });
        await appendAudit(tx, {
          chain: orgId,
          actor: auditActorOf(actor),
          action: 'signature.requested',
          subject: id,
          details: { vaultId, scheme, digest },
        });
      });
      const created = await findSignatureRequest(db, { orgId, vaultId, requestId: id });
      return reply.status(201).send(created!.view);
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
        summary: 'One signature request: approvals so far, then the signature',
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

  app.post(
    `${base}/:requestId/approvals`,
    {
      schema: {
        tags: ['signing'],
        summary: "Add an approval: an approver's signature over the approval payload",
        description:
          'Ed25519 (API-key approval key) over the payload bytes, or a WebAuthn assertion with ' +
          'user verification whose challenge is the request\'s "challenge". Verified against ' +
          "the vault's genesis policy exactly as the nodes will verify it.",
        params: SignatureRequestParams,
        body: Approval,
        response: { 200: SignatureRequest, ...errors },
      },
    },
    async (request) => {
      const { orgId, vaultId, requestId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ['owner', 'admin', 'approver']);
      const vault = await findVault(db, orgId, vaultId);
      if (!vault) throw notFound('vault');
      const approval = request.body;
      const approved = await db.transaction(async (tx) => {
        const found = await findSignatureRequest(tx, { orgId, vaultId, requestId }, true);
        if (!found) throw notFound('signature request');
        const { view } = found;
        if (view.status !== 'pending_approval') throw conflict(`the request is ${view.status}`);
        if (found.approvals.some((a) => a.approverKeyId === approval.approverKeyId)) {
          throw conflict(`${approval.approverKeyId} has approved this request already`);
        }
        const policy = (vault.genesis as VaultGenesis).policy;
        // The nodes' check, for this one approval (quorum 1): the node repeats it for all.
        const verdict = verifyEvidence(
          { ...policy, quorum: 1 },
          {
            version: 1,
            requestId: view.id,
            vaultId: view.vaultId,
            digests: [view.digest],
            policyVersion: view.policyVersion,
            approvals: [approval],
          },
          view.digest,
        );
        if (!verdict.ok) {
          throw new ServerError(
            'BAD_REQUEST',
            `approval refused: ${verdict.reason}: ${verdict.message}`,
          );
        }
        await insertApproval(tx, view.id, approval, actorId(actor));
        const count = found.approvals.length + 1;
        // Reached exactly when the nodes will accept the evidence: distinct people, not keys.
        const reached = verifyEvidence(
          policy,
          {
            version: 1,
            requestId: view.id,
            vaultId: view.vaultId,
            digests: [view.digest],
            policyVersion: view.policyVersion,
            approvals: [...found.approvals, approval],
          },
          view.digest,
        ).ok;
        if (reached) {
          await setRequestStatus(tx, view.id, 'pending_approval', 'approved');
          await enqueueJob(tx, SIGNING_JOB, view.id);
        }
        await appendAudit(tx, {
          chain: orgId,
          actor: auditActorOf(actor),
          action: 'signature.approved',
          subject: view.id,
          details: { approverKeyId: approval.approverKeyId, approvals: count, quorum: view.quorum },
        });
        return reached;
      });
      if (approved) ctx.wakeJobs?.();
      const found = await findSignatureRequest(db, { orgId, vaultId, requestId });
      return found!.view;
    },
  );
};
