/**
 * Moving a request on after its approvals changed (issue 6, items 2, 4 and 7): record where
 * they stand, then approved → queue the signing job, rejected → end it, still pending → if
 * the stage it now waits on is an external approver, call it (one call per stage). Used after
 * a person's decision, an external answer and an external timeout alike, inside the
 * transaction that recorded the change.
 */
import { intentHash, type ApprovalRequirement } from '@coffer/protocol';
import { newId } from '../../ids.js';
import type { Queryable } from '../../store/database.js';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-store.js';
import { insertExternalCall, stageHasCall } from '../external-approvers/store.js';
import { enqueueJob } from '../jobs/jobs-store.js';
import { SIGNING_JOB } from './signing-job.js';
import { setProgress, setRequestStatus, type Progress, type StoredRequest } from './store.js';

/** Applies `progress` to a request in pending_approval; true when signing was queued. */
export async function applyProgress(
  tx: Queryable,
  request: StoredRequest,
  progress: Progress,
  rejectedBy: string,
): Promise<boolean> {
  const { id } = request.view;
  await setProgress(tx, id, progress);
  if (progress.state === 'approved') {
    await setRequestStatus(tx, id, 'pending_approval', 'approved');
    await enqueueJob(tx, SIGNING_JOB, id);
    return true;
  }
  if (progress.state === 'rejected') {
    await setRequestStatus(tx, id, 'pending_approval', 'rejected', {
      failure: { reason: `rejected by ${rejectedBy}`, culprits: [] },
    });
    return false;
  }
  if (request.requirement) await openExternalStage(tx, request, request.requirement, progress);
  return false;
}

/** Calls the external approver of the stage the request waits on, unless called already. */
export async function openExternalStage(
  tx: Queryable,
  request: StoredRequest,
  requirement: ApprovalRequirement,
  progress: Progress,
): Promise<void> {
  const stage = requirement.stages[progress.stage];
  if (progress.state !== 'pending' || stage?.type !== 'external') return;
  const { view } = request;
  if (await stageHasCall(tx, view.id, progress.stage)) return;
  const callId = newId('call');
  const deadline = new Date(Date.now() + stage.timeoutSeconds * 1000);
  await insertExternalCall(tx, {
    callId,
    orgId: view.orgId,
    requestId: view.id,
    endpointId: stage.endpointId,
    stage: progress.stage,
    onTimeout: stage.onTimeout,
    deadlineAt: deadline,
    payload: {
      callId,
      orgId: view.orgId,
      requestId: view.id,
      vaultId: view.vaultId,
      policyVersion: view.policyVersion,
      ruleId: requirement.ruleId,
      stage: progress.stage,
      intent: view.intent,
      intentHash: intentHash(view.intent),
      deadline: deadline.toISOString(),
    },
  });
  await appendAudit(tx, {
    chain: view.orgId,
    actor: SYSTEM_ACTOR,
    action: 'external.called',
    subject: view.id,
    details: { endpointId: stage.endpointId, callId, stage: progress.stage },
  });
}
