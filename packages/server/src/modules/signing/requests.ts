/**
 * The request state machine (issue 6, items 1–2, 4 and 6): creating a request (idempotent per
 * caller and `Idempotency-Key`), judging it by the policy in the same transaction, taking
 * signed decisions, cancelling. Every transition is a guarded UPDATE (`from` state) on a
 * locked row plus its audit entry in one transaction, so parallel approvals and double
 * submits cannot both win. Expiry and stuck signing are the monitor's (monitor.ts).
 *
 *   pending_policy ─┬─ block ──────────────────────────────▶ rejected
 *                   ├─ allow ─────────────────▶ approved ─▶ signing ─▶ signed | failed
 *                   └─ require approvals ─▶ pending_approval ─┬─▶ approved
 *                                                             └─▶ rejected
 *   pending_* and approved ─▶ cancelled (initiator, owner, admin) | expired (monitor)
 */
import { verifyEvidence, type VaultGenesis } from '@coffer/node';
import {
  canonicalJson,
  expectedDecisionPayload,
  type Approval,
  type CreateSignatureRequest,
  type Intent,
  type Role,
} from '@coffer/protocol';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { AppContext } from '../../app-context.js';
import { ServerError, badRequest, conflict, forbidden, notFound } from '../../http/server-error.js';
import { newId } from '../../ids.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit, auditActorOf } from '../audit/audit-store.js';
import { actorId, type Actor } from '../auth/actor.js';
import { enqueueJob } from '../jobs/jobs-store.js';
import { approvalKeyStillValid } from '../policy/approval-keys.js';
import { judgeRequest } from '../policy/judge.js';
import { findPolicyVersion, genesisAcceptance } from '../policy/store.js';
import { verifyDecision } from '../policy/verify-decision.js';
import { findVault } from '../vaults/store.js';
import { answersOf } from '../external-approvers/store.js';
import { externalDecisions, genesisProgress, policyProgress } from './progress.js';
import { applyProgress, openExternalStage } from './transitions.js';
import { SIGNING_JOB } from './signing-job.js';
import {
  findByIdempotencyKey,
  findSignatureRequest,
  insertDecision,
  insertSignatureRequest,
  recordPolicyDecision,
  setRequestStatus,
  type StoredInitiator,
  type StoredRequest,
} from './store.js';

export const DEFAULT_EXPIRY_SECONDS = 24 * 3600;
/** Requests with no chain context (a raw digest or message) are messages on this "chain". */
export const RAW_CHAIN = 'raw';

const sha256Hex = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));

function initiatorOf(actor: Actor, role: Role): StoredInitiator {
  return actor.kind === 'session'
    ? { kind: 'user', id: actor.user.id, role, principal: actor.user.id }
    : { kind: 'api-key', id: actor.apiKeyId, role, principal: actor.createdBy };
}

/** The request's intent: the one given, or a raw message of the digest/message given. */
function intentOf(vaultId: string, body: CreateSignatureRequest): Intent {
  if (body.intent) {
    if (body.intent.source.vaultId !== vaultId) {
      throw badRequest('intent.source.vaultId must be the vault in the path');
    }
    return body.intent;
  }
  return {
    version: 1,
    kind: 'message',
    chain: RAW_CHAIN,
    asset: RAW_CHAIN,
    amount: '0',
    source: { vaultId },
    digests: [(body.digest ?? body.message)!],
  };
}

export interface CreateInput {
  readonly orgId: string;
  readonly vaultId: string;
  readonly actor: Actor;
  readonly role: Role;
  readonly body: CreateSignatureRequest;
  readonly idempotencyKey: string | null;
}

