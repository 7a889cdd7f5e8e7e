/**
 * What an external approver's answer or silence does to its request (issue 6, item 7),
 * called by the external-approval worker inside the transaction that finishes the call. An
 * answer counts as the decision of `external:<endpointId>` (a rejection by an external
 * approver always ends the request); a timeout follows the stage's rule: `fail` rejects the
 * request, `retry` calls again. Requests that are no longer waiting are left alone.
 */
import type { Queryable } from '../../store/database.js';
import type { ExternalCall } from '../external-approvers/store.js';
import type { ExternalCallOutcomes } from '../external-approvers/worker.js';
import { answersOf } from '../external-approvers/store.js';
import { findPolicyVersion } from '../policy/store.js';
import { externalDecisions, policyProgress } from './progress.js';
import { findSignatureRequest, setRequestStatus } from './store.js';
import { applyProgress, openExternalStage } from './transitions.js';

async function waitingRequest(tx: Queryable, call: ExternalCall) {
  const found = await findSignatureRequest(tx, { requestId: call.requestId }, true);
  if (!found || found.view.status !== 'pending_approval' || !found.requirement) return null;
  return found;
}

export const externalDecisionHandler: ExternalCallOutcomes = {
  async onAnswer(tx, call, reason) {
    const found = await waitingRequest(tx, call);
    if (!found) return false;
    const version = await findPolicyVersion(tx, found.view.orgId, found.view.policyVersion);
    if (!version) throw new Error(`policy version ${found.view.policyVersion} is missing`);
    const progress = policyProgress(
      found.requirement!,
      version.document.directory,
      found.initiator,
      found.decisions,
      externalDecisions(await answersOf(tx, found.view.id)),
    );
    const who = `external approver ${call.endpointId}${reason ? ` (${reason})` : ''}`;
    return applyProgress(tx, found, progress, who);
  },

  async onTimeout(tx, call) {
    const found = await waitingRequest(tx, call);
    if (!found) return;
    if (call.onTimeout === 'retry') {
      await openExternalStage(tx, found, found.requirement!, found.view.progress);
      return;
    }
    await setRequestStatus(tx, found.view.id, 'pending_approval', 'rejected', {
      failure: {
        reason: `external approver ${call.endpointId} did not answer by ${call.deadlineAt.toISOString()}`,
        culprits: [],
      },
    });
  },
};
