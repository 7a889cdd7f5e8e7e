/**
 * Judging a request (issue 6, items 3 and 5): the organisation's current published policy
 * version decides with `evaluatePolicy` over the velocity history from the database; while
 * nothing is published, each vault's genesis policy decides (version 1: a quorum of the
 * vault's genesis approvers). Request creation and the dry run both come here, so the dry run
 * answers exactly what creation would do.
 */
import {
  evaluatePolicy,
  type PolicyDecision,
  type PolicyDocument,
  type PolicyRequest,
  type VelocityRecord,
} from '@coffer/protocol';
import type { Queryable } from '../../store/database.js';
import { currentPolicy, type StoredPolicyVersion } from './store.js';
import { historyOf, velocityRecords } from './velocity-history.js';

export const GENESIS_POLICY_VERSION = 1;

export interface Judgement {
  readonly decision: PolicyDecision;
  /** The published version that decided; null for the genesis policy or a draft. */
  readonly version: StoredPolicyVersion | null;
  /** The history the velocity conditions summed over (what nodes receive as evidence). */
  readonly velocity: readonly VelocityRecord[];
}

export const GENESIS_DECISION: PolicyDecision = {
  outcome: 'require-approvals',
  policyVersion: GENESIS_POLICY_VERSION,
  ruleId: null,
  ruleName: null,
  reasons: [
    "no published policy: the vault's genesis policy decides — a quorum of its approvers " +
      '(the owners and admins with approval keys when the vault was created), one per person',
  ],
  requirement: null,
};

export async function judgeRequest(
  db: Queryable,
  orgId: string,
  request: PolicyRequest,
  now: Date,
  draft?: PolicyDocument,
): Promise<Judgement> {
  const version = draft ? null : await currentPolicy(db, orgId);
  const policy = draft ?? version?.document.policy;
  if (!policy) return { decision: GENESIS_DECISION, version: null, velocity: [] };
  const velocity = await velocityRecords(db, orgId, policy, now);
  const decision = evaluatePolicy(policy, request, { now, velocity: historyOf(velocity) });
  return { decision, version, velocity };
}