/** Creates and judges a request; `created` false: the idempotency key returned an earlier one. */
export async function createRequest(
  ctx: AppContext,
  input: CreateInput,
): Promise<{ request: StoredRequest; created: boolean }> {
  const { db } = ctx;
  const { orgId, vaultId, actor, role, body } = input;
  const vault = await findVault(db, orgId, vaultId);
  if (!vault) throw notFound('vault');
  const key = vault.keys.find((k) => k.scheme === body.scheme);
  if (!key) throw conflict(`the vault has no ${body.scheme} key`);
  if (key.status !== 'completed') throw conflict(`the vault's ${body.scheme} key is ${key.status}`);
  const intent = intentOf(vaultId, body);
  const initiator = initiatorOf(actor, role);
  const requestHash = sha256Hex(
    canonicalJson({ vaultId, scheme: body.scheme, intent, expiresIn: body.expiresInSeconds ?? 0 }),
  );
  const id = newId('sig');
  const now = new Date();
  const expiresAt = new Date(
    now.getTime() + (body.expiresInSeconds ?? DEFAULT_EXPIRY_SECONDS) * 1000,
  );
  const createdBy = actorId(actor);
  const outcome = await db.transaction(async (tx) => {
    const inserted = await insertSignatureRequest(tx, {
      id,
      orgId,
      vaultId,
      scheme: body.scheme,
      intent,
      initiator,
      createdAt: now,
      expiresAt,
      createdBy,
      idempotencyKey: input.idempotencyKey,
      requestHash,
    });
    if (!inserted) return { created: false as const };
    await appendAudit(tx, {
      chain: orgId,
      actor: auditActorOf(actor),
      action: 'signature.requested',
      subject: id,
      details: {
        vaultId,
        scheme: body.scheme,
        kind: intent.kind,
        chain: intent.chain,
        asset: intent.asset,
        amount: intent.amount,
        ...(intent.destination ? { destination: intent.destination.address } : {}),
        digests: [...intent.digests],
        expiresAt: expiresAt.toISOString(),
      },
    });
    const wakeSigning = await judge(tx, {
      id,
      orgId,
      genesis: vault.genesis,
      intent,
      initiator,
      now,
    });
    return { created: true as const, wakeSigning };
  });
  if (!outcome.created) {
    const earlier = await findByIdempotencyKey(db, orgId, createdBy, input.idempotencyKey!);
    if (!earlier) throw new Error('idempotency conflict without an earlier request');
    if (earlier.requestHash !== requestHash || earlier.view.vaultId !== vaultId) {
      throw new ServerError(
        'CONFLICT',
        'this Idempotency-Key was used for a different request: use a new key',
      );
    }
    return { request: earlier, created: false };
  }
  if (outcome.wakeSigning) ctx.wakeJobs?.();
  return { request: (await findSignatureRequest(db, { requestId: id }))!, created: true };
}

/** Judges a request in `pending_policy` and moves it on; true if it went to signing. */
async function judge(
  tx: Queryable,
  r: {
    id: string;
    orgId: string;
    genesis: VaultGenesis;
    intent: Intent;
    initiator: StoredInitiator;
    now: Date;
  },
): Promise<boolean> {
  const judgement = await judgeRequest(
    tx,
    r.orgId,
    { intent: r.intent, initiator: r.initiator },
    r.now,
  );
  const { decision, version } = judgement;
  if (version) {
    const acceptance = genesisAcceptance(r.genesis, version);
    if (!acceptance.accepted) {
      throw conflict(
        `the vault's nodes do not accept policy version ${version.policyVersion} yet: ` +
          `${acceptance.missing}; its genesis approvers must approve that version`,
      );
    }
  }
  const progress =
    decision.outcome === 'block'
      ? { state: 'rejected' as const, stage: 0, missing: [] }
      : decision.outcome === 'allow'
        ? { state: 'approved' as const, stage: 0, missing: [] }
        : version
          ? policyProgress(decision.requirement!, version.document.directory, r.initiator, [], [])
          : genesisProgress([], r.genesis.policy.quorum);
  await recordPolicyDecision(tx, r.id, {
    decision,
    quorum: version ? null : r.genesis.policy.quorum,
    progress,
    velocity: judgement.velocity,
  });
  await appendAudit(tx, {
    chain: r.orgId,
    actor: { kind: 'system', id: 'coffer-server' },
    action: 'signature.judged',
    subject: r.id,
    details: {
      policyVersion: decision.policyVersion,
      outcome: decision.outcome,
      ruleId: decision.ruleId,
      reasons: [...decision.reasons],
    },
  });
  if (decision.outcome === 'block') {
    await setRequestStatus(tx, r.id, 'pending_policy', 'rejected', {
      failure: {
        reason: `blocked by policy version ${decision.policyVersion}: ${decision.reasons.at(-1)}`,
        culprits: [],
      },
    });
    return false;
  }
  if (decision.outcome === 'allow') {
    await setRequestStatus(tx, r.id, 'pending_policy', 'approved');
    await enqueueJob(tx, SIGNING_JOB, r.id);
    return true;
  }
  await setRequestStatus(tx, r.id, 'pending_policy', 'pending_approval');
  if (decision.requirement) {
    const stored = (await findSignatureRequest(tx, { requestId: r.id }))!;
    await openExternalStage(tx, stored, decision.requirement, progress);
  }
  return false;
}

export interface DecideInput {
  readonly orgId: string;
  readonly vaultId: string;
  readonly requestId: string;
  readonly actor: Actor;
  readonly approval: Approval;
  readonly decision: 'approve' | 'reject';
}

