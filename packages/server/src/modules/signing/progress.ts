/**
 * Where a request's approvals stand (issue 6, items 4 and 6), computed after every decision.
 * Under the genesis policy (version 1): distinct approving people of the vault's genesis
 * approvers against its quorum, and any of them rejecting ends the request. Under a published
 * version: `approvalStatus` with the version's directory — the initiator never counts, a
 * person counts once, stages in order, the rule's rejection rule.
 */
import {
  approvalStatus,
  externalApproverId,
  membersFromDirectory,
  type ApprovalRequirement,
  type ApproverDecision,
  type PolicyDirectory,
} from '@coffer/protocol';
import type { Progress, StoredDecision, StoredInitiator } from './store.js';

/** Progress under a vault's genesis policy. */
export function genesisProgress(decisions: readonly StoredDecision[], quorum: number): Progress {
  const person = (d: StoredDecision) => d.principal ?? d.approval.approverKeyId;
  if (decisions.some((d) => d.decision === 'reject')) {
    return { state: 'rejected', stage: 0, missing: [] };
  }
  const people = new Set(decisions.filter((d) => d.decision === 'approve').map(person)).size;
  return people >= quorum
    ? { state: 'approved', stage: 1, missing: [] }
    : {
        state: 'pending',
        stage: 0,
        missing: [
          `${quorum - people} more approval(s) from the vault's genesis approvers ` +
            `(${people} of ${quorum}, one per person)`,
        ],
      };
}

/** An external approver's recorded answer. */
export interface ExternalAnswer {
  readonly approverId: string;
  readonly decision: 'approve' | 'reject';
  readonly at: Date;
}

/** External approvers' recorded answers as the engine counts them (`external:<endpointId>`). */
export function externalDecisions(
  answers: readonly { endpointId: string; decision: 'approve' | 'reject'; at: Date }[],
): ExternalAnswer[] {
  return answers.map((a) => ({
    approverId: externalApproverId(a.endpointId),
    decision: a.decision,
    at: a.at,
  }));
}

/** Progress under a published version's requirement. */
export function policyProgress(
  requirement: ApprovalRequirement,
  directory: PolicyDirectory,
  initiator: StoredInitiator,
  decisions: readonly StoredDecision[],
  external: readonly ExternalAnswer[],
): Progress {
  const all: ApproverDecision[] = [
    ...decisions.map((d) => ({
      approverId: d.principal ?? d.approval.approverKeyId,
      decision: d.decision,
      at: d.at,
    })),
    ...external,
  ];
  const status = approvalStatus(
    requirement,
    all,
    [initiator.id, initiator.principal],
    membersFromDirectory(directory.members),
  );
  return {
    state: status.state,
    stage: status.stage,
    missing: [...status.missing],
  };
}
