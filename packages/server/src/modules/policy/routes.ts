/**
 * Governed policy versions and the dry run (issue 6, item 5). A policy or address-book change
 * is a proposal of the next version (owner/admin), published once distinct owners/admins —
 * one per person, whoever proposed it included — reach the admin quorum with signed approvals
 * (the highest genesis quorum among the organisation's vaults, at least 1); one admin's signed
 * rejection ends it. A published version keeps taking approvals, so the genesis approvers of
 * a vault created later can make their nodes accept it (`vaults[].accepted`).
 */
import {
  CurrentPolicy,
  OrgParams,
  PolicyDryRun,
  PolicyDryRunResult,
  PolicyVersion,
  PolicyVersionList,
  PolicyVersionParams,
  ProposeAddressBookEntry,
  ProposePolicyVersion,
  PublishedPolicy,
  Approval,
  Ok,
  OPEN_REQUEST_STATUSES,
  policyApprovalPayloadJson,
  publishedPolicyHash,
  type PolicyDocument,
} from '@coffer/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../../http/error-responses.js';
import { conflict, notFound } from '../../http/server-error.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { actorId, type Actor } from '../auth/actor.js';
import { ADMIN_ROLES, EVERY_ROLE, requireOrgRole } from '../orgs/access.js';
import { setRequestStatus } from '../signing/store.js';
import { listVaults } from '../vaults/store.js';
import { approvalKeys } from './approval-keys.js';
import { policyDirectory } from './directory.js';
import { judgeRequest } from './judge.js';
import {
  currentPolicy,
  findPolicyVersion,
  insertPolicyDecision,
  insertPolicyVersion,
  latestVersionNumber,
  listPolicyVersions,
  setPolicyVersionStatus,
  versionView,
  type StoredPolicyVersion,
} from './store.js';
import { verifyDecision } from './verify-decision.js';

const errors = errorResponses(400, 401, 403, 404, 409);

/** Vaults that are or will be usable: their genesis approvers judge every version. */
async function liveVaults(db: Queryable, orgId: string) {
  return (await listVaults(db, orgId)).filter((v) => v.status !== 'failed');
}

/** Distinct owners/admins needed: the highest genesis quorum of the live vaults, ≥ 1. */
async function adminQuorum(db: Queryable, orgId: string): Promise<number> {
  const vaults = await liveVaults(db, orgId);
  return Math.max(1, ...vaults.map((v) => v.genesis.policy.quorum));
}

/**
 * Once version `published` is out, open requests judged under an older published version
 * can no longer be signed: the nodes refuse a superseded version once they have seen the newer
 * one (APPROVALS.md "Evidence v2", rollback). End them now, with the reason, instead of letting
 * them fail at the nodes. Requests under the genesis policy (version 1) are not affected.
 */
async function failSupersededRequests(tx: Queryable, orgId: string, published: number) {
  const open = await tx.query<{ id: string; policy_version: number }>(
    `SELECT id, policy_version FROM signature_requests
     WHERE org_id = $1 AND status = ANY($2::text[]) AND policy_version >= 2
       AND policy_version < $3
     ORDER BY id FOR UPDATE`,
    [orgId, OPEN_REQUEST_STATUSES, published],
  );
  for (const request of open) {
    await setRequestStatus(tx, request.id, OPEN_REQUEST_STATUSES, 'failed', {
      failure: {
        reason:
          `policy version ${published} was published; this request was judged under ` +
          `version ${request.policy_version}, which the nodes no longer accept: ask again`,
        culprits: [],
      },
    });
  }
}

async function view(db: Queryable, version: StoredPolicyVersion): Promise<PolicyVersion> {
  const current = (await currentPolicy(db, version.orgId))?.policyVersion ?? 1;
  return versionView(version, current, await liveVaults(db, version.orgId));
}