/** Records a signed decision and moves the request on; returns the request. */
export async function decide(ctx: AppContext, input: DecideInput): Promise<StoredRequest> {
  const { db } = ctx;
  const { orgId, vaultId, requestId, actor, approval, decision } = input;
  const vault = await findVault(db, orgId, vaultId);
  if (!vault) throw notFound('vault');
  const genesis = vault.genesis as VaultGenesis;
  const wake = await db.transaction(async (tx) => {
    const found = await findSignatureRequest(tx, { orgId, vaultId, requestId }, true);
    if (!found) throw notFound('signature request');
    const { view } = found;
    if (view.status !== 'pending_approval') throw conflict(`the request is ${view.status}`);
    if (found.expiresAt.getTime() <= Date.now()) {
      throw conflict(`the request expired at ${view.expiresAt}`);
    }
    if (found.decisions.some((d) => d.approval.approverKeyId === approval.approverKeyId)) {
      throw conflict(`${approval.approverKeyId} has decided on this request already`);
    }
    const payload = expectedDecisionPayload(view, decision);
    let principal: string | null;
    let progress;
    if (view.policyVersion === 1) {
      if (decision === 'approve') {
        // The nodes' own check, for this one approval (quorum 1): they repeat it for all.
        const verdict = verifyEvidence(
          { ...genesis.policy, quorum: 1 },
          {
            version: 1,
            requestId: view.id,
            vaultId: view.vaultId,
            digests: view.intent.digests,
            policyVersion: view.policyVersion,
            approvals: [approval],
          },
          view.intent.digests[0]!,
        );
        if (!verdict.ok) {
          throw badRequest(`approval refused: ${verdict.reason}: ${verdict.message}`);
        }
      } else {
        verifyDecision(genesis.policy.approvers, approval, payload, 'approver of this vault');
      }
      const approver = genesis.policy.approvers.find((a) => a.keyId === approval.approverKeyId)!;
      principal = approver.principal ?? null;
      const decisions = [...found.decisions, { approval, decision, principal, at: new Date() }];
      progress = genesisProgress(decisions, genesis.policy.quorum);
    } else {
      const version = await findPolicyVersion(tx, orgId, view.policyVersion);
      if (!version) throw new Error(`policy version ${view.policyVersion} is missing`);
      const { directory } = version.document;
      const approver = verifyDecision(directory.approvers, approval, payload);
      principal = approver.principal ?? null;
      const person = principal ?? approver.keyId;
      if (person === found.initiator.id || person === found.initiator.principal) {
        throw forbidden('the initiator cannot decide on their own request');
      }
      if (!(await approvalKeyStillValid(tx, orgId, approver.keyId, person))) {
        throw forbidden(
          `${approver.keyId} can no longer decide: its owner left the organisation or the key ` +
            'was revoked or deleted',
        );
      }
      const decisions = [...found.decisions, { approval, decision, principal, at: new Date() }];
      const external = externalDecisions(await answersOf(tx, view.id));
      const full = policyProgress(
        found.requirement!,
        directory,
        found.initiator,
        decisions,
        external,
      );
      const before = policyProgress(
        found.requirement!,
        directory,
        found.initiator,
        found.decisions,
        external,
      );
      if (JSON.stringify(full) === JSON.stringify(before) && full.state === 'pending') {
        throw forbidden(
          `${person} is not an approver this request is waiting for (${before.missing.join('; ')})`,
        );
      }
      progress = full;
    }
    await insertDecision(tx, view.id, {
      approval,
      decision,
      principal,
      submittedBy: actorId(actor),
    });
    await appendAudit(tx, {
      chain: orgId,
      actor: auditActorOf(actor),
      action: decision === 'approve' ? 'signature.approved' : 'signature.rejected-by-approver',
      subject: view.id,
      details: { approverKeyId: approval.approverKeyId, principal, progress: progress.state },
    });
    return applyProgress(tx, found, progress, principal ?? approval.approverKeyId);
  });
  if (wake) ctx.wakeJobs?.();
  return (await findSignatureRequest(db, { requestId }))!;
}

/** Cancels a request that has not started signing: its initiator, an owner or an admin. */
export async function cancelRequest(
  ctx: AppContext,
  input: { orgId: string; vaultId: string; requestId: string; actor: Actor; role: Role },
): Promise<StoredRequest> {
  const { db } = ctx;
  const { orgId, vaultId, requestId, actor, role } = input;
  await db.transaction(async (tx) => {
    const found = await findSignatureRequest(tx, { orgId, vaultId, requestId }, true);
    if (!found) throw notFound('signature request');
    if (found.createdBy !== actorId(actor) && role !== 'owner' && role !== 'admin') {
      throw forbidden('only the initiator, an owner or an admin can cancel a request');
    }
    const cancelled = await setRequestStatus(
      tx,
      requestId,
      ['pending_policy', 'pending_approval', 'approved'],
      'cancelled',
      { actor: auditActorOf(actor) },
    );
    if (!cancelled) throw conflict(`the request is ${found.view.status}`);
  });
  return (await findSignatureRequest(db, { requestId }))!;
}