export const policyRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const base = '/v1/orgs/:orgId/policy';

  /** Proposes `policy` as the next version, in one transaction with its audit entry. */
  async function propose(orgId: string, actor: Actor, policy: PolicyDocument) {
    const proposed = await db.transaction(async (tx) => {
      // One proposal at a time per organisation: serialise on its row.
      await tx.query('SELECT id FROM organisations WHERE id = $1 FOR UPDATE', [orgId]);
      const open = await tx.query<{ policy_version: number }>(
        "SELECT policy_version FROM policy_versions WHERE org_id = $1 AND status = 'proposed'",
        [orgId],
      );
      if (open[0]) {
        throw conflict(
          `policy version ${open[0].policy_version} is awaiting approval: approve, reject or ` +
            'withdraw it first',
        );
      }
      const next = (await latestVersionNumber(tx, orgId)) + 1;
      if (policy.policyVersion !== next) {
        throw conflict(`policy.policyVersion must be ${next}, the next version`);
      }
      const previous = await currentPolicy(tx, orgId);
      const document = PublishedPolicy.parse({
        version: 1,
        orgId,
        policyVersion: next,
        previousHash: previous?.hash ?? null,
        policy,
        directory: await policyDirectory(tx, orgId, ctx.origin),
      });
      const configured = new Set(document.directory.externalApprovers.map((e) => e.endpointId));
      for (const rule of policy.rules) {
        if (rule.action.type !== 'require-approvals') continue;
        for (const stage of rule.action.stages) {
          if (stage.type === 'external' && !configured.has(stage.endpointId)) {
            throw conflict(
              `rule "${rule.id}" calls external approver "${stage.endpointId}", which the ` +
                'organisation has not configured',
            );
          }
        }
      }
      const hash = publishedPolicyHash(document);
      await insertPolicyVersion(tx, {
        document,
        hash,
        adminQuorum: await adminQuorum(tx, orgId),
        proposedBy: actorId(actor),
      });
      await appendAudit(tx, {
        chain: orgId,
        actor: auditActorOf(actor),
        action: 'policy.proposed',
        subject: `policy:${next}`,
        details: { policyVersion: next, hash, rules: policy.rules.length },
      });
      return next;
    });
    return view(db, (await findPolicyVersion(db, orgId, proposed))!);
  }

  app.get(
    base,
    {
      schema: {
        tags: ['policy'],
        summary: 'The policy version new requests are judged by',
        params: OrgParams,
        response: { 200: CurrentPolicy, ...errors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const published = await currentPolicy(db, orgId);
      return {
        policyVersion: published?.policyVersion ?? 1,
        published: published ? await view(db, published) : null,
      };
    },
  );

  app.get(
    `${base}/versions`,
    {
      schema: {
        tags: ['policy'],
        summary: 'Every proposed and published version, newest first',
        params: OrgParams,
        response: { 200: PolicyVersionList, ...errors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const versions = await listPolicyVersions(db, orgId);
      return { versions: await Promise.all(versions.map((v) => view(db, v))) };
    },
  );

  app.get(
    `${base}/versions/:version`,
    {
      schema: {
        tags: ['policy'],
        summary: 'One policy version with its approvals',
        params: PolicyVersionParams,
        response: { 200: PolicyVersion, ...errors },
      },
    },
    async (request) => {
      const { orgId, version } = request.params;
      await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const found = await findPolicyVersion(db, orgId, version);
      if (!found) throw notFound('policy version');
      return view(db, found);
    },
  );

  app.post(
    `${base}/versions`,
    {
      schema: {
        tags: ['policy'],
        summary: 'Propose the next policy version (owner, admin)',
        description:
          'Published once the admin quorum approved it. `policy.policyVersion` must be the ' +
          'next version number; the directory (members, approval keys, external approvers) ' +
          'is taken now.',
        params: OrgParams,
        body: ProposePolicyVersion,
        response: { 201: PolicyVersion, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      return reply.status(201).send(await propose(orgId, actor, request.body.policy));
    },
  );

  app.post(
    `${base}/address-book`,
    {
      schema: {
        tags: ['policy'],
        summary: 'Propose the current policy plus one address-book entry (owner, admin)',
        params: OrgParams,
        body: ProposeAddressBookEntry,
        response: { 201: PolicyVersion, ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      const current = await currentPolicy(db, orgId);
      if (!current) throw conflict('no policy is published yet: propose a whole policy first');
      const policy = current.document.policy;
      const next = (await latestVersionNumber(db, orgId)) + 1;
      const draft = {
        ...policy,
        policyVersion: next,
        addressBook: [...(policy.addressBook ?? []), request.body.entry],
      };
      return reply.status(201).send(await propose(orgId, actor, draft));
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `${base}/versions/:version/${decision === 'approve' ? 'approvals' : 'rejections'}`,
      {
        schema: {
          tags: ['policy'],
          summary:
            decision === 'approve'
              ? "Approve a policy version: an owner's or admin's signature over approvalPayload"
              : "Reject a proposed version: an owner's or admin's signature over rejectionPayload",
          params: PolicyVersionParams,
          body: Approval,
          response: { 200: PolicyVersion, ...errors },
        },
      },
      async (request) => {
        const { orgId, version } = request.params;
        const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
        await db.transaction(async (tx) => {
          const found = await findPolicyVersion(tx, orgId, version, true);
          if (!found) throw notFound('policy version');
          const open = decision === 'approve' ? ['proposed', 'published'] : ['proposed'];
          if (!open.includes(found.status)) throw conflict(`the version is ${found.status}`);
          const approval = request.body;
          if (found.decisions.some((d) => d.approval.approverKeyId === approval.approverKeyId)) {
            throw conflict(`${approval.approverKeyId} has decided on this version already`);
          }
          const payload = policyApprovalPayloadJson({
            orgId,
            policyVersion: version,
            hash: found.hash,
            decision,
          });
          const admins = await approvalKeys(tx, orgId, ctx.origin, ADMIN_ROLES);
          const approver = verifyDecision(admins, approval, payload, 'owner or admin approval');
          const principal = approver.principal ?? approver.keyId;
          await insertPolicyDecision(tx, {
            orgId,
            policyVersion: version,
            approval,
            principal,
            decision,
            submittedBy: actorId(actor),
          });
          await appendAudit(tx, {
            chain: orgId,
            actor: auditActorOf(actor),
            action: decision === 'approve' ? 'policy.approved' : 'policy.rejected',
            subject: `policy:${version}`,
            details: { approverKeyId: approval.approverKeyId, principal },
          });
          if (decision === 'reject') {
            await setPolicyVersionStatus(tx, orgId, version, 'proposed', 'rejected');
            return;
          }
          const people = new Set([
            principal,
            ...found.decisions.filter((d) => d.decision === 'approve').map((d) => d.principal),
          ]);
          if (found.status === 'proposed' && people.size >= found.adminQuorum) {
            await setPolicyVersionStatus(tx, orgId, version, 'proposed', 'published');
            await appendAudit(tx, {
              chain: orgId,
              actor: auditActorOf(actor),
              action: 'policy.published',
              subject: `policy:${version}`,
              details: { policyVersion: version, hash: found.hash, approvers: [...people] },
            });
            await failSupersededRequests(tx, orgId, version);
          }
        });
        return view(db, (await findPolicyVersion(db, orgId, version))!);
      },
    );
  }

  app.post(
    `${base}/versions/:version/withdraw`,
    {
      schema: {
        tags: ['policy'],
        summary: 'Withdraw a proposed version (its proposer, an owner or an admin)',
        params: PolicyVersionParams,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { orgId, version } = request.params;
      const { actor } = await requireOrgRole(db, request, orgId, ADMIN_ROLES);
      await db.transaction(async (tx) => {
        const found = await findPolicyVersion(tx, orgId, version, true);
        if (!found) throw notFound('policy version');
        if (!(await setPolicyVersionStatus(tx, orgId, version, 'proposed', 'withdrawn'))) {
          throw conflict(`the version is ${found.status}`);
        }
        await appendAudit(tx, {
          chain: orgId,
          actor: auditActorOf(actor),
          action: 'policy.withdrawn',
          subject: `policy:${version}`,
          details: {},
        });
      });
      return { ok: true as const };
    },
  );

  app.post(
    `${base}/dry-run`,
    {
      schema: {
        tags: ['policy'],
        summary: 'What would happen to this request, and why',
        description:
          'Judges the intent exactly as creating the request would (current published policy, ' +
          'or `policy` as a draft; velocity from the real history) without creating anything.',
        params: OrgParams,
        body: PolicyDryRun,
        response: { 200: PolicyDryRunResult, ...errors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const { actor, role } = await requireOrgRole(db, request, orgId, EVERY_ROLE);
      const { intent, policy, at } = request.body;
      const initiator = request.body.initiator ?? {
        kind: actor.kind === 'session' ? ('user' as const) : ('api-key' as const),
        id: actorId(actor),
        role,
      };
      const { decision } = await judgeRequest(
        db,
        orgId,
        { intent, initiator },
        at ? new Date(at) : new Date(),
        policy,
      );
      return {
        policyVersion: decision.policyVersion,
        outcome: decision.outcome,
        ruleId: decision.ruleId,
        ruleName: decision.ruleName,
        reasons: [...decision.reasons],
      };
    },
  );
};
